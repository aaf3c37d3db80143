package releasepipeline

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/smoketest"
	"github.com/shipline/shipline/internal/propcheck"
)

// Environment is one set of hosts the release reaches, in the pipeline's
// order: every environment deploys the same build output (the bundle that
// pins the image by digest), so what passed staging is what reaches
// production.
type Environment struct {
	// Name of the environment: stage names "Deploy-<Name>" and
	// "Approve-<Name>". 1-40 of letters, digits, '-' and '_'.
	Name *string
	// DeploymentGroup deploys the bundle to the environment's hosts.
	DeploymentGroup awscodedeploy.IServerDeploymentGroup
	// DeployRole is the role the deploy action runs as: for an environment
	// in another account, that account's deploy role
	// (crossaccount.TargetRoles). The artifact bucket then needs a KMS key
	// (PipelineProps.ArtifactKey). The role may read the bundle artifact's
	// objects only, not the whole artifact bucket (a bucket policy statement
	// for a role of another account).
	// Default: a role CodePipeline's construct creates in the pipeline's account.
	DeployRole awsiam.IRole
	// Approval adds a stage "Approve-<Name>" before the deployment.
	// Default: no approval.
	Approval Approver
	// Check runs after the deployment, in the same stage: the stage fails
	// when it fails and rolls back to the environment's last successful
	// release (a CodePipeline V2 stage rollback). Its Input is the source
	// artifact (set here).
	// Default: no check, and no stage rollback (CodeDeploy rolls back a
	// failed deployment itself).
	Check *smoketest.ActionOptions
	// Alarms of the environment that hold the next environment: its first
	// stage does not start while one of them is in ALARM (a CloudWatchAlarm
	// entry condition). They must be in the pipeline's account and region.
	// Default: none.
	Alarms []awscloudwatch.IAlarm
}

// Stage name prefixes of the environment stages.
const (
	DeployStagePrefix  = "Deploy-"
	ApproveStagePrefix = "Approve-"
)

var reEnvironmentName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

func (e *Environment) validate(i int, seen map[string]bool) []error {
	prop := fmt.Sprintf("Environments[%d]", i)
	var errs []error
	switch {
	case e == nil:
		return []error{propcheck.Missing(prop, "an environment")}
	case e.Name == nil:
		errs = append(errs, propcheck.Missing(prop+".Name", "a name such as staging"))
	case !reEnvironmentName.MatchString(*e.Name):
		errs = append(errs, fmt.Errorf("%s.Name: got %q, want 1-40 of letters, digits, '-' and '_'", prop, *e.Name))
	case seen[*e.Name]:
		errs = append(errs, fmt.Errorf("%s.Name: got %q twice, want each environment once", prop, *e.Name))
	default:
		seen[*e.Name] = true
	}
	if e.DeploymentGroup == nil {
		errs = append(errs, propcheck.Missing(prop+".DeploymentGroup", "the environment's CodeDeploy deployment group"))
	}
	// A bad name would make a bad stage name, which the CDK throws on.
	for i, err := range errs {
		errs[i] = propcheck.Blocking(err)
	}
	return errs
}

// environmentStages makes the stages of every environment, in order, and
// the check project when an environment has a check.
func (c *Pipeline) environmentStages(p PipelineProps, source, bundle awscodepipeline.Artifact) []*awscodepipeline.StageProps {
	var stages []*awscodepipeline.StageProps
	var previous []awscloudwatch.IAlarm
	for _, e := range p.Environments {
		hold := c.holdWhileInAlarm(*e.Name, previous)
		if e.Approval != nil {
			stages = append(stages, &awscodepipeline.StageProps{
				StageName:   jsii.String(ApproveStagePrefix + *e.Name),
				Actions:     &[]awscodepipeline.IAction{e.Approval.NewAction(c.approvalOptions(p, *e.Name))},
				BeforeEntry: hold,
			})
			hold = nil
		}
		deploy := &awscodepipelineactions.CodeDeployServerDeployActionProps{
			ActionName:      jsii.String("Deploy"),
			DeploymentGroup: c.deployTarget("DeploymentTarget-"+*e.Name, e.DeploymentGroup),
			Input:           bundle,
			Role:            e.DeployRole,
		}
		// A role given here is another account's: its read of the bucket
		// is a bucket policy statement, narrowed to the bundles.
		actions := []awscodepipeline.IAction{awscodepipelineactions.NewCodeDeployServerDeployAction(deploy)}
		if e.DeployRole != nil {
			actions[0] = newBundleDeployAction(deploy)
		}
		var onFailure *awscodepipeline.FailureConditions
		if e.Check != nil {
			opts := *e.Check
			opts.Input, opts.RunOrder = source, jsii.Number(2)
			actions = append(actions, c.checkProject(p).NewAction(&opts))
			onFailure = &awscodepipeline.FailureConditions{Result: awscodepipeline.Result_ROLLBACK}
		}
		stages = append(stages, &awscodepipeline.StageProps{
			StageName:   jsii.String(DeployStagePrefix + *e.Name),
			Actions:     &actions,
			BeforeEntry: hold,
			OnFailure:   onFailure,
		})
		previous = e.Alarms
	}
	return stages
}

