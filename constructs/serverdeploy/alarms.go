package serverdeploy

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// Thresholds of the default alarms on a target group. Both read one-minute
// data points, so that a bad release is caught while it is being deployed
// (an in-place deployment of a few hosts takes minutes), and treat missing
// data as fine: an app with no traffic has no 5xx data points.
const (
	// Target5xxThreshold is the number of 5xx responses from the targets in
	// one minute that sets off the 5xx alarm.
	Target5xxThreshold = 5
	// UnhealthyMinutes is how many consecutive minutes with an unhealthy
	// target set off the unhealthy-hosts alarm. A host being deployed is
	// deregistered first, so it does not count.
	UnhealthyMinutes = 2
)

// targetGroupAlarms creates the default alarms on an ALB target group:
// target 5xx responses and unhealthy targets. The target group needs its
// load balancer, as metrics are published per load balancer and target
// group: an imported one must be given LoadBalancerArns.
func (g *DeploymentGroup) targetGroupAlarms(tg awselasticloadbalancingv2.IApplicationTargetGroup, prefix *string) []awscloudwatch.IAlarm {
	var names [2]*string
	if prefix != nil {
		for i, n := range DefaultAlarmNames(*prefix) {
			names[i] = jsii.String(n)
		}
	}
	m := tg.Metrics()
	errors := awscloudwatch.NewAlarm(g, jsii.String("Target5xxAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:        names[0],
		AlarmDescription: jsii.String("Targets answered with 5xx responses: a deployment in progress stops and rolls back"),
		Metric: m.HttpCodeTarget(awselasticloadbalancingv2.HttpCodeTarget_TARGET_5XX_COUNT, &awscloudwatch.MetricOptions{
			Period:    awscdk.Duration_Minutes(jsii.Number(1)),
			Statistic: jsii.String("Sum"),
		}),
		Threshold:          jsii.Number(Target5xxThreshold),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	unhealthy := awscloudwatch.NewAlarm(g, jsii.String("UnhealthyHostsAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:        names[1],
		AlarmDescription: jsii.String("A target failed its load balancer health check: a deployment in progress stops and rolls back"),
		Metric: m.UnhealthyHostCount(&awscloudwatch.MetricOptions{
			Period:    awscdk.Duration_Minutes(jsii.Number(1)),
			Statistic: jsii.String("Maximum"),
		}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(UnhealthyMinutes),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	return []awscloudwatch.IAlarm{errors, unhealthy}
}

// DefaultAlarmNames are the names of the target group's default alarms
// (5xx responses, unhealthy hosts) with DeploymentGroupProps.AlarmNamePrefix.
func DefaultAlarmNames(prefix string) []string {
	return []string{prefix + "-target-5xx", prefix + "-unhealthy-hosts"}
}

// notifyAlarms sends a message naming the alarm to topic whenever one of the
// group's alarms goes into ALARM. CodeDeploy's own notifications say that a
// deployment stopped, not which alarm stopped it; this EventBridge rule
// does. It publishes with a role of its own (events.amazonaws.com cannot use
// a KMS key the topic policy does not name), which GrantPublish also lets
// use the topic's key.
func (g *DeploymentGroup) notifyAlarms(topic awssns.ITopic) {
	arns := make([]*string, len(g.alarms))
	for i, a := range g.alarms {
		arns[i] = a.AlarmArn()
	}
	rule := awsevents.NewRule(g, jsii.String("AlarmNotifications"), &awsevents.RuleProps{
		Description: jsii.String("Tells which alarm stopped a deployment of the group"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.cloudwatch"),
			DetailType: jsii.Strings("CloudWatch Alarm State Change"),
			Resources:  &arns,
			Detail:     &map[string]any{"state": map[string]any{"value": []string{"ALARM"}}},
		},
	})
	field := func(path string) string { return *awsevents.EventField_FromPath(jsii.String(path)) }
	message := awsevents.RuleTargetInput_FromText(jsii.String("Alarm " + field("$.detail.alarmName") +
		" is in ALARM. CodeDeploy stops any deployment of group " +
		*g.group.DeploymentGroupName() + " and rolls it back to the last good revision."))
	rule.AddTarget(awseventstargets.NewSnsTopic(topic, &awseventstargets.SnsTopicProps{
		Message:            message,
		AuthorizeUsingRole: jsii.Bool(true),
	}))
}

// Alarms are the alarms that stop and roll back a deployment of the group:
// the ones passed in and the target group's defaults.
func (g *DeploymentGroup) Alarms() []awscloudwatch.IAlarm {
	return append([]awscloudwatch.IAlarm(nil), g.alarms...)
}
