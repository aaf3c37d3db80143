package diffrole_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/diffrole"
	"github.com/shipline/shipline/internal/cdktest"
)

// newApp makes an app with the feature flags of the project's cdk.json.
func newApp() awscdk.App { return cdktest.NewApp(nil) }

func newStack() awscdk.Stack {
	app := newApp()
	return awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
}

func props() *diffrole.DiffRoleProps {
	return &diffrole.DiffRoleProps{Owner: jsii.String("shipline"), Repo: jsii.String("shipline")}
}

// policyJSON returns the construct's one IAM policy, printed.
func policyJSON(t *testing.T, tpl assertions.Template) string {
	t.Helper()
	policies := tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil)
	if len(*policies) != 1 {
		t.Fatalf("want 1 IAM policy, got %d", len(*policies))
	}
	for _, p := range *policies {
		return fmt.Sprint(p)
	}
	return ""
}

func TestDefaults(t *testing.T) {
	stack := newStack()
	dr := diffrole.NewDiffRole(stack, "DiffRole", props())
	tpl := assertions.Template_FromStack(stack, nil)

	tpl.ResourceCountIs(jsii.String("AWS::IAM::OIDCProvider"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::OIDCProvider"), &map[string]interface{}{
		"Url":          diffrole.GitHubIssuerURL,
		"ClientIdList": []interface{}{diffrole.GitHubAudience},
	})
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), &map[string]interface{}{
		"MaxSessionDuration": 3600,
		"AssumeRolePolicyDocument": map[string]interface{}{
			"Statement": []interface{}{map[string]interface{}{
				"Action": "sts:AssumeRoleWithWebIdentity",
				"Effect": "Allow",
				"Condition": map[string]interface{}{
					"StringEquals": map[string]interface{}{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
					"StringLike":   map[string]interface{}{"token.actions.githubusercontent.com:sub": "repo:shipline/shipline:pull_request"},
				},
				"Principal": map[string]interface{}{"Federated": map[string]interface{}{
					"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DiffRoleProvider")),
				}},
			}},
		},
	})
	// Exactly one statement: the stack's template and status, nothing else.
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), &map[string]interface{}{
		"PolicyDocument": map[string]interface{}{
			"Statement": []interface{}{
				map[string]interface{}{
					"Sid":    "ReadTheStack",
					"Effect": "Allow",
					"Action": []interface{}{"cloudformation:DescribeStacks", "cloudformation:GetTemplate"},
					// The stack the role is defined in, whatever its name.
					"Resource": "arn:aws:cloudformation:eu-west-1:111111111111:stack/Test/*",
				},
			},
		},
	})
	// The bootstrap lookup role has ReadOnlyAccess on the whole account.
	doc := policyJSON(t, tpl)
	for _, banned := range []string{"sts:AssumeRole", "lookup-role", "deploy-role", "ssm:"} {
		if strings.Contains(doc, banned) {
			t.Errorf("the default role's policy has %q: %s", banned, doc)
		}
	}
	if dr.Role() == nil || dr.Provider() == nil {
		t.Error("getters return nil")
	}
	if dr.Node().DefaultChild() == nil {
		t.Error("no default child")
	}
}

func TestExistingProviderQualifierAndChangeSets(t *testing.T) {
	stack := newStack()
	provider := awsiam.OidcProviderNative_FromOidcProviderArn(stack, jsii.String("GitHub"),
		jsii.String("arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"))
	p := props()
	p.Provider = provider
	p.Qualifier = jsii.String("ship1")
	p.AllowChangeSets = jsii.Bool(true)
	p.StackName = jsii.String("shipline-prod")
	dr := diffrole.NewDiffRole(stack, "DiffRole", p)
	tpl := assertions.Template_FromStack(stack, nil)

	tpl.ResourceCountIs(jsii.String("AWS::IAM::OIDCProvider"), jsii.Number(0))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), &map[string]interface{}{
		"AssumeRolePolicyDocument": map[string]interface{}{
			"Statement": []interface{}{map[string]interface{}{
				"Principal": map[string]interface{}{
					"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
				},
			}},
		},
	})
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), &map[string]interface{}{
		"PolicyDocument": map[string]interface{}{
			"Statement": assertions.Match_ArrayWith(&[]interface{}{assertions.Match_ObjectLike(&map[string]interface{}{
				"Sid": "AssumeCdkDeployRoles",
				"Resource": []interface{}{
					"arn:aws:iam::111111111111:role/cdk-ship1-deploy-role-111111111111-eu-west-1",
					"arn:aws:iam::111111111111:role/cdk-ship1-file-publishing-role-111111111111-eu-west-1",
				},
			})}),
		},
	})
	doc := policyJSON(t, tpl)
	if !strings.Contains(doc, "stack/shipline-prod/*") {
		t.Errorf("policy lacks the stack shipline-prod: %s", doc)
	}
	if strings.Contains(doc, "lookup-role") {
		t.Errorf("policy lets the role assume the lookup role: %s", doc)
	}
	if *dr.Provider().OpenIdConnectProviderArn() != *provider.OidcProviderArn() {
		t.Error("Provider() is not the given provider")
	}
}

