package test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/crossaccount"
	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/constructs/smoketest"
	"github.com/shipline/shipline/internal/ops"
	"github.com/shipline/shipline/stacks"
)

// Placeholder accounts: the pipeline's and production's.
const (
	testPipelineAccount = "111111111111"
	testTargetAccount   = "222222222222"
	testLoadBalancer    = "arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/app/web/fedcba9876543210"
	testProdTargetGroup = "arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/web/0123456789abcdef"
)

// variantEnvironments are the environments of the variants that have them.
var variantEnvironments = map[string][]stacks.Environment{
	"twoEnvironments": twoEnvironments(),
	"chatApprovals":   twoEnvironments(),
	// Its pull-request diff role reads production's stack too.
	"twoEnvironmentsDiff": twoEnvironments(),
	"otherRegions":        otherRegions(),
}

// The other Regions of variant otherRegions: dr's and production's.
const (
	testDRRegion   = "eu-central-1"
	testProdRegion = "us-east-1"
)

// otherRegions: staging as in twoEnvironments; dr on tagged hosts of the
// pipeline's account in another Region, with an alarm of its own; then
// production, after an approval, in another account and Region, behind an
// ALB there.
func otherRegions() []stacks.Environment {
	envs := twoEnvironments()
	prod := envs[1]
	prod.Region = testProdRegion
	prod.TargetGroupArn = strings.Replace(testProdTargetGroup, "eu-west-1", testProdRegion, 1)
	prod.LoadBalancerArn = strings.Replace(testLoadBalancer, "eu-west-1", testProdRegion, 1)
	dr := stacks.Environment{
		Name: "dr", Region: testDRRegion, TagKey: "App", TagValues: []string{"myapp-dr"},
		DeploymentConfig: awscodedeploy.ServerDeploymentConfig_ALL_AT_ONCE(),
		Agent:            &serverdeploy.AgentOptions{Mode: serverdeploy.AgentOnce},
		ParameterPath:    "/myapp/dr/",
		Alarms:           []string{"myapp-dr-errors"},
	}
	return []stacks.Environment{envs[0], dr, prod}
}

// twoEnvironments: staging on tagged hosts of the pipeline's account, with
// an alarm of its own; production, after an approval, on an Auto Scaling
// group behind an ALB in another account.
func twoEnvironments() []stacks.Environment {
	return []stacks.Environment{
		{
			Name: "staging", TagKey: "App", TagValues: []string{"myapp-staging"},
			DeploymentConfig: awscodedeploy.ServerDeploymentConfig_ALL_AT_ONCE(),
			Agent:            &serverdeploy.AgentOptions{Mode: serverdeploy.AgentOnce},
			ParameterPath:    "/myapp/staging/",
			Alarms:           []string{"myapp-staging-errors"},
			Check:            &smoketest.ActionOptions{URL: jsii.String("https://staging.example.com/health"), Command: jsii.String("./scripts/smoke.sh")},
		},
		{
			Name: "production", Account: testTargetAccount,
			AutoScalingGroupName: "myapp-production", TargetGroupArn: testProdTargetGroup, LoadBalancerArn: testLoadBalancer,
			DeploymentConfig: awscodedeploy.ServerDeploymentConfig_ONE_AT_A_TIME(),
			Agent:            &serverdeploy.AgentOptions{Mode: serverdeploy.AgentOnce},
			ParameterPath:    "/myapp/production/",
			Approval:         true,
			Check:            &smoketest.ActionOptions{URL: jsii.String("https://www.example.com/health"), Attempts: jsii.Number(20)},
		},
	}
}

