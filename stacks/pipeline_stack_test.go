package stacks_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/stacks"
)

// TestNilProps: every setting takes its default; the stack synthesizes.
func TestNilProps(t *testing.T) {
	stack := stacks.NewPipelineStack(cdktest.NewApp(nil), "X", nil)
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::CodePipeline::Pipeline"), jsii.Number(1))
	if got := stack.Config().AppName; got != config.Default().AppName {
		t.Errorf("AppName = %q, want the default", got)
	}
}

// TestGoConfigReportsEveryMistake: a Config built in Go with several
// mistakes panics with all of them, not the first.
func TestGoConfigReportsEveryMistake(t *testing.T) {
	cfg := config.Default()
	cfg.AppName = "Bad_Name"
	cfg.BuildTimeout = 0
	cfg.AppPort = 70000
	msg := cdktest.MustPanic(t, func() {
		stacks.NewPipelineStack(cdktest.NewApp(nil), "X", &stacks.PipelineStackProps{Config: &cfg})
	})
	for _, want := range []string{`appName: got "Bad_Name"`, "buildTimeoutMinutes: got 0, want 5-2160", "appPort: got 70000, want a TCP port, 1-65535"} {
		if !strings.Contains(msg, want) {
			t.Errorf("panic lacks %q:\n%s", want, msg)
		}
	}
}

// TestWarningsHaveTheirOwnIDs: acknowledging one warning hides that one
// only, and the diff role reads the stack it is defined in.
func TestWarningsHaveTheirOwnIDsAndDiffRoleFollowsStackName(t *testing.T) {
	cfg, err := config.FromContext(map[string]any{"diffRoleRepo": "acme/infra"})
	if err != nil {
		t.Fatal(err)
	}
	app := cdktest.NewApp(nil)
	stack := stacks.NewPipelineStack(app, "X", &stacks.PipelineStackProps{
		StackProps: awscdk.StackProps{StackName: jsii.String("shipline-prod")},
		Config:     &cfg,
	})
	awscdk.Annotations_Of(stack).AcknowledgeWarning(jsii.String("shipline:config:githubOwner:placeholder"), nil)
	ann := assertions.Annotations_FromStack(stack)
	raw, _ := json.Marshal(ann.FindWarning(jsii.String("*"), assertions.Match_AnyValue()))
	msgs := string(raw)
	if strings.Contains(msgs, "githubOwner") {
		t.Errorf("acknowledged githubOwner warning still shown: %s", msgs)
	}
	for _, still := range []string{"githubRepo", "approverEmails"} {
		if !strings.Contains(msgs, still) {
			t.Errorf("the %s warning went with the acknowledged one: %s", still, msgs)
		}
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	raw, _ = json.Marshal(cdktest.Resources(cdktest.JSON(tmpl), "AWS::IAM::Policy"))
	policies := string(raw)
	if !strings.Contains(policies, "stack/shipline-prod/*") || strings.Contains(policies, "stack/PipelineStack/") {
		t.Errorf("the diff role does not read stack shipline-prod:\n%.2000s", policies)
	}
}