// holdWhileInAlarm is an entry condition that fails the stage while one of
// alarms is in ALARM (the rule's AlarmStates; CodePipeline user guide,
// "CloudWatchAlarm" rule reference); nil without alarms. CodePipeline evaluates it with the
// pipeline's role, which is allowed to describe exactly these alarms.
func (c *Pipeline) holdWhileInAlarm(env string, alarms []awscloudwatch.IAlarm) *awscodepipeline.Conditions {
	if len(alarms) == 0 {
		return nil
	}
	rules := make([]awscodepipeline.Rule, len(alarms))
	for i, a := range alarms {
		rules[i] = awscodepipeline.NewRule(&awscodepipeline.RuleProps{
			Name:          jsii.String(fmt.Sprintf("%s-alarm-%d", env, i+1)),
			Provider:      jsii.String("CloudWatchAlarm"),
			Version:       jsii.String("1"),
			Configuration: &map[string]any{"AlarmName": a.AlarmName(), "AlarmStates": "ALARM"},
		})
		c.alarmsRead = append(c.alarmsRead, a.AlarmArn())
	}
	return &awscodepipeline.Conditions{Conditions: &[]*awscodepipeline.Condition{{
		Result: awscodepipeline.Result_FAIL,
		Rules:  &rules,
	}}}
}

// allowAlarmRules lets the pipeline's role read the alarms of the entry
// conditions (CodePipeline user guide, "CloudWatchAlarm rule": service role
// permissions).
func (c *Pipeline) allowAlarmRules() {
	if len(c.alarmsRead) == 0 {
		return
	}
	c.pipeline.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("cloudwatch:DescribeAlarms"),
		Resources: &c.alarmsRead,
	}))
}

// approvalOptions describe the commit in an environment's approval request.
func (c *Pipeline) approvalOptions(p PipelineProps, env string) *manualapproval.ActionOptions {
	vars := c.source.Variables()
	return &manualapproval.ActionOptions{
		AdditionalInformation: jsii.String(fmt.Sprintf("Release of commit %s (%s/%s@%s: %s) to %s",
			*vars.CommitId, *p.Owner, *p.Repo, *p.Branch, *vars.CommitMessage, env)),
		ExternalEntityLink: jsii.String(fmt.Sprintf("https://github.com/%s/%s/commit/%s", *p.Owner, *p.Repo, *vars.CommitId)),
	}
}

// checkProject is the project passed in, or one created on first use.
func (c *Pipeline) checkProject(p PipelineProps) *smoketest.Project {
	if c.check == nil {
		c.check = p.CheckProject
	}
	if c.check == nil {
		c.check = smoketest.NewProject(c, "Check", &smoketest.ProjectProps{RemovalPolicy: p.RemovalPolicy})
	}
	return c.check
}

func (p PipelineProps) validateEnvironments() []error {
	if p.Environments == nil {
		if p.DeploymentGroup == nil {
			return []error{propcheck.Missing("DeploymentGroup", "the CodeDeploy server deployment group (or Environments)")}
		}
		return nil
	}
	var errs []error
	if p.DeploymentGroup != nil {
		errs = append(errs, errors.New("DeploymentGroup, Environments: got both, want Environments alone: each environment names its deployment group"))
	}
	if len(p.Environments) == 0 {
		errs = append(errs, propcheck.Blocking(errors.New("Environments: got an empty list, want at least one environment")))
	}
	seen := map[string]bool{}
	for i, e := range p.Environments {
		errs = append(errs, e.validate(i, seen)...)
	}
	return errs
}

// CheckProject is the project running the environments' checks; nil when no
// environment has one.
func (c *Pipeline) CheckProject() *smoketest.Project { return c.check }
