package stacks

import (
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
)

// writeParameters creates the deploy parameters as String parameters.
func (s *PipelineStack) writeParameters(cfg config.Config) {
	params := cfg.DeployParameters()
	for _, name := range slices.Sorted(maps.Keys(params)) {
		awsssm.NewStringParameter(s, jsii.String("Param"+name), &awsssm.StringParameterProps{
			ParameterName: jsii.String(cfg.ParameterPath() + name),
			StringValue:   jsii.String(params[name]),
			Description:   jsii.String("Read by the deploy hooks into .env; managed by the shipline stack"),
			Tier:          awsssm.ParameterTier_STANDARD,
		})
	}
}
