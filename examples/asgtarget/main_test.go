package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/internal/cfnlint"
)

// TestFleetStack: the stock pipeline deploys to the Auto Scaling group, the
// group's role may read the bundles, and the template passes cfn-lint.
func TestFleetStack(t *testing.T) {
	stack := NewFleetStack(cdktest.ValidatingApp(nil), "WebFleet", nil)
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"AutoScalingGroups": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^FleetASG"))}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::SSM::Association"), map[string]any{
		"Targets": []any{map[string]any{"Key": "tag:aws:autoscaling:groupName", "Values": assertions.Match_AnyValue()}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
		"ManagedPolicyArns": assertions.Match_ArrayWith(&[]any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^HostAccess"))}}),
	})
	cfnlint.LintStack(t, stack)
}