func TestEnvironmentAgnostic(t *testing.T) {
	stack := awscdk.NewStack(newApp(), jsii.String("Agnostic"), nil)
	diffrole.NewDiffRole(stack, "DiffRole", props())
	tpl := assertions.Template_FromStack(stack, nil)
	// The ARNs are built from AWS::Partition, AWS::AccountId and AWS::Region.
	doc := policyJSON(t, tpl)
	for _, want := range []string{"AWS::AccountId", "AWS::Region", "AWS::Partition", "stack/Agnostic/*"} {
		if !strings.Contains(doc, want) {
			t.Errorf("policy lacks %q: %s", want, doc)
		}
	}
}

func TestInvalidProps(t *testing.T) {
	tests := []struct {
		name  string
		props *diffrole.DiffRoleProps
		want  []string
	}{
		{"nil props", nil, []string{"[Test/Bad] Owner: got nil", "[Test/Bad] Repo: got nil"}},
		{"empty owner", &diffrole.DiffRoleProps{Owner: jsii.String(""), Repo: jsii.String("web")}, []string{`[Test/Bad] Owner: got "", want`}},
		{"bad owner and repo", &diffrole.DiffRoleProps{Owner: jsii.String("ship line"), Repo: jsii.String("*")},
			[]string{`[Test/Bad] Owner: got "ship line"`, `[Test/Bad] Repo: got "*"`, "GitHub user or organization"}},
		{"owner with slash", &diffrole.DiffRoleProps{Owner: jsii.String("shipline/shipline"), Repo: jsii.String("x")},
			[]string{`Owner: got "shipline/shipline"`}},
		{"dot repo", &diffrole.DiffRoleProps{Owner: jsii.String("a"), Repo: jsii.String("..")},
			[]string{`Repo: got ".."`}},
		{"qualifier and stack", &diffrole.DiffRoleProps{Owner: jsii.String("a"), Repo: jsii.String("b"),
			Qualifier: jsii.String("far-too-long-qualifier"), StackName: jsii.String("1stack")},
			[]string{`Qualifier: got "far-too-long-qualifier"`, `StackName: got "1stack"`}},
		{"regional stacks", &diffrole.DiffRoleProps{Owner: jsii.String("a"), Repo: jsii.String("b"),
			RegionalStacks: map[string][]string{"mars-1": {"Web"}, "us-east-1": {"Web_replica"}}},
			[]string{`RegionalStacks: got Region "mars-1", want an AWS Region`, `RegionalStacks[us-east-1]: got "Web_replica", want a CloudFormation stack name`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := func() (msg string) {
				defer func() {
					if r := recover(); r != nil {
						msg = fmt.Sprint(r)
					}
				}()
				stack := newStack()
				diffrole.NewDiffRole(stack, "Bad", tt.props)
				awscdk.Stage_Of(stack).Synth(nil)
				return ""
			}()
			if msg == "" {
				t.Fatal("no panic")
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("panic message lacks %q:\n%s", w, msg)
				}
			}
		})
	}
}

func TestDoesNotMutateProps(t *testing.T) {
	p := props()
	diffrole.NewDiffRole(newStack(), "DiffRole", p)
	if p.Qualifier != nil || p.AllowChangeSets != nil || p.StackName != nil {
		t.Error("NewDiffRole filled in the caller's props")
	}
}
