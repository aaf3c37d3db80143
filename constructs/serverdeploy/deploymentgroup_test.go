package serverdeploy_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/cdktest"
)

const targetGroupArn = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/web/0123456789abcdef"

func TestDeploymentGroupAutoScalingAndLoadBalancer(t *testing.T) {
	stack := newStack()
	asg := awsautoscaling.AutoScalingGroup_FromAutoScalingGroupName(stack, jsii.String("Asg"), jsii.String("web-asg"))
	tg := awselasticloadbalancingv2.ApplicationTargetGroup_FromTargetGroupAttributes(stack, jsii.String("Tg"),
		&awselasticloadbalancingv2.TargetGroupAttributes{TargetGroupArn: jsii.String(targetGroupArn)})
	g := serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		AutoScalingGroups:   &[]awsautoscaling.IAutoScalingGroup{asg},
		LoadBalancer:        awscodedeploy.LoadBalancer_Application(tg),
		MinimumHealthyHosts: awscodedeploy.MinimumHealthyHosts_Percentage(jsii.Number(75)),
		Agent:               &serverdeploy.AgentOptions{Mode: serverdeploy.AgentOnce},
	})
	tpl := assertions.Template_FromStack(stack, nil)

	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), &map[string]any{
		"AutoScalingGroups": []any{"web-asg"},
		"Ec2TagSet":         assertions.Match_Absent(),
		// In-place with traffic control: instances leave the target group
		// while they are deployed.
		"DeploymentStyle":      map[string]any{"DeploymentOption": "WITH_TRAFFIC_CONTROL"}, // type IN_PLACE by default
		"LoadBalancerInfo":     map[string]any{"TargetGroupInfoList": []any{map[string]any{"Name": "web"}}},
		"DeploymentConfigName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DeployDeploymentConfig"))},
	})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentConfig"), &map[string]any{
		"MinimumHealthyHosts": map[string]any{"Type": "FLEET_PERCENT", "Value": 75},
	})
	// The agent association follows the group's targets: the ASG's instances.
	tpl.ResourceCountIs(jsii.String("AWS::SSM::Association"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::SSM::Association"), &map[string]any{
		"Targets": []any{map[string]any{"Key": "tag:aws:autoscaling:groupName", "Values": []any{"web-asg"}}},
	})
	if g.AgentInstall() == nil || g.DeploymentConfig() == nil {
		t.Error("AgentInstall and DeploymentConfig getters: want the created constructs")
	}
	// The pipeline's deploy action gets a reference without the imported
	// ASG, which has no role to grant the artifact bucket to.
	target := g.PipelineTarget()
	if target == g.DeploymentGroup() || target.AutoScalingGroups() != nil && len(*target.AutoScalingGroups()) > 0 {
		t.Error("PipelineTarget: want a reference to the group without Auto Scaling groups")
	}
	if toJSON(stack.Resolve(target.DeploymentGroupName())) != toJSON(stack.Resolve(g.DeploymentGroup().DeploymentGroupName())) {
		t.Error("PipelineTarget: want the same deployment group name")
	}
}

func TestDeploymentGroupHostCount(t *testing.T) {
	stack := newStack()
	serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags:        appTags(),
		MinimumHealthyHosts: awscodedeploy.MinimumHealthyHosts_Count(jsii.Number(2)),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentConfig"), &map[string]any{
		"MinimumHealthyHosts": map[string]any{"Type": "HOST_COUNT", "Value": 2},
	})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), &map[string]any{
		"Ec2TagSet": map[string]any{"Ec2TagSetList": []any{map[string]any{"Ec2TagGroup": []any{
			map[string]any{"Key": "App", "Type": "KEY_AND_VALUE", "Value": "myapp"},
			map[string]any{"Key": "App", "Type": "KEY_AND_VALUE", "Value": "myapp-canary"},
		}}}},
		"AutoScalingGroups": assertions.Match_Absent(),
		"LoadBalancerInfo":  assertions.Match_Absent(),
	})
	tpl.ResourceCountIs(jsii.String("AWS::SSM::Association"), jsii.Number(0))
}

