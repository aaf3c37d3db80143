package crossaccount

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// Where mirrored alarm states are published: a metric per alarm, with
// dimensions Account and AlarmName, 1 while the alarm is in ALARM and 0
// after any other state change.
const (
	MirrorNamespace = "shipline/ForwardedAlarms"
	MirrorMetric    = "InAlarm"
)

// ReceiverProps configures a Receiver. Every field is required except
// TargetRegion, AlarmNames, LogRetention and RemovalPolicy.
type ReceiverProps struct {
	// TargetAccount is the environment's account, where its Forwarder runs.
	TargetAccount *string
	// TargetRegion is the environment's Region, where its alarms and
	// deployment group are.
	// Default: this stack's Region.
	TargetRegion *string
	// ForwarderRoleName is the Forwarder's RoleName: the default event bus
	// admits events put by this role of TargetAccount only.
	ForwarderRoleName *string
	// Environment names the environment in the messages.
	Environment *string
	// AlarmNames are the names of the deployment group's alarms in
	// TargetAccount and TargetRegion: each gets a message when it goes into
	// ALARM and a mirror alarm here.
	// Default: none.
	AlarmNames []string
	// ApplicationName and DeploymentGroupName: the deployment group in
	// TargetAccount, whose failed and stopped deployments get a message.
	ApplicationName     *string
	DeploymentGroupName *string
	// Topic receives the messages.
	Topic awssns.ITopic
	// LogRetention of the log group the forwarded alarm events are written
	// to (the mirrors' metrics are extracted from it).
	// Default: awslogs.RetentionDays_ONE_MONTH.
	LogRetention awslogs.RetentionDays
	// RemovalPolicy of that log group.
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// Receiver takes, in the pipeline's account, the events a Forwarder sends
// from an environment's account: it admits them on the default event bus
// (from the Forwarder's role alone), tells the topic which alarm went into
// ALARM and which deployment failed or stopped, and keeps a mirror alarm of
// each forwarded alarm, which a CodePipeline CloudWatchAlarm rule can read
// (the rule reads alarms of the pipeline's account only).
//
// A mirror follows the state changes after its creation: the forwarded
// events go to a log group, two metric filters turn each into a data point
// (1 for ALARM, 0 otherwise), and the mirror, which ignores missing data,
// keeps the state of its last data point. Two changes within one minute
// count as ALARM until the next change: a mirror errs on the side of holding
// the pipeline.
type Receiver struct {
	constructs.Construct
	policy  awscdk.CfnResource
	logs    awslogs.LogGroup
	mirrors []awscloudwatch.IAlarm
	rules   []awsevents.Rule
}

// NewReceiver creates the bus policy statement, the notification rules and
// the mirrors.
func NewReceiver(scope constructs.Construct, id string, props *ReceiverProps) *Receiver {
	var p ReceiverProps
	if props != nil {
		p = *props
	}
	if p.LogRetention == "" {
		p.LogRetention = awslogs.RetentionDays_ONE_MONTH
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	r := &Receiver{}
	constructs.NewConstruct_Override(r, scope, &id)
	propcheck.Report(r, p.validate())
	stack := awscdk.Stack_Of(r)
	r.admit(stack, p)

	alarmArns := make([]*string, len(p.AlarmNames))
	for i, name := range p.AlarmNames {
		alarmArns[i] = stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("cloudwatch"), Account: p.TargetAccount, Region: p.TargetRegion,
			Resource: jsii.String("alarm"), ResourceName: jsii.String(name), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
	}
	field := func(path string) string { return *awsevents.EventField_FromPath(jsii.String(path)) }
	where := *p.Environment + " (" + p.place() + ")"
	if len(p.AlarmNames) > 0 {
		r.notify("AlarmNotifications", "Tells which alarm of "+where+" went into ALARM", p.Topic, &awsevents.EventPattern{
			Account:    jsii.Strings(*p.TargetAccount),
			Region:     p.regions(),
			Source:     jsii.Strings(AlarmSource),
			DetailType: jsii.Strings(AlarmDetailType),
			Resources:  &alarmArns,
			Detail:     &map[string]any{"state": map[string]any{"value": []string{"ALARM"}}},
		}, "Alarm "+field("$.detail.alarmName")+" of "+where+" is in ALARM. CodeDeploy stops any deployment of group "+
			*p.DeploymentGroupName+" and rolls it back to the last good revision; the next environment waits while the alarm lasts.")
	}
	r.notify("DeploymentNotifications", "Tells which deployment of "+where+" failed or stopped", p.Topic, &awsevents.EventPattern{
		Account:    jsii.Strings(*p.TargetAccount),
		Region:     p.regions(),
		Source:     jsii.Strings(DeploymentSource),
		DetailType: jsii.Strings(DeploymentDetailType),
		Detail:     deploymentDetail(p.ApplicationName, p.DeploymentGroupName),
	}, "Deployment "+field("$.detail.deploymentId")+" of group "+*p.DeploymentGroupName+" in "+where+" ended in "+
		field("$.detail.state")+". CodeDeploy rolls the hosts back to the last good revision.")
	if len(p.AlarmNames) > 0 {
		r.mirror(stack, p, alarmArns)
	}
	return r
}

// admit adds a statement to the default event bus's policy: the Forwarder's
// role, and no other principal of the target account, may put events
// (EventBridge user guide, "Permissions for event buses"). The account
// principal with an aws:PrincipalArn condition, rather than the role as
// principal, lets this stack deploy before the role exists.
func (r *Receiver) admit(stack awscdk.Stack, p ReceiverProps) {
	bus := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("events"), Resource: jsii.String("event-bus"), ResourceName: jsii.String("default"),
	})
	// The generic resource: CfnEventBusPolicy's props print a deprecation
	// warning for its Principal field, even unset.
	r.policy = awscdk.NewCfnResource(r, jsii.String("BusPolicy"), &awscdk.CfnResourceProps{
		Type: jsii.String("AWS::Events::EventBusPolicy"),
		Properties: &map[string]any{
			"StatementId": awscdk.Names_UniqueResourceName(r, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(64), Separator: jsii.String("-")}),
			"Statement": map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": "arn:" + *stack.Partition() + ":iam::" + *p.TargetAccount + ":root"},
				"Action":    "events:PutEvents",
				"Resource":  bus,
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalArn": RoleArn(*p.TargetAccount, *p.ForwarderRoleName)}},
			},
		},
	})
}