// TestTwoEnvironmentsPipeline reads the pipeline stack's template: the stage
// order, one build output feeding both deployments, the check and rollback
// of each environment, and the host settings paths of the build.
func TestTwoEnvironmentsPipeline(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	var order, bundleReaders, bundleWriters []string
	stages := map[string]map[string]any{}
	for _, p := range resourcesOf(r.tmpl, "AWS::CodePipeline::Pipeline") {
		for _, s := range p.props()["Stages"].([]any) {
			stage := s.(map[string]any)
			name := stage["Name"].(string)
			stages[name] = stage
			// Actions run by RunOrder; equal ones run side by side.
			actions := slices.Clone(stage["Actions"].([]any))
			slices.SortStableFunc(actions, func(a, b any) int {
				return int(runOrder(a) - runOrder(b))
			})
			for i, a := range actions {
				action := a.(map[string]any)
				if i > 0 && runOrder(a) == runOrder(actions[i-1]) {
					t.Errorf("%s: %s runs beside %s, want one after the other", name, action["Name"], actions[i-1].(map[string]any)["Name"])
				}
				order = append(order, name+"/"+action["Name"].(string))
				ins, _ := action["InputArtifacts"].([]any)
				for _, in := range ins {
					if in.(map[string]any)["Name"] == "Bundle" {
						bundleReaders = append(bundleReaders, name)
					}
				}
				outs, _ := action["OutputArtifacts"].([]any)
				for _, out := range outs {
					if out.(map[string]any)["Name"] == "Bundle" {
						bundleWriters = append(bundleWriters, name+"/"+action["Name"].(string))
					}
				}
			}
		}
	}
	if !slices.Equal(bundleWriters, []string{"Build/DockerBuild"}) {
		t.Errorf("writers of the deploy bundle: got %v, want the one build", bundleWriters)
	}
	want := []string{
		"Source/GitHub", "Approval/Approve", "Build/DockerBuild",
		"Deploy-staging/Deploy", "Deploy-staging/Check",
		"Approve-production/Approve",
		"Deploy-production/Deploy", "Deploy-production/Check",
	}
	if !slices.Equal(order, want) {
		t.Errorf("actions in order:\n got %v\nwant %v", order, want)
	}
	if !slices.Equal(bundleReaders, []string{"Deploy-staging", "Deploy-production"}) {
		t.Errorf("readers of the one build output: got %v, want both deploy stages", bundleReaders)
	}
	for _, name := range []string{"Deploy-staging", "Deploy-production"} {
		if got := fullJSON(stages[name]["OnFailure"]); got != `{"Result":"ROLLBACK"}` {
			t.Errorf("%s OnFailure: got %s, want a rollback to the last successful release", name, got)
		}
	}
	if hold := fullJSON(stages["Approve-production"]["BeforeEntry"]); !strings.Contains(hold, `"AlarmName":"myapp-staging-errors"`) {
		t.Errorf("Approve-production BeforeEntry: got %s, want staging's alarm to hold production", hold)
	}
	prodDeploy := stages["Deploy-production"]["Actions"].([]any)[0].(map[string]any)
	if got, want := prodDeploy["RoleArn"], crossaccount.RoleArn(testTargetAccount, "myapp-production-deploy"); got != want {
		t.Errorf("production deploy role: got %v, want %s", got, want)
	}
	if got := fullJSON(prodDeploy["Configuration"]); !strings.Contains(got, `"DeploymentGroupName":"myapp-production"`) {
		t.Errorf("production deploy configuration: got %s", got)
	}

	// One build serves both: the build tells each group's hosts their path.
	var paths string
	for _, p := range resourcesOf(r.tmpl, "AWS::CodeBuild::Project") {
		env, _ := p.props()["Environment"].(map[string]any)
		vars, _ := env["EnvironmentVariables"].([]any)
		for _, v := range vars {
			if v.(map[string]any)["Name"] == "PARAMETER_PATHS" {
				paths = fullJSON(v.(map[string]any)["Value"])
			}
		}
	}
	for _, w := range []string{`"=",[{"Ref":"EnvironmentstagingServerDeploy`, `"/myapp/staging/"`, `"myapp-production=/myapp/production/"`} {
		if !strings.Contains(paths, w) {
			t.Errorf("PARAMETER_PATHS: want %s in %s", w, paths)
		}
	}
}

// runOrder is an action's RunOrder (1 when unset, as CodePipeline reads it).
func runOrder(a any) float64 {
	if n, ok := a.(map[string]any)["RunOrder"].(float64); ok {
		return n
	}
	return 1
}

