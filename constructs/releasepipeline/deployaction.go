package releasepipeline

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
)

// bundleDeployAction is CodePipeline's CodeDeploy action whose role reads
// the deploy bundles only. The stock action grants its role read on the
// whole artifact bucket; for a role of another account that grant is a
// bucket policy statement, which would let that account read the source
// archives (the app's code) too. The role needs the objects of its input
// artifact: CodePipeline retrieves them with it (CodePipeline user guide,
// "Create a pipeline in CodePipeline that uses resources from another AWS
// account", the cross-account role's s3:GetObject* on the artifact store).
type bundleDeployAction struct {
	awscodepipelineactions.CodeDeployServerDeployAction
	group  awscodedeploy.IServerDeploymentGroup
	bundle string
}

func newBundleDeployAction(props *awscodepipelineactions.CodeDeployServerDeployActionProps) awscodepipeline.IAction {
	a := &bundleDeployAction{group: props.DeploymentGroup, bundle: *props.Input.ArtifactName()}
	awscodepipelineactions.NewCodeDeployServerDeployAction_Override(a, props)
	return a
}

// Bound replaces the stock action's: the same CodeDeploy permissions and
// configuration, the bucket read narrowed to the bundle artifact's objects.
func (a *bundleDeployAction) Bound(scope constructs.Construct, stage awscodepipeline.IStage, options *awscodepipeline.ActionBindOptions) *awscodepipeline.ActionConfig {
	g := a.group
	for _, st := range []struct {
		resource *string
		actions  []string
	}{
		{g.Application().ApplicationArn(), []string{"codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"}},
		{g.DeploymentGroupArn(), []string{"codedeploy:CreateDeployment", "codedeploy:GetDeployment"}},
		{g.DeploymentConfig().DeploymentConfigArn(), []string{"codedeploy:GetDeploymentConfig"}},
	} {
		options.Role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(st.actions...), Resources: &[]*string{st.resource},
		}))
	}
	options.Bucket.GrantRead(options.Role, jsii.String(serverdeploy.BundleObjects(a.bundle)))
	return &awscodepipeline.ActionConfig{Configuration: map[string]any{
		"ApplicationName":     g.Application().ApplicationName(),
		"DeploymentGroupName": g.DeploymentGroupName(),
	}}
}
