package serverdeploy_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
)

const loadBalancerArn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/web/fedcba9876543210"

// TestDeploymentGroupAlarms: a named alarm and the target group's default
// alarms stop and roll back deployments, and a message naming the alarm
// reaches the notification topic.
func TestDeploymentGroupAlarms(t *testing.T) {
	stack := newStack()
	tg := awselasticloadbalancingv2.ApplicationTargetGroup_FromTargetGroupAttributes(stack, jsii.String("Tg"),
		&awselasticloadbalancingv2.TargetGroupAttributes{
			TargetGroupArn:   jsii.String(targetGroupArn),
			LoadBalancerArns: jsii.String(loadBalancerArn),
		})
	topic := awssns.NewTopic(stack, jsii.String("Topic"), &awssns.TopicProps{MasterKey: awskms.NewKey(stack, jsii.String("TopicKey"), nil)})
	g := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags:      appTags(),
		LoadBalancer:      awscodedeploy.LoadBalancer_Application(tg),
		AlarmTargetGroup:  tg,
		Alarms:            &[]awscloudwatch.IAlarm{awscloudwatch.Alarm_FromAlarmName(stack, jsii.String("Latency"), jsii.String("web-p99-latency"))},
		NotificationTopic: topic,
	})
	tpl := assertions.Template_FromStack(stack, nil)

	if n := len(g.Alarms()); n != 3 {
		t.Fatalf("Alarms(): got %d, want the named one and two defaults", n)
	}
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), &map[string]any{
		"AlarmConfiguration": map[string]any{
			"Enabled": true,
			"Alarms": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Name": "web-p99-latency"},
				map[string]any{"Name": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DeployTarget5xxAlarm"))}},
				map[string]any{"Name": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DeployUnhealthyHostsAlarm"))}},
			}),
		},
		"AutoRollbackConfiguration": map[string]any{
			"Enabled": true,
			"Events":  []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"},
		},
	})
	// Metrics per load balancer and target group, as the ALB publishes them.
	dims := []any{
		map[string]any{"Name": "LoadBalancer", "Value": assertions.Match_AnyValue()},
		map[string]any{"Name": "TargetGroup", "Value": assertions.Match_AnyValue()},
	}
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), &map[string]any{
		"MetricName": "HTTPCode_Target_5XX_Count", "Namespace": "AWS/ApplicationELB", "Statistic": "Sum",
		"Period": 60, "Threshold": serverdeploy.Target5xxThreshold, "EvaluationPeriods": 1,
		"TreatMissingData": "notBreaching", "Dimensions": assertions.Match_ArrayWith(&dims),
	})
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), &map[string]any{
		"MetricName": "UnHealthyHostCount", "Statistic": "Maximum", "Threshold": 1,
		"EvaluationPeriods": serverdeploy.UnhealthyMinutes, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
	})

	// The rule matches the three alarms going into ALARM and names the alarm.
	rule := resources(tpl, "AWS::Events::Rule")
	if len(rule) != 1 {
		t.Fatalf("Events rules: got %d, want 1", len(rule))
	}
	for _, r := range rule {
		p := props(r)
		pattern := toJSON(p["EventPattern"])
		wantContains(t, pattern, `"detail-type":["CloudWatch Alarm State Change"]`, `"state":{"value":["ALARM"]}`,
			`:alarm:web-p99-latency`, `DeployTarget5xxAlarm`, `DeployUnhealthyHostsAlarm`)
		target := toJSON(p["Targets"])
		wantContains(t, target, `Alarm \u003cdetail-alarmName\u003e is in ALARM`, `$.detail.alarmName`, "rolls it back", `"RoleArn"`)
	}
	// The rule's role may publish and use the topic's key.
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), &map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Action": "sns:Publish"}),
			assertions.Match_ObjectLike(&map[string]any{"Action": []any{"kms:Decrypt", "kms:GenerateDataKey*"}}),
		})},
		"Roles": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DeployAlarmNotificationsEventsRole"))}},
	})
}

// TestDeploymentGroupNoAlarms: without alarms the group neither polls
// alarms nor rolls back on them, and no rule is created.
func TestDeploymentGroupNoAlarms(t *testing.T) {
	stack := newStack()
	serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags:      appTags(),
		NotificationTopic: awssns.NewTopic(stack, jsii.String("Topic"), nil),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(0))
	for _, r := range resources(tpl, "AWS::CodeDeploy::DeploymentGroup") {
		if got := toJSON(props(r)["AutoRollbackConfiguration"]); strings.Contains(got, "ALARM") {
			t.Errorf("AutoRollbackConfiguration: got %s, want no alarm event", got)
		}
	}
}
