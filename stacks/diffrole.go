package stacks

import (
	"maps"
	"slices"

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
	props := &diffrole.DiffRoleProps{
		Owner:     jsii.String(d.Owner),
		Repo:      jsii.String(d.Repo),
		Provider:  provider,
		StackName: s.StackName(),
	}
	// The stacks of environments in other accounts are read through their
	// DiffReader roles, which trust this role by its name; those of this
	// account in other Regions, and the artifact replicas, directly.
	var readers []*string
	for _, res := range s.Environments {
		switch {
		case res.Target != nil && res.Target.DiffReader != nil:
			readers = append(readers, jsii.String(res.Target.diffReaderArn))
		case res.Target != nil:
			props.RegionalStacks = addStack(props.RegionalStacks, res.Target.Stack)
		}
	}
	for _, region := range slices.Sorted(maps.Keys(s.Replicas)) {
		props.RegionalStacks = addStack(props.RegionalStacks, s.Replicas[region].Stack)
	}
	if len(readers) > 0 {
		props.RoleName = jsii.String(diffRoleName(cfg.AppName))
		props.ReadRoleArns = &readers
	}
	s.DiffRole = diffrole.NewDiffRole(s, "DiffRole", props)
	awscdk.NewCfnOutput(s, jsii.String("DiffRoleArn"), &awscdk.CfnOutputProps{
		Value:       s.DiffRole.Role().RoleArn(),
		Description: jsii.String("Role for the cdk-diff workflow: set it as the repository variable AWS_DIFF_ROLE_ARN"),
	})
}

// addStack adds stack to stacks by Region.
func addStack(stacks map[string][]string, stack awscdk.Stack) map[string][]string {
	if stacks == nil {
		stacks = map[string][]string{}
	}
	stacks[*stack.Region()] = append(stacks[*stack.Region()], *stack.StackName())
	return stacks
}

// diffRoleName is the diff role's name when a stack in another account
// trusts it: "<appName>-diff".
func diffRoleName(appName string) string { return appName + "-diff" }
