package manualapproval_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/internal/cdktest"
)

func TestApprovalTopicAndSubscriptions(t *testing.T) {
	stack := cdktest.NewStack()
	manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{
		Emails: jsii.Strings("ops@example.com", "lead@example.com"),
	})
	tmpl := assertions.Template_FromStack(stack, nil)

	tmpl.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(1))
	tmpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]any{
		"KmsMasterKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^ApprovalKey")), "Arn"}},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{"EnableKeyRotation": true})
	for _, e := range []string{"ops@example.com", "lead@example.com"} {
		tmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
			"Protocol": "email", "Endpoint": e,
			"TopicArn": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Approval"))},
		})
	}
	// Publishing without TLS is denied.
	tmpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Effect":    "Deny",
				"Action":    "sns:Publish",
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
				"Principal": "*",
				"Resource":  map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Approval"))},
			}),
		})},
	})
}

func TestApprovalWithExistingTopic(t *testing.T) {
	stack := cdktest.NewStack()
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Existing"), jsii.String("arn:aws:sns:eu-west-1:123456789012:releases"))
	a := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Topic: topic, Emails: jsii.Strings("ops@example.com")})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::KMS::Key"), jsii.Number(0))
	tmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
		"Endpoint": "ops@example.com", "TopicArn": "arn:aws:sns:eu-west-1:123456789012:releases",
	})
	if a.Key() != nil {
		t.Error("Key(): want nil for an existing topic")
	}
}

func TestApprovalAction(t *testing.T) {
	stack := cdktest.NewStack()
	a := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Emails: jsii.Strings("ops@example.com")})
	src := awscodepipeline.NewArtifact(jsii.String("Src"), nil)
	p := awscodepipeline.NewPipeline(stack, jsii.String("P"), &awscodepipeline.PipelineProps{PipelineType: awscodepipeline.PipelineType_V2})
	p.AddStage(&awscodepipeline.StageOptions{StageName: jsii.String("Source"), Actions: &[]awscodepipeline.IAction{
		awscodepipelineactions.NewS3SourceAction(&awscodepipelineactions.S3SourceActionProps{
			ActionName: jsii.String("S3"), Bucket: p.ArtifactBucket(), BucketKey: jsii.String("src.zip"), Output: src,
		}),
	}})
	p.AddStage(&awscodepipeline.StageOptions{StageName: jsii.String("Approval"), Actions: &[]awscodepipeline.IAction{
		a.NewAction(&manualapproval.ActionOptions{AdditionalInformation: jsii.String("Release 1.2")}),
	}})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"Stages": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Name": "Approval",
			"Actions": []any{map[string]any{
				"Name":          "Approve",
				"ActionTypeId":  map[string]any{"Category": "Approval", "Provider": "Manual", "Owner": "AWS", "Version": "1"},
				"Configuration": map[string]any{"NotificationArn": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Approval"))}, "CustomData": "Release 1.2"},
				"RoleArn":       assertions.Match_AnyValue(),
				"RunOrder":      1,
			}},
		}}),
	})
	// The action's role may publish to the topic and use its key.
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			map[string]any{"Action": "sns:Publish", "Effect": "Allow", "Resource": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Approval"))}},
		})},
	})
}

func TestApprovalRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props *manualapproval.ApprovalProps
		want  string
	}{
		{"nothing", nil, "Emails: got none"},
		{"bad address", &manualapproval.ApprovalProps{Emails: jsii.Strings("ops at example.com")}, `Emails: got "ops at example.com"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			msg := cdktest.SynthFailure(stack, func() { manualapproval.NewApproval(stack, "Approval", tc.props) })
			if !strings.Contains(msg, "[TestStack/Approval] "+tc.want) {
				t.Errorf("panic %q: want it to contain %q", msg, tc.want)
			}
		})
	}
}
