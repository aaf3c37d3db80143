package crossaccount

import (
	"errors"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// Event kinds a Forwarder sends and a Receiver reads (EventBridge user
// guide, "Events from AWS services"; CodeDeploy user guide, "Monitoring
// deployments with Amazon EventBridge").
const (
	AlarmSource          = "aws.cloudwatch"
	AlarmDetailType      = "CloudWatch Alarm State Change"
	DeploymentSource     = "aws.codedeploy"
	DeploymentDetailType = "CodeDeploy Deployment State-change Notification"
)

// DeploymentStates are the deployment states forwarded: a deployment that
// failed or was stopped (by an alarm, or by hand) and rolls back.
func DeploymentStates() []string { return []string{"FAILURE", "STOP"} }

// deploymentDetail matches the forwarded deployments of one group: the
// Forwarder sends what this matches and the Receiver's rule takes the same.
func deploymentDetail(application, group *string) *map[string]any {
	return &map[string]any{
		"application":     []string{*application},
		"deploymentGroup": []string{*group},
		"state":           DeploymentStates(),
	}
}

// ForwarderProps configures a Forwarder. Every field is required except
// Alarms and PipelineRegion.
type ForwarderProps struct {
	// PipelineAccount receives the events on its default event bus.
	PipelineAccount *string
	// PipelineRegion is the Region of that bus.
	// Default: this stack's Region.
	PipelineRegion *string
	// RoleName is the physical name of the role EventBridge sends the events
	// with: the pipeline account's bus policy admits this role alone
	// (Receiver's ForwarderRoleName).
	RoleName *string
	// Alarms whose every state change is forwarded: the deployment group's.
	// Default: none; only deployment events are forwarded.
	Alarms []awscloudwatch.IAlarm
	// ApplicationName and DeploymentGroupName: the deployment group whose
	// failed and stopped deployments are forwarded.
	ApplicationName     *string
	DeploymentGroupName *string
}

// Forwarder sends, from an environment's account, its alarms' state changes
// and its failed or stopped deployments to the pipeline account's default
// event bus, where a Receiver tells the approval topic and mirrors the
// alarms' states for the pipeline.
//
// Events cross the accounts on EventBridge rather than as SNS messages to
// the pipeline's topic: the topic and its KMS key then admit no principal of
// another account, CodeDeploy's own notifications can only publish to a
// topic of their account, and the pipeline account needs the alarm states
// anyway (a CodePipeline CloudWatchAlarm rule reads alarms of its own
// account only).
type Forwarder struct {
	constructs.Construct
	role  awsiam.Role
	rules []awsevents.Rule
}

// NewForwarder creates the sending role and the two rules.
func NewForwarder(scope constructs.Construct, id string, props *ForwarderProps) *Forwarder {
	var p ForwarderProps
	if props != nil {
		p = *props
	}
	f := &Forwarder{}
	constructs.NewConstruct_Override(f, scope, &id)
	propcheck.Report(f, p.validate())
	stack := awscdk.Stack_Of(f)
	bus := awsevents.EventBus_FromEventBusArn(f, jsii.String("PipelineBus"), stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("events"), Account: p.PipelineAccount, Region: p.PipelineRegion,
		Resource: jsii.String("event-bus"), ResourceName: jsii.String("default"),
	}))
	// EventBridge sends to another account's bus as this role (EventBridge
	// user guide, "Sending and receiving events between AWS accounts"); it
	// may put events on that one bus, for rules of this account only.
	f.role = awsiam.NewRole(f, jsii.String("Role"), &awsiam.RoleProps{
		RoleName:    p.RoleName,
		Description: jsii.String("EventBridge: alarm and deployment events to the pipeline account " + *p.PipelineAccount),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
		}),
	})
	f.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("events:PutEvents"),
		Resources: &[]*string{bus.EventBusArn()},
	}))
	target := awseventstargets.NewEventBus(bus, &awseventstargets.EventBusProps{Role: f.role})
	if len(p.Alarms) > 0 {
		arns := make([]*string, len(p.Alarms))
		for i, a := range p.Alarms {
			arns[i] = a.AlarmArn()
		}
		f.addRule("AlarmStates", "State changes of the deployment group's alarms, to the pipeline account", target, &awsevents.EventPattern{
			Source:     jsii.Strings(AlarmSource),
			DetailType: jsii.Strings(AlarmDetailType),
			Resources:  &arns,
		})
	}
	f.addRule("DeploymentStates", "Failed and stopped deployments of the group, to the pipeline account", target, &awsevents.EventPattern{
		Source:     jsii.Strings(DeploymentSource),
		DetailType: jsii.Strings(DeploymentDetailType),
		Detail:     deploymentDetail(p.ApplicationName, p.DeploymentGroupName),
	})
	return f
}

func (f *Forwarder) addRule(id, description string, target awsevents.IRuleTarget, pattern *awsevents.EventPattern) {
	rule := awsevents.NewRule(f, jsii.String(id), &awsevents.RuleProps{
		Description:  jsii.String(description),
		EventPattern: pattern,
	})
	rule.AddTarget(target)
	f.rules = append(f.rules, rule)
}

func (p ForwarderProps) validate() error {
	var c checks
	c.account("PipelineAccount", p.PipelineAccount)
	c.optionalRegion("PipelineRegion", p.PipelineRegion)
	c.roleName("RoleName", p.RoleName)
	c.known("ApplicationName", p.ApplicationName)
	c.known("DeploymentGroupName", p.DeploymentGroupName)
	for i, a := range p.Alarms {
		if a == nil {
			c.add("Alarms[%d]: got nil, want an alarm", i)
		}
	}
	return errors.Join(c.errs...)
}

// Role is the role EventBridge sends the events with.
func (f *Forwarder) Role() awsiam.Role { return f.role }

// Rules are the forwarding rules: the alarms' (when there are alarms), then
// the deployments'.
func (f *Forwarder) Rules() []awsevents.Rule { return append([]awsevents.Rule(nil), f.rules...) }
