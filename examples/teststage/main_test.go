package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/internal/cfnlint"
)

// TestTestedReleaseStack: the importer's Test stage sits between Build and
// the approval, reads the source artifact and the commit id, and the
// template passes cfn-lint.
func TestTestedReleaseStack(t *testing.T) {
	stack := NewTestedReleaseStack(cdktest.ValidatingApp(nil), "WebRelease", nil)
	tmpl := assertions.Template_FromStack(stack, nil)
	var stages []string
	for _, p := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodePipeline::Pipeline") {
		for _, s := range p["Properties"].(map[string]any)["Stages"].([]any) {
			stages = append(stages, s.(map[string]any)["Name"].(string))
		}
	}
	if got := strings.Join(stages, ","); got != "Source,Build,Test,Approval,Deploy" {
		t.Errorf("stages: got %s, want Source,Build,Test,Approval,Deploy", got)
	}
	tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"Stages": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Name": "Test",
			"Actions": []any{assertions.Match_ObjectLike(&map[string]any{
				"InputArtifacts": []any{map[string]any{"Name": "Source"}},
				"Configuration": assertions.Match_ObjectLike(&map[string]any{
					"EnvironmentVariables": assertions.Match_StringLikeRegexp(jsii.String(`"COMMIT".*#\{SourceVariables.CommitId\}`)),
				}),
			})},
		})}),
	})
	cfnlint.LintStack(t, stack)
}
