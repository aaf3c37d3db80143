package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A finding is one error of aws-cdk-lib's own template validation
// (@aws-cdk/core:validateAgainstDefaultRules), read from the validation
// report the synth left in the staging directory.
type finding struct {
	rule, description, constructPath string
}

// validationReport is the part of validation-report.json read here; both
// of its formats are accepted (violatingConstructs, or the older
// violatingResources).
type validationReport struct {
	PluginReports []struct {
		PluginName string `json:"pluginName"`
		Violations []struct {
			RuleName            string `json:"ruleName"`
			Description         string `json:"description"`
			Severity            string `json:"severity"`
			ViolatingConstructs []struct {
				ConstructPath string `json:"constructPath"`
			} `json:"violatingConstructs"`
		} `json:"violations"`
	} `json:"pluginReports"`
}

// readFindings returns the errors of the validation report in dir, if any.
func readFindings(dir string) []finding {
	raw, err := os.ReadFile(filepath.Join(dir, "validation-report.json"))
	if err != nil {
		return nil
	}
	var r validationReport
	if json.Unmarshal(raw, &r) != nil {
		return nil
	}
	var out []finding
	for _, p := range r.PluginReports {
		for _, v := range p.Violations {
			if sev := strings.ToLower(v.Severity); sev != "" && sev != "error" && sev != "fatal" {
				continue // warnings, such as the config's own annotations
			}
			for _, c := range v.ViolatingConstructs {
				out = append(out, finding{rule: v.RuleName, description: v.Description, constructPath: c.ConstructPath})
			}
		}
	}
	return out
}

// origins name the settings that feed a construct, by the construct's path
// below the stack and, where one construct takes several settings, the
// CloudFormation property the finding is about. The first match wins.
var origins = []struct {
	path, property, settings string
}{
	{"Host/", "InstanceType", "hostInstanceType"},
	{"Host/", "", "managedHost, hostInstanceType, architecture, ingressCidr, httpPort"},
	{"HostVpc", "", "vpcId, subnetIds, availabilityZones"},
	{"DockerBuild/", "TimeoutInMinutes", "buildTimeoutMinutes"},
	{"DockerBuild/", "ConcurrentBuildLimit", "buildConcurrencyLimit"},
	{"DockerBuild/", "RetentionInDays", "logRetentionDays"},
	{"DockerBuild/", "Environment", "buildComputeType, architecture, buildSecrets"},
	{"DockerBuild/", "", "buildspec, dockerfile, buildContext, buildComputeType, buildSecrets"},
	{"ImageRepository/", "", "keepReleaseImages, removalPolicy"},
	{"Approval/", "Endpoint", "approverEmails"},
	{"Approval/", "", "approverEmails, approvalTopicArn, approvalTopicKeyArn"},
	{"ExistingApprovalTopic", "", "approvalTopicArn, approvalTopicKeyArn"},
	{"ServerDeploy/", "Ec2TagSet", "deployTagKey, deployTagValues"},
	{"ServerDeploy/", "AutoScalingGroups", "autoScalingGroupName"},
	{"ServerDeploy/", "LoadBalancerInfo", "targetGroupArn"},
	{"ServerDeploy/", "ScheduleExpression", "agentSchedule"},
	{"ServerDeploy/", "", "deploymentConfig, minHealthyHosts, agentInstall, deployTagKey, deployTagValues"},
	{"ReleasePipeline/", "", "githubOwner, githubRepo, githubBranch, connectionArn, approvalPosition, artifactExpirationDays"},
	{"ParamAPP_PORT", "", "appPort"},
	{"ParamHTTP_PORT", "", "httpPort"},
	{"ParamHEALTH_CHECK_PATH", "", "healthCheckPath"},
	{"DiffRole", "", "diffRoleRepo, diffRoleProviderArn"},
}

// settingsOf names the settings a finding comes from, or "" when none does.
func (f finding) settingsOf(stackID string) string {
	rel := strings.TrimPrefix(f.constructPath, stackID+"/")
	property, _, _ := strings.Cut(f.description, ":")
	for _, o := range origins {
		if strings.HasPrefix(rel, o.path) && (o.property == "" || o.property == strings.TrimSpace(property)) {
			return o.settings
		}
	}
	return ""
}

// line is the finding as one line that leads with the setting to change.
func (f finding) line(stackID string) string {
	where := fmt.Sprintf("(%s, rule %s)", f.constructPath, f.rule)
	if s := f.settingsOf(stackID); s != "" {
		return fmt.Sprintf("%s: rejected by CloudFormation validation: %s %s", s, f.description, where)
	}
	return fmt.Sprintf("rejected by CloudFormation validation: %s %s", f.description, where)
}
