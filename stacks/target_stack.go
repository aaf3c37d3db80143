package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/crossaccount"
	"github.com/shipline/shipline/constructs/diffrole"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// TargetStack holds what an environment in another account or Region
// needs there: its CodeDeploy application and deployment group (with their
// alarms and the agent installation), a deploy role the pipeline's account
// assumes, the hosts' role, the app log group they write to, and the rules
// that forward its alarm and deployment events to the pipeline's account
// and Region. Deploy it with the pipeline's stack (`cdk deploy --all`);
// another account must first be bootstrapped with `cdk bootstrap --trust`
// of the pipeline's account, another Region of any account bootstrapped.
type TargetStack struct {
	awscdk.Stack
	DeploymentGroup *serverdeploy.DeploymentGroup
	Roles           *crossaccount.TargetRoles
	// AppLogs is named /shipline/<appName>/<environment>, which the
	// pipeline's stack hands to the hosts (LOG_GROUPS).
	AppLogs awslogs.LogGroup
	// Events forwards the group's alarm state changes and failed or
	// stopped deployments to the pipeline account's default event bus.
	Events *crossaccount.Forwarder
	// DiffReader is the role the pipeline account's pull-request diff
	// role assumes to read this stack's template (output DiffReadRoleArn);
	// nil without diffRoleRepo, or in the pipeline's account.
	DiffReader *diffrole.StackReader
	// diffReaderArn is DiffReader's ARN as a literal string.
	diffReaderArn string
}

// newTargetStack makes the target stack of environment e beside the
// pipeline's stack, in e's account and Region (each the pipeline's unless
// e names its own).
func newTargetStack(pipeline *PipelineStack, appName string, e Environment) *TargetStack {
	id := *pipeline.StackName() + "-" + e.Name
	t := &TargetStack{}
	env := &awscdk.Environment{Account: jsii.String(pipeline.accountOf(e))}
	switch {
	case e.Region != "":
		env.Region = jsii.String(e.Region)
	case !*awscdk.Token_IsUnresolved(pipeline.Region()):
		env.Region = pipeline.Region()
	}
	// The pipeline's Region, where its bus and repository are, for the
	// ARNs this stack names there; nil: the same as this stack's.
	var pipelineRegion *string
	if e.crossRegion(pipeline.Region()) {
		pipelineRegion = pipeline.Region()
	}
	awscdk.NewStack_Override(t, pipeline.parent, &id, &awscdk.StackProps{
		Env:         env,
		Description: jsii.String("shipline: the " + e.Name + " environment of " + appName + ", deployed by the pipeline of account " + *pipeline.Account()),
	})
	application, group, deployRole, hostRole := targetNames(appName, e)
	props := groupProps(t, e)
	props.ApplicationName, props.DeploymentGroupName = jsii.String(application), jsii.String(group)
	// Named, so that the pipeline's account can refer to them.
	props.AlarmNamePrefix = jsii.String(group)
	t.DeploymentGroup = serverdeploy.NewDeploymentGroup(t, "ServerDeploy", props)
	t.AppLogs = newAppLogs(t, pipeline.config, jsii.String(targetLogGroupName(appName, e)))
	t.Events = crossaccount.NewForwarder(t, "Events", &crossaccount.ForwarderProps{
		PipelineAccount:     pipeline.Account(),
		PipelineRegion:      pipelineRegion,
		RoleName:            jsii.String(forwarderRoleName(appName, e)),
		Alarms:              t.DeploymentGroup.Alarms(),
		ApplicationName:     jsii.String(application),
		DeploymentGroupName: jsii.String(group),
	})
	t.Roles = crossaccount.NewTargetRoles(t, "Roles", &crossaccount.TargetRolesProps{
		PipelineAccount:     pipeline.Account(),
		PipelineRegion:      pipelineRegion,
		DeployRoleName:      jsii.String(deployRole),
		HostRoleName:        jsii.String(hostRole),
		ApplicationName:     jsii.String(application),
		DeploymentGroupName: jsii.String(group),
		ParameterPath:       jsii.String(e.ParameterPath),
		AppLogGroup:         t.AppLogs,
	})
	// In the pipeline's account the diff role reads this stack itself.
	if pipeline.config.DiffRole != nil && e.crossAccount(pipeline.Account()) {
		name := appName + "-" + e.Name + "-diff"
		t.DiffReader = diffrole.NewStackReader(t, "DiffReader", &diffrole.StackReaderProps{
			RoleName:    jsii.String(name),
			DiffRoleArn: jsii.String(crossaccount.RoleArn(*pipeline.Account(), diffRoleName(appName))),
		})
		t.diffReaderArn = crossaccount.RoleArn(pipeline.accountOf(e), name)
		// A literal ARN, which the cdk-diff workflow reads from the
		// synthesized template.
		awscdk.NewCfnOutput(t, jsii.String("DiffReadRoleArn"), &awscdk.CfnOutputProps{
			Value:       jsii.String(t.diffReaderArn),
			Description: jsii.String("Role the cdk-diff workflow assumes to read this stack's template"),
		})
	}
	return t
}

// DeployRoleArn is the role the pipeline's account assumes to deploy (jsii
// also needs a pointer-receiver method to register the struct).
func (t *TargetStack) DeployRoleArn() *string { return t.Roles.DeployRole().RoleArn() }
