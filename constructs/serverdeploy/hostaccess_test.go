package serverdeploy_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/cdktest"
)

var (
	bucketObjects = map[string]any{"Fn::Join": []any{"", []any{
		map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Artifacts")), "Arn"}}, "/*/Bundle/*",
	}}}
	repositoryArn = map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Images")), "Arn"}}
)

func TestHostAccessPolicy(t *testing.T) {
	stack := newStack()
	access := serverdeploy.NewHostAccess(stack, "HostAccess", accessProps(stack))
	tpl := assertions.Template_FromStack(stack, nil)

	param := func(name string) string { return "arn:aws:ssm:eu-west-1:111111111111:parameter/" + name }
	tpl.ResourceCountIs(jsii.String("AWS::IAM::ManagedPolicy"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::IAM::ManagedPolicy"), &map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{
			map[string]any{"Sid": "ReadDeployBundles", "Effect": "Allow",
				"Action": []any{"s3:GetObject", "s3:GetObjectVersion"}, "Resource": bucketObjects},
			map[string]any{"Sid": "PullImage", "Effect": "Allow",
				"Action":   []any{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
				"Resource": repositoryArn},
			map[string]any{"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
			map[string]any{"Sid": "ReadSettings", "Effect": "Allow",
				"Action":   []any{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"},
				"Resource": []any{param("myapp"), param("myapp/*")}},
			map[string]any{"Sid": "NoBuildSecrets", "Effect": "Deny", "Action": "ssm:GetParameter*",
				"Resource": []any{param("myapp/build"), param("myapp/build/*")}},
			map[string]any{"Sid": "NoRecursiveSettingsRead", "Effect": "Deny", "Action": "ssm:GetParametersByPath",
				"Resource":  []any{param("myapp"), param("myapp/")},
				"Condition": map[string]any{"StringEquals": map[string]any{"ssm:Recursive": "true"}}},
			assertions.Match_ObjectLike(&map[string]any{"Sid": "ManagedNode", "Effect": "Allow", "Resource": "*"}),
			assertions.Match_ObjectLike(&map[string]any{"Sid": "SessionManager", "Effect": "Allow", "Resource": "*"}),
		}},
	})
	// Not attached anywhere without a role; no role, user or static key.
	tpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::IAM::User"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::IAM::AccessKey"), jsii.Number(0))
	if n := len(access.ManagedPolicies()); n != 1 {
		t.Errorf("ManagedPolicies: want the host policy alone, got %d", n)
	}
}

// TestHostAccessWildcards: the "*" resources of the host policy are
// ecr:GetAuthorizationToken and the managed-node statements, none of which
// AWS lets a policy scope; the only wildcard action is the Deny of every
// parameter read of the build secrets.
func TestHostAccessWildcards(t *testing.T) {
	stack := newStack()
	p := accessProps(stack)
	p.ParameterKey = awskms.NewKey(stack, jsii.String("ParamKey"), nil)
	serverdeploy.NewHostAccess(stack, "HostAccess", p)
	tpl := assertions.Template_FromStack(stack, nil)
	for id, r := range resources(tpl, "AWS::IAM::ManagedPolicy") {
		doc := props(r)["PolicyDocument"].(map[string]any)
		for _, st := range doc["Statement"].([]any) {
			s := st.(map[string]any)
			switch sid := s["Sid"]; {
			case toJSON(s["Resource"]) == `"*"` && sid != "RegistryLogin" && sid != "ManagedNode" && sid != "SessionManager":
				t.Errorf("%s: wildcard resource for %v", id, s["Action"])
			case strings.Contains(toJSON(s["Action"]), "*") && !(s["Effect"] == "Deny" && sid == "NoBuildSecrets"):
				t.Errorf("%s: wildcard action %v", id, s["Action"])
			}
		}
	}
}

// TestHostAccessEnvironmentPaths: environment paths are read like the app
// path; one holding the build secrets is refused.
func TestHostAccessEnvironmentPaths(t *testing.T) {
	stack := newStack()
	p := accessProps(stack)
	p.EnvironmentParameterPaths = jsii.Strings("/myapp-staging/")
	serverdeploy.NewHostAccess(stack, "HostAccess", p)
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::ManagedPolicy"), &map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Sid": "ReadSettings", "Resource": []any{
				// CDK sorts the resources.
				"arn:aws:ssm:eu-west-1:111111111111:parameter/myapp", "arn:aws:ssm:eu-west-1:111111111111:parameter/myapp-staging",
				"arn:aws:ssm:eu-west-1:111111111111:parameter/myapp-staging/*", "arn:aws:ssm:eu-west-1:111111111111:parameter/myapp/*",
			}}),
		})},
	})
	for _, bad := range []string{"/myapp/", "/myapp", "/myapp/build/"} {
		stack := newStack()
		msg := cdktest.MustFailSynth(t, stack, func() {
			p := accessProps(stack)
			p.EnvironmentParameterPaths = jsii.Strings(bad)
			serverdeploy.NewHostAccess(stack, "HostAccess", p)
		})
		wantContains(t, msg, "[Test/HostAccess] EnvironmentParameterPaths: got", "build secrets under /myapp/build/")
	}
}

func TestHostAccessKeys(t *testing.T) {
	stack := newStack()
	p := accessProps(stack)
	bucketKey := awskms.NewKey(stack, jsii.String("BucketKey"), nil)
	p.ArtifactBucket = awss3.NewBucket(stack, jsii.String("KmsArtifacts"), &awss3.BucketProps{
		Encryption: awss3.BucketEncryption_KMS, EncryptionKey: bucketKey,
	})
	p.ParameterKey = awskms.NewKey(stack, jsii.String("ParamKey"), nil)
	serverdeploy.NewHostAccess(stack, "HostAccess", p)
	tpl := assertions.Template_FromStack(stack, nil)

	decrypt := func(sid, keyPrefix, service string) map[string]any {
		return map[string]any{
			"Sid": sid, "Effect": "Allow", "Action": "kms:Decrypt",
			"Resource": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^" + keyPrefix)), "Arn"}},
			"Condition": map[string]any{"StringEquals": map[string]any{"kms:ViaService": map[string]any{
				"Fn::Join": []any{"", []any{service + ".eu-west-1.", map[string]any{"Ref": "AWS::URLSuffix"}}},
			}}},
		}
	}
	tpl.HasResourceProperties(jsii.String("AWS::IAM::ManagedPolicy"), &map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			decrypt("DecryptSettings", "ParamKey", "ssm"),
			decrypt("DecryptDeployBundles", "BucketKey", "s3"),
		})},
	})
}

func TestHostAccessGrantTo(t *testing.T) {
	stack := newStack()
	role := awsiam.NewRole(stack, jsii.String("HostRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
	})
	p := accessProps(stack)
	p.Role = role
	serverdeploy.NewHostAccess(stack, "HostAccess", p)
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), &map[string]any{
		"ManagedPolicyArns": []any{
			map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^HostAccess"))},
		},
	})
	// The grant adds no inline policy: everything is in the managed policies.
	tpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(0))
}

func TestHostAccessValidation(t *testing.T) {
	// Missing required props cannot be built past: a panic at once, with
	// the path and every problem.
	msg := cdktest.MustPanic(t, func() {
		stack := newStack()
		serverdeploy.NewHostAccess(stack, "HostAccess", &serverdeploy.HostAccessProps{ParameterPath: jsii.String("myapp")})
	})
	wantContains(t, msg, "[Test/HostAccess] ArtifactBucket: got nil", "[Test/HostAccess] Repository: got nil", `[Test/HostAccess] ParameterPath: got "myapp"`)
	for _, bad := range []string{"/", "//", "/a//b/", "/my app/"} {
		stack := newStack()
		msg := cdktest.MustFailSynth(t, stack, func() {
			p := accessProps(stack)
			p.ParameterPath = jsii.String(bad)
			serverdeploy.NewHostAccess(stack, "HostAccess", p)
		})
		wantContains(t, msg, "[Test/HostAccess] ParameterPath: got")
	}
}

// TestHostAccessTrailingSlash: "/myapp" and "/myapp/" are the same path.
func TestHostAccessTrailingSlash(t *testing.T) {
	policy := func(path string) string {
		stack := newStack()
		p := accessProps(stack)
		p.ParameterPath = jsii.String(path)
		serverdeploy.NewHostAccess(stack, "HostAccess", p)
		doc, _ := json.Marshal(cdktest.Resources(cdktest.JSON(assertions.Template_FromStack(stack, nil)), "AWS::IAM::ManagedPolicy"))
		return string(doc)
	}
	if with, without := policy("/myapp/"), policy("/myapp"); with != without {
		t.Errorf("policies differ:\n/myapp/: %s\n/myapp:  %s", with, without)
	}
}

func TestHostAccessNestedPath(t *testing.T) {
	stack := newStack()
	p := accessProps(stack)
	p.ParameterPath = jsii.String("/team/myapp")
	serverdeploy.NewHostAccess(stack, "HostAccess", p)
	tpl := assertions.Template_FromStack(stack, nil)
	var got []string
	for _, r := range resources(tpl, "AWS::IAM::ManagedPolicy") {
		for _, st := range props(r)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if st.(map[string]any)["Sid"] == "ReadSettings" {
				for _, a := range st.(map[string]any)["Resource"].([]any) {
					got = append(got, a.(string))
				}
			}
		}
	}
	sort.Strings(got)
	want := "arn:aws:ssm:eu-west-1:111111111111:parameter/team/myapp arn:aws:ssm:eu-west-1:111111111111:parameter/team/myapp/*"
	if strings.Join(got, " ") != want {
		t.Errorf("ReadSettings resources: got %v, want %s", got, want)
	}
}
