package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/internal/cfnlint"
)

// TestNamedReleaseStack: each name set reaches its resource, and the
// template passes cfn-lint.
func TestNamedReleaseStack(t *testing.T) {
	stack := NewNamedReleaseStack(cdktest.ValidatingApp(nil), "WebRelease", nil)
	tmpl := assertions.Template_FromStack(stack, nil)
	for typ, props := range map[string]map[string]any{
		"AWS::ECR::Repository":             {"RepositoryName": "acme/web"},
		"AWS::CodeBuild::Project":          {"Name": "web-image"},
		"AWS::Logs::LogGroup":              {"LogGroupName": "/acme/web/build"},
		"AWS::SNS::Topic":                  {"TopicName": "web-releases"},
		"AWS::CodeDeploy::Application":     {"ApplicationName": "web"},
		"AWS::CodeDeploy::DeploymentGroup": {"DeploymentGroupName": "web-production"},
		"AWS::CodePipeline::Pipeline":      {"Name": "web-release"},
		"AWS::CodeConnections::Connection": {"ConnectionName": "acme-github"},
	} {
		tmpl.HasResourceProperties(jsii.String(typ), props)
	}
	// The build reads its settings from the path given without its slash.
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Environment": assertions.Match_ObjectLike(&map[string]any{
			"EnvironmentVariables": assertions.Match_ArrayWith(&[]any{map[string]any{"Name": "PARAMETER_PATH", "Type": "PLAINTEXT", "Value": "/web/"}}),
		}),
	})
	cfnlint.LintStack(t, stack)
}
