package stacks

import (
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"
)

// DeployParameters are the non-secret settings the deploy hooks read from
// Parameter Store under /<appName>/. Their names are a contract with the
// bundle (see package bundle); the user adds SecureString values beside them.
func (c Config) DeployParameters() map[string]string {
	return map[string]string{
		"APP_PORT":          strconv.Itoa(c.AppPort),
		"HTTP_PORT":         strconv.Itoa(c.HTTPPort),
		"HEALTH_CHECK_PATH": c.HealthCheckPath,
	}
}

// writeParameters creates the deploy parameters as String parameters.
func (s *PipelineStack) writeParameters(cfg Config) {
	for _, name := range slices.Sorted(maps.Keys(cfg.DeployParameters())) {
		awsssm.NewStringParameter(s, jsii.String("Param"+name), &awsssm.StringParameterProps{
			ParameterName: jsii.String(cfg.ParameterPath() + name),
			StringValue:   jsii.String(cfg.DeployParameters()[name]),
			Description:   jsii.String("Read by the deploy hooks into .env; managed by the shipline stack"),
			Tier:          awsssm.ParameterTier_STANDARD,
		})
	}
}
