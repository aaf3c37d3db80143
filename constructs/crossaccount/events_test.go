package crossaccount_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/crossaccount"
	"github.com/shipline/shipline/internal/cdktest"
)

// TestEventsPropsReported: every bad prop is named, with what it got and
// what is allowed.
func TestEventsPropsReported(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(awscdk.Stack)
		want  []string
	}{
		{"forwarder", func(s awscdk.Stack) {
			crossaccount.NewForwarder(s, "Events", &crossaccount.ForwarderProps{
				PipelineAccount: jsii.String("1111"), RoleName: jsii.String("bad name"), ApplicationName: jsii.String("web"),
			})
		}, []string{`[Target/Events] PipelineAccount: got "1111", want a 12-digit AWS account id`, `RoleName: got "bad name", want an IAM role name`, "DeploymentGroupName: got nil"}},
		{"receiver", func(s awscdk.Stack) {
			crossaccount.NewReceiver(s, "Events", &crossaccount.ReceiverProps{
				TargetAccount: jsii.String("2222"), ForwarderRoleName: jsii.String("web-production-events"),
				Environment: jsii.String("production"), AlarmNames: []string{""},
				ApplicationName: jsii.String("web"), DeploymentGroupName: jsii.String("web-production"),
			})
		}, []string{`TargetAccount: got "2222"`, "Topic: got nil", `AlarmNames[0]: got ""`}},
		{"nil props", func(s awscdk.Stack) { crossaccount.NewReceiver(s, "Events", nil) }, []string{"TargetAccount: got nil", "Topic: got nil"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := cdktest.MustPanic(t, func() { tc.build(targetStack()) })
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("panic lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

// TestReceiverWithoutAlarms: an environment without alarms gets the
// deployment messages only: no mirror, no log group.
func TestReceiverWithoutAlarms(t *testing.T) {
	stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Pipeline"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	r := crossaccount.NewReceiver(stack, "Events", &crossaccount.ReceiverProps{
		TargetAccount: jsii.String("222222222222"), ForwarderRoleName: jsii.String("web-production-events"),
		Environment: jsii.String("production"), ApplicationName: jsii.String("web"), DeploymentGroupName: jsii.String("web-production"),
		Topic: awssns.NewTopic(stack, jsii.String("Topic"), nil),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::Events::EventBusPolicy"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(0))
	if len(r.Alarms()) != 0 || r.LogGroup() != nil {
		t.Errorf("mirrors %d, log group %v: want none", len(r.Alarms()), r.LogGroup())
	}
}
