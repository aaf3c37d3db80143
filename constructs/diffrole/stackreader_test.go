package diffrole_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/diffrole"
	"github.com/shipline/shipline/internal/cdktest"
)

func targetStack() awscdk.Stack {
	return awscdk.NewStack(newApp(), jsii.String("Web-production"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")},
	})
}

// TestStackReader: a named role that the pipeline account's diff role only
// may assume, reading its own stack.
func TestStackReader(t *testing.T) {
	stack := targetStack()
	diffrole.NewStackReader(stack, "DiffReader", &diffrole.StackReaderProps{
		RoleName:    jsii.String("web-production-diff"),
		DiffRoleArn: jsii.String("arn:aws:iam::111111111111:role/web-diff"),
	})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), &map[string]any{
		"RoleName":           "web-production-diff",
		"MaxSessionDuration": 3600,
		"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action":    "sts:AssumeRole",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": assertions.Match_AnyValue()},
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::111111111111:role/web-diff"}},
		}}},
	})
	got := policyJSON(t, tpl)
	for _, want := range []string{"cloudformation:DescribeStacks", "cloudformation:GetTemplate", ":cloudformation:eu-west-1:222222222222:stack/Web-production/*"} {
		if !strings.Contains(got, want) {
			t.Errorf("policy: want %s in %s", want, got)
		}
	}
}

// TestDiffRoleRegionalStacks: the diff role reads its account's stacks of
// other Regions directly, each by its ARN in that Region.
func TestDiffRoleRegionalStacks(t *testing.T) {
	stack := targetStack()
	p := props()
	p.RegionalStacks = map[string][]string{"us-east-1": {"Web-dr", "Web-Artifacts-us-east-1"}}
	diffrole.NewDiffRole(stack, "DiffRole", p)
	got := policyJSON(t, assertions.Template_FromStack(stack, nil))
	for _, want := range []string{
		":cloudformation:eu-west-1:222222222222:stack/Web-production/*",
		":cloudformation:us-east-1:222222222222:stack/Web-dr/*",
		":cloudformation:us-east-1:222222222222:stack/Web-Artifacts-us-east-1/*",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("policy: want %s in %s", want, got)
		}
	}
}

// TestDiffRoleReadRoles: a named diff role that may assume the readers.
func TestDiffRoleReadRoles(t *testing.T) {
	stack := newStack()
	p := props()
	p.RoleName = jsii.String("web-diff")
	p.ReadRoleArns = jsii.Strings("arn:aws:iam::222222222222:role/web-production-diff")
	diffrole.NewDiffRole(stack, "DiffRole", p)
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), &map[string]any{"RoleName": "web-diff"})
	got := policyJSON(t, tpl)
	if !strings.Contains(got, "sts:AssumeRole") || !strings.Contains(got, "arn:aws:iam::222222222222:role/web-production-diff") {
		t.Errorf("policy: want sts:AssumeRole on the reader, got %s", got)
	}
}

func TestStackReaderBadProps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props *diffrole.StackReaderProps
		want  string
	}{
		{"nothing", nil, "RoleName"},
		{"no diff role", &diffrole.StackReaderProps{RoleName: jsii.String("r")}, "DiffRoleArn"},
		{"token arn", &diffrole.StackReaderProps{RoleName: jsii.String("r"), DiffRoleArn: awscdk.Aws_STACK_ID()}, "want a literal role ARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := cdktest.MustPanic(t, func() { diffrole.NewStackReader(targetStack(), "DiffReader", tc.props) })
			if !strings.Contains(msg, tc.want) {
				t.Errorf("got %q, want it to name %s", msg, tc.want)
			}
		})
	}
}