// TestTwoEnvironmentsAlarmRollback: both deployment groups stop and roll
// back on their alarms: staging on the alarm it names, production on the
// default 5xx and unhealthy-host alarms of its target group.
func TestTwoEnvironmentsAlarmRollback(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	target := r.pipeline.Environments[1].Target
	if target == nil {
		t.Fatal("production: want a target stack in its account")
	}
	groups := map[string]map[string]any{}
	for _, g := range resourcesOf(r.tmpl, "AWS::CodeDeploy::DeploymentGroup") {
		groups["staging"] = g.props()
	}
	for _, g := range resourcesOf(templateOf(t, r, *target.StackName()), "AWS::CodeDeploy::DeploymentGroup") {
		groups["production"] = g.props()
	}
	for env, g := range groups {
		if got := fullJSON(g["AutoRollbackConfiguration"]); !strings.Contains(got, "DEPLOYMENT_STOP_ON_ALARM") {
			t.Errorf("%s AutoRollbackConfiguration: got %s, want a rollback on alarm", env, got)
		}
		alarms := fullJSON(g["AlarmConfiguration"])
		if !strings.Contains(alarms, `"Enabled":true`) {
			t.Errorf("%s AlarmConfiguration: got %s, want the alarms enabled", env, alarms)
		}
		want := map[string][]string{
			"staging":    {`"Name":"myapp-staging-errors"`},
			"production": {"ServerDeployTarget5xxAlarm", "ServerDeployUnhealthyHostsAlarm"},
		}[env]
		for _, w := range want {
			if !strings.Contains(alarms, w) {
				t.Errorf("%s AlarmConfiguration: want %s in %s", env, w, alarms)
			}
		}
	}
	if len(groups) != 2 {
		t.Errorf("deployment groups: got %d, want staging's and production's", len(groups))
	}
}

// TestTwoEnvironmentsKeyPolicy: the artifact key's policy admits, from the
// production account, only its deploy and host roles, never the account.
func TestTwoEnvironmentsKeyPolicy(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	roles := []string{
		crossaccount.RoleArn(testTargetAccount, "myapp-production-deploy"),
		crossaccount.RoleArn(testTargetAccount, "myapp-production-host"),
	}
	var keyFound bool
	for _, st := range policyStatements(r.tmpl) {
		if !strings.HasPrefix(st.Source, "ArtifactKey") {
			continue
		}
		keyFound = true
		principal := fullJSON(st.Body["Principal"])
		if !strings.Contains(principal, testTargetAccount) {
			continue
		}
		var named []string
		for _, p := range st.list("Principal") {
			aws := p.(map[string]any)["AWS"]
			switch v := aws.(type) {
			case string:
				named = append(named, v)
			case []any:
				for _, x := range v {
					named = append(named, x.(string))
				}
			}
		}
		for _, n := range named {
			if strings.Contains(n, testTargetAccount) && !slices.Contains(roles, n) {
				t.Errorf("key policy admits %s, want only %v from account %s", n, roles, testTargetAccount)
			}
		}
	}
	if !keyFound {
		t.Fatal("no artifact key policy in the template")
	}
	policy := ""
	for _, k := range resourcesOf(r.tmpl, "AWS::KMS::Key") {
		if strings.HasPrefix(k.ID, "ArtifactKey") {
			policy = fullJSON(k.props()["KeyPolicy"])
		}
	}
	for _, role := range roles {
		if !strings.Contains(policy, role) {
			t.Errorf("key policy: want %s admitted", role)
		}
	}
	if strings.Contains(policy, "arn:aws:iam::"+testTargetAccount+":root") {
		t.Errorf("key policy admits the whole production account: %s", policy)
	}
}

// templateOf reads the template of another stack of the variant's assembly.
func templateOf(t *testing.T, r *synthResult, stackName string) map[string]any {
	t.Helper()
	return readJSON(strings.TrimSuffix(r.file, "PipelineStack.template.json") + stackName + ".template.json")
}