// notify publishes text to topic for the events of pattern, with a role
// of the rule's own (EventBridge cannot use a KMS key whose policy does not
// name it; GrantPublish lets the role use the topic's key).
func (r *Receiver) notify(id, description string, topic awssns.ITopic, pattern *awsevents.EventPattern, text string) {
	rule := awsevents.NewRule(r, jsii.String(id), &awsevents.RuleProps{Description: jsii.String(description), EventPattern: pattern})
	rule.AddTarget(awseventstargets.NewSnsTopic(topic, &awseventstargets.SnsTopicProps{
		Message:            awsevents.RuleTargetInput_FromText(jsii.String(text)),
		AuthorizeUsingRole: jsii.Bool(true),
	}))
	r.rules = append(r.rules, rule)
}

// mirror writes the alarms' state changes to a log group and makes a mirror
// alarm of each.
func (r *Receiver) mirror(stack awscdk.Stack, p ReceiverProps, alarmArns []*string) {
	r.logs = awslogs.NewLogGroup(r, jsii.String("AlarmStateLog"), &awslogs.LogGroupProps{
		Retention:     p.LogRetention,
		RemovalPolicy: p.RemovalPolicy,
	})
	rule := awsevents.NewRule(r, jsii.String("AlarmStates"), &awsevents.RuleProps{
		Description: jsii.String("State changes of the alarms of " + *p.Environment + ", for their mirrors"),
		EventPattern: &awsevents.EventPattern{
			Account:    jsii.Strings(*p.TargetAccount),
			Region:     p.regions(),
			Source:     jsii.Strings(AlarmSource),
			DetailType: jsii.Strings(AlarmDetailType),
			Resources:  &alarmArns,
		},
	})
	// CloudWatch Logs admits EventBridge by the log group's resource policy,
	// not by a role (EventBridge user guide, "CloudWatch Logs
	// permissions"), here for this rule only. aws-events-targets'
	// CloudWatchLogGroup would write that policy with a Lambda-backed
	// custom resource.
	r.logs.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources:  &[]*string{r.logs.LogGroupArn()},
		Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": rule.RuleArn()}},
	}))
	rule.AddTarget(&logGroupTarget{arn: stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: r.logs.LogGroupName(),
		ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})})
	r.rules = append(r.rules, rule)

	dimensions := map[string]*string{"Account": jsii.String("$.account"), "AlarmName": jsii.String("$.detail.alarmName")}
	// In another Region, the Region too: alarms of one name in two Regions
	// of an account stay apart.
	if p.TargetRegion != nil {
		dimensions["Region"] = jsii.String("$.region")
	}
	for _, f := range []struct{ id, pattern, value string }{
		{"InAlarm", `{ $.detail.state.value = "ALARM" }`, "1"},
		{"NotInAlarm", `{ $.detail.state.value != "ALARM" }`, "0"},
	} {
		awslogs.NewMetricFilter(r, jsii.String(f.id), &awslogs.MetricFilterProps{
			LogGroup:        r.logs,
			FilterPattern:   awslogs.FilterPattern_Literal(jsii.String(f.pattern)),
			MetricNamespace: jsii.String(MirrorNamespace),
			MetricName:      jsii.String(MirrorMetric),
			MetricValue:     jsii.String(f.value),
			Dimensions:      &dimensions,
		})
	}
	for i, name := range p.AlarmNames {
		metric := map[string]*string{"Account": p.TargetAccount, "AlarmName": jsii.String(name)}
		if p.TargetRegion != nil {
			metric["Region"] = p.TargetRegion
		}
		r.mirrors = append(r.mirrors, awscloudwatch.NewAlarm(r, jsii.String(fmt.Sprintf("Mirror%d", i+1)), &awscloudwatch.AlarmProps{
			AlarmDescription: jsii.String("Mirrors alarm " + name + " of " + *p.Environment + " (" + p.place() + "), from its forwarded state changes"),
			Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
				Namespace:     jsii.String(MirrorNamespace),
				MetricName:    jsii.String(MirrorMetric),
				DimensionsMap: &metric,
				Statistic:     jsii.String("Maximum"),
				Period:        awscdk.Duration_Minutes(jsii.Number(1)),
			}),
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			// No data between changes: keep the state of the last one.
			TreatMissingData: awscloudwatch.TreatMissingData_IGNORE,
		}))
	}
}

