package serverdeploy_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/cdktest"
)

// newApp makes an app with the feature flags of the project's cdk.json.
func newApp() awscdk.App { return cdktest.NewApp(nil) }

func newStack() awscdk.Stack {
	return awscdk.NewStack(newApp(), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
}

// accessProps are host access props with a bucket and repository of the stack.
func accessProps(stack awscdk.Stack) *serverdeploy.HostAccessProps {
	return &serverdeploy.HostAccessProps{
		ArtifactBucket: awss3.NewBucket(stack, jsii.String("Artifacts"), nil),
		Repository:     awsecr.NewRepository(stack, jsii.String("Images"), nil),
		ParameterPath:  jsii.String("/myapp/"),
	}
}

// resources returns the template's resources of one type, by logical id.
func resources(tpl assertions.Template, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range *tpl.FindResources(jsii.String(typ), nil) {
		out[id] = *r
	}
	return out
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

func wantContains(t *testing.T, got string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("want %q in:\n%s", p, got)
		}
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
