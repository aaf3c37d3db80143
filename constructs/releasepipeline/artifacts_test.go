package releasepipeline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/internal/cdktest"
)

// replicated builds a pipeline in eu-west-1 deploying to a group in
// us-east-1, whose artifacts go to an ArtifactReplica there.
func replicated(t *testing.T, keyAlias *string) (pipeline, replica map[string]any) {
	t.Helper()
	app := cdktest.NewApp(nil)
	env := func(region string) *awscdk.StackProps {
		return &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String(region)}}
	}
	stack := awscdk.NewStack(app, jsii.String("Pipeline"), env("eu-west-1"))
	replicaStack := awscdk.NewStack(app, jsii.String("Replica"), env("us-east-1"))
	r := releasepipeline.NewArtifactReplica(replicaStack, "Artifacts", &releasepipeline.ArtifactReplicaProps{
		KeyAlias: keyAlias, ArtifactExpiration: awscdk.Duration_Days(jsii.Number(7)),
	})
	application := awscodedeploy.ServerApplication_FromServerApplicationArn(stack, jsii.String("App"),
		jsii.String("arn:aws:codedeploy:us-east-1:111111111111:application:web"))
	p := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner: jsii.String("acme"), Repo: jsii.String("web"),
		BuildProject: awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
		DeploymentGroup: awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(stack, jsii.String("Group"),
			&awscodedeploy.ServerDeploymentGroupAttributes{Application: application, DeploymentGroupName: jsii.String("web-us")}),
		CrossRegionReplicationBuckets: &map[string]awss3.IBucket{"us-east-1": r.PipelineBucket()},
	})
	r.GrantKeyUse(p.Pipeline().Role())
	return cdktest.JSON(assertions.Template_FromStack(stack, nil)), cdktest.JSON(assertions.Template_FromStack(replicaStack, nil))
}

// TestArtifactReplica: the deploy action in us-east-1 reads the replica
// there, kept as the pipeline's own bucket is; with a key, the pipeline's
// role uses it by its alias, never every key.
func TestArtifactReplica(t *testing.T) {
	for _, alias := range []*string{nil, jsii.String("alias/web-artifacts")} {
		pipeline, replica := replicated(t, alias)
		var props map[string]any
		for _, p := range cdktest.Resources(pipeline, "AWS::CodePipeline::Pipeline") {
			props = p["Properties"].(map[string]any)
		}
		stores, _ := json.Marshal(props["ArtifactStores"])
		var bucketName string
		for id, b := range cdktest.Resources(replica, "AWS::S3::Bucket") {
			if strings.HasPrefix(id, "ArtifactsArtifactBucket") {
				bucketName, _ = b["Properties"].(map[string]any)["BucketName"].(string)
				rules, _ := json.Marshal(b["Properties"].(map[string]any)["LifecycleConfiguration"])
				if !strings.Contains(string(rules), `"ExpirationInDays":7`) {
					t.Errorf("replica lifecycle: %s, want objects expiring after 7 days", rules)
				}
				if b["DeletionPolicy"] != "Retain" {
					t.Errorf("replica DeletionPolicy %v, want Retain", b["DeletionPolicy"])
				}
			}
		}
		if bucketName == "" || !strings.Contains(string(stores), `"Location":"`+bucketName+`"`) || !strings.Contains(string(stores), `"Region":"eu-west-1"`) {
			t.Errorf("artifact stores %s, want eu-west-1's and the replica %q", stores, bucketName)
		}
		keyed := strings.Contains(string(stores), `"Id":"arn:aws:kms:us-east-1:111111111111:alias/web-artifacts"`)
		if keyed != (alias != nil) {
			t.Errorf("alias %v: artifact stores %s", alias, stores)
		}
		policies, _ := json.Marshal(cdktest.Resources(pipeline, "AWS::IAM::Policy"))
		if strings.Contains(string(policies), `"kms:Decrypt"`) != (alias != nil) || strings.Contains(string(policies), `"Resource":"*"`) && strings.Contains(string(policies), `"kms:Encrypt"`) {
			t.Errorf("alias %v: the pipeline's policies %s, want KMS use only with a key, and never on every key", alias, policies)
		}
		if alias != nil && !strings.Contains(string(policies), `"kms:ResourceAliases":"alias/web-artifacts"`) {
			t.Errorf("the pipeline's KMS statement lacks the alias condition: %s", policies)
		}
	}
}

func TestArtifactReplicaBadProps(t *testing.T) {
	stack := cdktest.NewStack() // no Region
	msg := cdktest.MustFailSynth(t, stack, func() {
		r := releasepipeline.NewArtifactReplica(stack, "Artifacts", &releasepipeline.ArtifactReplicaProps{KeyAlias: jsii.String("web-artifacts")})
		releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
			Owner: jsii.String("acme"), Repo: jsii.String("web"),
			BuildProject:                  awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
			DeploymentGroup:               awscodedeploy.NewServerDeploymentGroup(stack, jsii.String("Group"), nil),
			CrossRegionReplicationBuckets: &map[string]awss3.IBucket{"us-east-1": r.PipelineBucket()},
		})
	})
	for _, want := range []string{
		`[TestStack/Artifacts] KeyAlias: got "web-artifacts", want alias/`,
		"[TestStack/Release] CrossRegionReplicationBuckets: want the stack's Region set (StackProps.Env)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("synth error lacks %q:\n%s", want, msg)
		}
	}
}
