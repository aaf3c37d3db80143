package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/internal/cfnlint"
)

// TestReleaseStackSynthesizes checks the reuse guide's app: it synthesizes,
// uses the team's repository and topic, and builds for arm64.
func TestReleaseStackSynthesizes(t *testing.T) {
	stack := NewReleaseStack(cdktest.NewApp(nil), "ShopRelease", &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::ECR::Repository"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::CodePipeline::Pipeline"), jsii.Number(1))
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Environment": assertions.Match_ObjectLike(&map[string]any{"Type": "ARM_CONTAINER"}),
	})
	cfnlint.LintStack(t, stack)
}
