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
		map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Artifacts")), "Arn"}}, "/*",
	}}}
	repositoryArn = map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Images")), "Arn"}}
)

func TestHostAccessPolicy(t *testing.T) {
	stack := newStack()
	access := serverdeploy.NewHostAccess(stack, "HostAccess", accessProps(stack))
	tpl := assertions.Template_FromStack(stack, nil)

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
				"Action": []any{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"},
				"Resource": []any{
					"arn:aws:ssm:eu-west-1:111111111111:parameter/myapp",
					"arn:aws:ssm:eu-west-1:111111111111:parameter/myapp/*",
				}},
		}},
	})
	// Not attached anywhere without a role; no role, user or static key.
	tpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::IAM::User"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::IAM::AccessKey"), jsii.Number(0))
	if n := len(access.ManagedPolicies()); n != 2 {
		t.Errorf("ManagedPolicies: want the host policy and %s, got %d", serverdeploy.SSMManagedInstanceCore, n)
	}
}

// TestHostAccessWildcards: the only "*" resource of the host policy is
// ecr:GetAuthorizationToken. The other "*" resources a host gets are those of
// the AWS managed AmazonSSMManagedInstanceCore (ssm:UpdateInstanceInformation,
// ssm:ListAssociations, ssm:DescribeAssociation, ssm:GetDocument,
// ssm:PutConfigurePackageResult, ssmmessages:*Channel, ec2messages:*, ...),
// which AWS maintains and which cannot be scoped.
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
			if toJSON(s["Resource"]) == `"*"` && toJSON(s["Action"]) != `"ecr:GetAuthorizationToken"` {
				t.Errorf("%s: wildcard resource for %v", id, s["Action"])
			}
			if strings.Contains(toJSON(s["Action"]), "*") {
				t.Errorf("%s: wildcard action %v", id, s["Action"])
			}
		}
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
			map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonSSMManagedInstanceCore"}}},
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