// TestDeploymentGroupTriggers: failure, stop and rollback events go to a
// KMS-encrypted topic; the service role may publish and use the key, and the
// group is created after that policy.
func TestDeploymentGroupTriggers(t *testing.T) {
	stack := newStack()
	key := awskms.NewKey(stack, jsii.String("TopicKey"), nil)
	topic := awssns.NewTopic(stack, jsii.String("Topic"), &awssns.TopicProps{MasterKey: key})
	serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags:      appTags(),
		NotificationTopic: topic,
	})
	tpl := assertions.Template_FromStack(stack, nil)

	topicRef := map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Topic"))}
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), &map[string]any{
		"TriggerConfigurations": []any{map[string]any{
			"TriggerName":      "deployment-events",
			"TriggerTargetArn": topicRef,
			"TriggerEvents":    []any{"DeploymentFailure", "DeploymentStop", "DeploymentRollback"},
		}},
	})
	roleRef := assertions.NewCapture(nil)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), &map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{
			map[string]any{"Action": "sns:Publish", "Effect": "Allow", "Resource": topicRef},
			map[string]any{"Action": []any{"kms:Decrypt", "kms:GenerateDataKey*"}, "Effect": "Allow",
				"Resource": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^TopicKey")), "Arn"}}},
		}},
		"Roles": []any{map[string]any{"Ref": roleRef}},
	})
	// The policy belongs to the CodeDeploy service role.
	tpl.HasResource(jsii.String("AWS::IAM::Role"), &map[string]any{
		"Properties": map[string]any{"AssumeRolePolicyDocument": map[string]any{"Statement": []any{
			map[string]any{"Principal": map[string]any{"Service": "codedeploy.amazonaws.com"}},
		}}},
	})
	if !strings.HasPrefix(*roleRef.AsString(), "DeployRole") {
		t.Errorf("publish policy attached to %s, want the deployment group's role", *roleRef.AsString())
	}
	// The key's policy delegates to IAM, so the role's policy is enough.
	tpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), &map[string]any{
		"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action": "kms:*", "Effect": "Allow",
			"Principal": map[string]any{"AWS": "arn:aws:iam::111111111111:root"},
		})})},
	})
	// The group waits for the publish policy.
	for _, r := range resources(tpl, "AWS::CodeDeploy::DeploymentGroup") {
		deps := toJSON(r["DependsOn"])
		if !strings.Contains(deps, "DeployRoleDefaultPolicy") {
			t.Errorf("DependsOn: got %s, want the service role's default policy", deps)
		}
	}
}

func TestDeploymentGroupValidation(t *testing.T) {
	stack := newStack()
	msg := cdktest.MustFailSynth(t, stack, func() {
		serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
			DeploymentConfig:    awscodedeploy.ServerDeploymentConfig_ALL_AT_ONCE(),
			MinimumHealthyHosts: awscodedeploy.MinimumHealthyHosts_Count(jsii.Number(1)),
			DeploymentGroupName: jsii.String(strings.Repeat("g", 101)),
		})
	})
	wantContains(t, msg, "[Test/Deploy] InstanceTags, AutoScalingGroups: got neither",
		"[Test/Deploy] DeploymentConfig, MinimumHealthyHosts: got both",
		"[Test/Deploy] DeploymentGroupName: got \"ggg")
}

// TestDeploymentGroupAgentErrorsNameTheGroup: a bad agent schedule given to
// the group is reported on the group, as the prop the user wrote
// (Agent.Schedule), not on an AgentInstall child the user never created.
func TestDeploymentGroupAgentErrorsNameTheGroup(t *testing.T) {
	stack := newStack()
	msg := cdktest.MustFailSynth(t, stack, func() {
		serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
			InstanceTags: appTags(),
			Agent:        &serverdeploy.AgentOptions{Mode: serverdeploy.AgentSchedule, Schedule: jsii.String("weekly")},
		})
	})
	wantContains(t, msg, `[Test/Deploy] Agent.Schedule: got "weekly", want rate(`)
	if strings.Contains(msg, "AgentInstall") {
		t.Errorf("the error names the internal AgentInstall child: %s", msg)
	}
}

func TestDeploymentGroupNames(t *testing.T) {
	stack := newStack()
	serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags:        appTags(),
		ApplicationName:     jsii.String("web"),
		DeploymentGroupName: jsii.String("web-prod"),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::Application"), map[string]any{"ApplicationName": "web"})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{"DeploymentGroupName": "web-prod"})
}

func TestNotificationEventsIsACopy(t *testing.T) {
	events := serverdeploy.NotificationEvents()
	events[0] = "changed"
	if serverdeploy.NotificationEvents()[0] == "changed" {
		t.Error("NotificationEvents returns shared storage")
	}
}