// logGroupTarget sends a rule's events, whole, to a log group whose
// resource policy admits the rule.
type logGroupTarget struct{ arn *string }

func (t *logGroupTarget) Bind(_ interfacesawsevents.IRuleRef, _ *string) *awsevents.RuleTargetConfig {
	return &awsevents.RuleTargetConfig{Arn: t.arn}
}

// place is where the environment is, as the messages name it: "account
// 222222222222", with ", region us-east-1" in another Region.
func (p ReceiverProps) place() string {
	if p.TargetRegion == nil {
		return "account " + *p.TargetAccount
	}
	return "account " + *p.TargetAccount + ", region " + *p.TargetRegion
}

// regions is the event pattern's Region: TargetRegion's events only, or
// nil (any: the bus receives those of its own Region and the forwarded).
func (p ReceiverProps) regions() *[]*string {
	if p.TargetRegion == nil {
		return nil
	}
	return jsii.Strings(*p.TargetRegion)
}

func (p ReceiverProps) validate() error {
	var c checks
	c.account("TargetAccount", p.TargetAccount)
	c.optionalRegion("TargetRegion", p.TargetRegion)
	c.roleName("ForwarderRoleName", p.ForwarderRoleName)
	c.known("Environment", p.Environment)
	c.known("ApplicationName", p.ApplicationName)
	c.known("DeploymentGroupName", p.DeploymentGroupName)
	if p.Topic == nil {
		c.errs = append(c.errs, propcheck.Missing("Topic", "the topic that receives the messages"))
	}
	for i, name := range p.AlarmNames {
		if name == "" || len(name) > 255 {
			c.add("AlarmNames[%d]: got %q, want a CloudWatch alarm name of 1-255 characters", i, name)
		}
	}
	return errors.Join(c.errs...)
}

// Alarms are the mirror alarms, in the order of AlarmNames.
func (r *Receiver) Alarms() []awscloudwatch.IAlarm {
	return append([]awscloudwatch.IAlarm(nil), r.mirrors...)
}

// Rules are the rules on the default event bus: the notifications', then
// the mirrors' (when there are alarms).
func (r *Receiver) Rules() []awsevents.Rule { return append([]awsevents.Rule(nil), r.rules...) }

// LogGroup receives the forwarded alarm events; nil without alarms.
func (r *Receiver) LogGroup() awslogs.LogGroup { return r.logs }
