package test

import (
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/stacks"
)

var (
	defaultOnce sync.Once
	defaultTmpl assertions.Template
)

// defaultTemplate synthesizes the stack from cdk.json's context once per
// test binary.
func defaultTemplate(t *testing.T) assertions.Template {
	t.Helper()
	defaultOnce.Do(func() {
		cfg, err := config.FromContext(cdktest.CDKJSONContext())
		if err != nil {
			t.Fatalf("cdk.json context: %v", err)
		}
		stack := stacks.NewPipelineStack(cdktest.NewApp(nil), "PipelineStack", &stacks.PipelineStackProps{Config: &cfg})
		defaultTmpl = assertions.Template_FromStack(stack, nil)
	})
	return defaultTmpl
}

// TestDefaultStack checks what the default cdk.json promises a user.
func TestDefaultStack(t *testing.T) {
	tmpl := defaultTemplate(t)
	tmpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), map[string]any{
		"ImageScanningConfiguration": map[string]any{"ScanOnPush": true},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Environment": assertions.Match_ObjectLike(&map[string]any{
			"Type": "LINUX_CONTAINER", "Image": "aws/codebuild/standard:7.0", "PrivilegedMode": true,
		}),
	})
	tmpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::Application"), jsii.Number(1))
	tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::Application"), map[string]any{"ComputePlatform": "Server"})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentStyle":      assertions.Match_Absent(), // in-place is the default style
		"DeploymentConfigName": "CodeDeployDefault.OneAtATime",
		"Ec2TagSet": map[string]any{"Ec2TagSetList": []any{map[string]any{"Ec2TagGroup": []any{
			map[string]any{"Key": "App", "Value": "myapp", "Type": "KEY_AND_VALUE"},
		}}}},
		"AutoRollbackConfiguration": map[string]any{"Enabled": true, "Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{"Protocol": "email", "Endpoint": "approver@example.com"})

	var stages []string
	for _, p := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodePipeline::Pipeline") {
		props := p["Properties"].(map[string]any)
		if props["PipelineType"] != "V2" {
			t.Errorf("PipelineType: got %v, want V2", props["PipelineType"])
		}
		for _, s := range props["Stages"].([]any) {
			stage := s.(map[string]any)
			stages = append(stages, stage["Name"].(string))
			for _, a := range stage["Actions"].([]any) {
				if cfg, ok := a.(map[string]any)["Configuration"].(map[string]any); ok && cfg["BranchName"] != nil && cfg["BranchName"] != "main" {
					t.Errorf("source branch: got %v, want main", cfg["BranchName"])
				}
			}
		}
	}
	if got := strings.Join(stages, ","); got != "Source,Approval,Build,Deploy" {
		t.Errorf("stages: got %s, want Source,Approval,Build,Deploy", got)
	}
	// The deploy hooks' settings are written under /<appName>/.
	for name, value := range map[string]string{"/myapp/APP_PORT": "8080", "/myapp/HTTP_PORT": "80", "/myapp/HEALTH_CHECK_PATH": "/health"} {
		tmpl.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), map[string]any{"Name": name, "Value": value, "Type": "String"})
	}
	for _, out := range []string{"PipelineName", "PipelineConsoleUrl", "RepositoryUri", "ConnectionArn", "ApprovalTopicArn", "DeploymentGroupName"} {
		tmpl.HasOutput(jsii.String(out), map[string]any{})
	}
}

// TestDiffRoleOption wires the pull-request diff role only when asked.
func TestDiffRoleOption(t *testing.T) {
	ctx := cdktest.CDKJSONContext()
	ctx["diffRoleRepo"] = "acme/infra"
	cfg, err := config.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stack := stacks.NewPipelineStack(cdktest.NewApp(nil), "PipelineStack", &stacks.PipelineStackProps{Config: &cfg})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasOutput(jsii.String("DiffRoleArn"), map[string]any{})
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
		"AssumeRolePolicyDocument": assertions.Match_ObjectLike(&map[string]any{
			"Statement": []any{assertions.Match_ObjectLike(&map[string]any{
				"Action": "sts:AssumeRoleWithWebIdentity",
				"Condition": map[string]any{
					"StringEquals": map[string]any{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
					"StringLike":   map[string]any{"token.actions.githubusercontent.com:sub": "repo:acme/infra:pull_request"},
				},
			})},
		}),
	})
	if outs := defaultTemplate(t).FindOutputs(jsii.String("DiffRoleArn"), map[string]any{}); len(*outs) != 0 {
		t.Error("the default stack has a diff role; it should be opt-in")
	}
	defaultTemplate(t).ResourceCountIs(jsii.String("AWS::IAM::OIDCProvider"), jsii.Number(0))
}

// TestExistingEncryptedTopic grants the deployment group's role the use of an
// existing topic's key, so deployment notifications are not denied.
func TestExistingEncryptedTopic(t *testing.T) {
	ctx := cdktest.CDKJSONContext()
	ctx["approvalTopicArn"] = "arn:aws:sns:eu-west-1:123456789012:releases"
	ctx["approvalTopicKeyArn"] = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
	cfg, err := config.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stack := stacks.NewPipelineStack(cdktest.NewApp(nil), "PipelineStack", &stacks.PipelineStackProps{Config: &cfg})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(0))
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"Roles": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ServerDeployRole"))}},
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action":   assertions.Match_ArrayWith(&[]any{"kms:GenerateDataKey*"}),
			"Resource": "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
		})})},
	})
}

// TestInstanceArchitectureAgreesWithCDK keeps the config's pure-Go
// architecture check (it runs before any jsii call) in line with the CDK's,
// which the managed host construct applies.
func TestInstanceArchitectureAgreesWithCDK(t *testing.T) {
	for _, typ := range []string{
		"t2.micro", "t3.small", "t3a.large", "t4g.small", "m5.xlarge", "m6g.large", "m6gd.large", "m7g.medium",
		"m7i.large", "m7a.large", "c5n.large", "c6gn.large", "c7gn.large", "r8g.large", "x2gd.large",
		"a1.large", "im4gn.large", "is4gen.large", "g5g.xlarge", "i4g.large", "inf1.xlarge", "c8g.large",
	} {
		cdk := awsec2.NewInstanceType(jsii.String(typ)).Architecture()
		if got := config.InstanceArchitecture(typ); got != cdk {
			t.Errorf("%s: config says %s, the CDK says %s", typ, got, cdk)
		}
	}
}
