package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/constructs/diffrole"
)

// addDiffRole creates the role pull requests assume to run `cdk diff`, when
// diffRoleRepo is set.
func (s *PipelineStack) addDiffRole(cfg config.Config) {
	d := cfg.DiffRole
	if d == nil {
		return
	}
	var provider awsiam.IOpenIdConnectProvider
	if d.ProviderArn != "" {
		provider = awsiam.OidcProviderNative_FromOidcProviderArn(s, jsii.String("GitHubOidcProvider"), jsii.String(d.ProviderArn))
	}
	s.DiffRole = diffrole.NewDiffRole(s, "DiffRole", &diffrole.DiffRoleProps{
		Owner:     jsii.String(d.Owner),
		Repo:      jsii.String(d.Repo),
		Provider:  provider,
		StackName: s.StackName(),
	})
	awscdk.NewCfnOutput(s, jsii.String("DiffRoleArn"), &awscdk.CfnOutputProps{
		Value:       s.DiffRole.Role().RoleArn(),
		Description: jsii.String("Role for the cdk-diff workflow: set it as the repository variable AWS_DIFF_ROLE_ARN"),
	})
}
