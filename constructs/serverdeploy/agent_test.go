package serverdeploy_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/cdktest"
)

func appTags() awscodedeploy.InstanceTagSet {
	return awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("myapp", "myapp-canary")})
}

var installParams = map[string]any{"action": []any{"Install"}, "name": []any{"AWSCodeDeployAgent"}}

func TestAgentModes(t *testing.T) {
	for _, tc := range []struct {
		mode     serverdeploy.AgentMode
		schedule *string
		want     map[string]any // extra properties; nil values must be absent
	}{
		{serverdeploy.AgentOnce, nil, map[string]any{"ScheduleExpression": nil, "ApplyOnlyAtCronInterval": nil}},
		{serverdeploy.AgentNow, nil, map[string]any{"ScheduleExpression": nil, "ApplyOnlyAtCronInterval": nil}},
		{serverdeploy.AgentSchedule, jsii.String("rate(14 days)"), map[string]any{"ScheduleExpression": "rate(14 days)", "ApplyOnlyAtCronInterval": nil}},
		{serverdeploy.AgentSchedule, jsii.String("cron(0 3 ? * SUN *)"), map[string]any{"ScheduleExpression": "cron(0 3 ? * SUN *)", "ApplyOnlyAtCronInterval": false}},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			stack := newStack()
			a := serverdeploy.NewAgentInstall(stack, "Agent", &serverdeploy.AgentInstallProps{
				Mode: tc.mode, Schedule: tc.schedule, InstanceTags: appTags(),
			})
			tpl := assertions.Template_FromStack(stack, nil)
			tpl.ResourceCountIs(jsii.String("AWS::SSM::Association"), jsii.Number(1))
			want := map[string]any{
				"Name":       "AWS-ConfigureAWSPackage",
				"Parameters": installParams,
				"Targets":    []any{map[string]any{"Key": "tag:App", "Values": []any{"myapp", "myapp-canary"}}},
			}
			for k, v := range tc.want {
				if v == nil {
					want[k] = assertions.Match_Absent()
				} else {
					want[k] = v
				}
			}
			tpl.HasResourceProperties(jsii.String("AWS::SSM::Association"), &want)
			if len(a.Associations()) != 1 {
				t.Errorf("Associations: want 1, got %d", len(a.Associations()))
			}
		})
	}
}

func TestAgentNever(t *testing.T) {
	stack := newStack()
	awssns.NewTopic(stack, jsii.String("Other"), nil) // an empty template is invalid
	a := serverdeploy.NewAgentInstall(stack, "Agent", &serverdeploy.AgentInstallProps{Mode: serverdeploy.AgentNever, InstanceTags: appTags()})
	assertions.Template_FromStack(stack, nil).ResourceCountIs(jsii.String("AWS::SSM::Association"), jsii.Number(0))
	if len(a.Associations()) != 0 {
		t.Errorf("Associations: want none, got %d", len(a.Associations()))
	}
}

func TestAgentTargets(t *testing.T) {
	stack := newStack()
	serverdeploy.NewAgentInstall(stack, "Agent", &serverdeploy.AgentInstallProps{
		InstanceTags: awscodedeploy.NewInstanceTagSet(
			&map[string]*[]*string{"App": jsii.Strings("myapp")},
			&map[string]*[]*string{"Env": jsii.Strings("prod")},
		),
		AutoScalingGroupNames: jsii.Strings("web-asg"),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::SSM::Association"), jsii.Number(2))
	// Two tag groups: both must match, so one association with two targets.
	tpl.HasResourceProperties(jsii.String("AWS::SSM::Association"), &map[string]any{
		"Targets": []any{
			map[string]any{"Key": "tag:App", "Values": []any{"myapp"}},
			map[string]any{"Key": "tag:Env", "Values": []any{"prod"}},
		},
	})
	tpl.HasResourceProperties(jsii.String("AWS::SSM::Association"), &map[string]any{
		"Name":       "AWS-ConfigureAWSPackage",
		"Parameters": installParams,
		"Targets":    []any{map[string]any{"Key": "tag:aws:autoscaling:groupName", "Values": []any{"web-asg"}}},
	})

	// One group with two keys matches either key: one association per key;
	// a key-only filter becomes a tag-key target.
	stack = newStack()
	serverdeploy.NewAgentInstall(stack, "Agent", &serverdeploy.AgentInstallProps{
		InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("myapp"), "Deploy": {}}),
	})
	tpl = assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::SSM::Association"), jsii.Number(2))
	tpl.HasResourceProperties(jsii.String("AWS::SSM::Association"), &map[string]any{
		"Targets": []any{map[string]any{"Key": "tag:App", "Values": []any{"myapp"}}},
	})
	tpl.HasResourceProperties(jsii.String("AWS::SSM::Association"), &map[string]any{
		"Targets": []any{map[string]any{"Key": "tag-key", "Values": []any{"Deploy"}}},
	})
}

func TestAgentValidation(t *testing.T) {
	for name, tc := range map[string]struct {
		props *serverdeploy.AgentInstallProps
		want  string
	}{
		"no schedule":    {&serverdeploy.AgentInstallProps{Mode: serverdeploy.AgentSchedule, InstanceTags: appTags()}, "Schedule: got nil"},
		"bad schedule":   {&serverdeploy.AgentInstallProps{Mode: serverdeploy.AgentSchedule, Schedule: jsii.String("weekly"), InstanceTags: appTags()}, `Schedule: got "weekly"`},
		"rate too often": {&serverdeploy.AgentInstallProps{Mode: serverdeploy.AgentSchedule, Schedule: jsii.String("rate(5 minutes)"), InstanceTags: appTags()}, "at least 30 minutes"},
		"plural of one":  {&serverdeploy.AgentInstallProps{Mode: serverdeploy.AgentSchedule, Schedule: jsii.String("rate(1 days)"), InstanceTags: appTags()}, "singular unit for 1"},
		"stray schedule": {&serverdeploy.AgentInstallProps{Mode: serverdeploy.AgentOnce, Schedule: jsii.String("rate(1 day)"), InstanceTags: appTags()}, "want a schedule only with"},
		"bad mode":       {&serverdeploy.AgentInstallProps{Mode: "always", InstanceTags: appTags()}, `Mode: got "always"`},
		"no targets":     {&serverdeploy.AgentInstallProps{}, "got neither"},
		"value only":     {&serverdeploy.AgentInstallProps{InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"": jsii.Strings("x")})}, "value-only"},
		"or in and": {&serverdeploy.AgentInstallProps{InstanceTags: awscodedeploy.NewInstanceTagSet(
			&map[string]*[]*string{"A": jsii.Strings("1"), "B": jsii.Strings("2")},
			&map[string]*[]*string{"C": jsii.Strings("3")},
		)}, "group 1 has 2 tag keys"},
	} {
		t.Run(name, func(t *testing.T) {
			stack := newStack()
			msg := cdktest.MustFailSynth(t, stack, func() { serverdeploy.NewAgentInstall(stack, "Agent", tc.props) })
			wantContains(t, msg, "[Test/Agent] ", tc.want)
		})
	}
}