// fullJSON is a value as JSON, whole (compact shortens long values).
func fullJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestEnvironmentHostSettings: staging's hosts read staging's settings
// (under /myapp/staging/, by name or non-recursively by path) and nothing
// else: not production's, not the app-level path, not the build secrets,
// not another app's.
func TestEnvironmentHostSettings(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	out, _ := r.tmpl["Outputs"].(map[string]any)
	hp, _ := out["HostPolicyArnStaging"].(map[string]any)
	if hp == nil {
		t.Fatal("no HostPolicyArnStaging output")
	}
	doc, _ := resolve(r.tmpl, managedDocument(t, r.tmpl, hp["Value"])).(map[string]any)
	var sts []map[string]any
	for _, st := range listOf(doc["Statement"]) {
		sts = append(sts, st.(map[string]any))
	}
	// The stack has an explicit account: ask about that account's parameters.
	inAccount := func(req request) request {
		req.Resource = strings.Replace(req.Resource, ":111122223333:", ":"+testPipelineAccount+":", 1)
		return req
	}
	for _, name := range []string{"/myapp/production/DB_PASSWORD", "/myapp/DB_PASSWORD", "/myapp/build/NPM_TOKEN", "/otherapp/DB_PASSWORD", "/myapp/staging/build/KEY"} {
		for _, req := range parameterReads(name) {
			req = inAccount(req)
			if ok, why := allowed(sts, req); ok {
				t.Errorf("staging hosts may read %s: %s, %s", name, req, why)
			}
		}
	}
	appLogs := logGroupArn(t, r.tmpl, "AppLogGroupNameStaging")
	// The evaluator resolves the log group's GetAtt in its own account.
	if ok, why := allowed(sts, request{Action: "logs:PutLogEvents", Resource: appLogs + ":log-stream:host-1"}); !ok {
		t.Errorf("staging hosts may not write staging's app logs: %s", why)
	}
	for _, req := range []request{
		{Action: "ssm:GetParameter", Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/myapp/staging/DB_PASSWORD"},
		{Action: "ssm:GetParametersByPath", Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/myapp/staging/", Context: map[string]string{"ssm:Recursive": "false"}},
	} {
		req = inAccount(req)
		if ok, why := allowed(sts, req); !ok {
			t.Errorf("staging hosts may not %s: %s", req, why)
		}
	}
}

// TestTwoEnvironmentsTargetStack: production's stack (its account) passes
// cdk-nag too (and cfn-lint, in TestCfnLint), and its deploy role trusts the pipeline's
// account alone.
func TestTwoEnvironmentsTargetStack(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	target := r.pipeline.Environments[1].Target
	annotations := assertions.Annotations_FromStack(target)
	rules := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for _, m := range append(*annotations.FindError(jsii.String("*"), rules), *annotations.FindWarning(jsii.String("*"), rules)...) {
		t.Errorf("cdk-nag at %s: %s", *m.Id, compact(m.Entry.Data))
	}
	tmpl := templateOf(t, r, *target.StackName())
	for _, role := range resourcesOf(tmpl, "AWS::IAM::Role") {
		if role.props()["RoleName"] != "myapp-production-deploy" {
			continue
		}
		trust := fullJSON(role.props()["AssumeRolePolicyDocument"])
		if !strings.Contains(trust, `{"AWS":"arn:aws:iam::`+testPipelineAccount+`:root"}`) || strings.Count(trust, "Principal") != 1 {
			t.Errorf("deploy role trust: got %s, want the pipeline account %s only", trust, testPipelineAccount)
		}
	}
	// cfn-lint reads this template in TestCfnLint.
}

// TestEnvironmentOutputsForShipline: the `shipline` command finds each
// environment through the pipeline stack's outputs; read the synthesized
// ones as it reads a deployed stack's.
func TestEnvironmentOutputsForShipline(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	var outputs []ops.Output
	for key, o := range r.tmpl["Outputs"].(map[string]any) {
		o := o.(map[string]any)
		desc, _ := o["Description"].(string)
		value, ok := o["Value"].(string)
		if !ok {
			value = fullJSON(o["Value"]) // a reference, resolved at deploy
		}
		outputs = append(outputs, ops.Output{Key: key, Value: value, Description: desc})
	}
	envs := ops.EnvironmentsOf(outputs)
	if len(envs) != 2 {
		t.Fatalf("environments read from the outputs: %+v, want staging and production", envs)
	}
	prod, staging := envs[0], envs[1] // name order
	if staging.Name != "staging" || staging.Account != "" || staging.Application == "" || staging.HostPolicyARN == "" || staging.HostProfile != "" {
		t.Errorf("staging = %+v, want the pipeline's account, its application and host policy", staging)
	}
	if prod.Name != "production" || prod.Account != testTargetAccount || prod.DeploymentGroup != "myapp-production" ||
		prod.Application != "myapp" || prod.HostProfile != "myapp-production-host" || prod.HostPolicyARN != "" {
		t.Errorf("production = %+v, want account %s, group myapp-production of application myapp, host profile myapp-production-host", prod, testTargetAccount)
	}
	// Each environment's own log group, which `shipline logs --env` reads.
	if staging.LogGroup == "" || prod.LogGroup == "" || staging.LogGroup == prod.LogGroup {
		t.Errorf("log groups: staging %q, production %q; want one of each environment's own", staging.LogGroup, prod.LogGroup)
	}
	// Staging's application is the one its deployment group belongs to.
	for _, g := range resourcesOf(r.tmpl, "AWS::CodeDeploy::DeploymentGroup") {
		if fullJSON(map[string]any{"Ref": g.ID}) == staging.DeploymentGroup {
			if got := fullJSON(g.props()["ApplicationName"]); got != staging.Application {
				t.Errorf("staging's group belongs to %s, output DeployApplicationNameStaging says %s", got, staging.Application)
			}
			return
		}
	}
	t.Errorf("no deployment group %s in the template", staging.DeploymentGroup)
}
