package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// newAppLogs creates the log group the app's and the proxy's containers write
// to (Docker's awslogs driver on the hosts), kept and removed like the build
// logs. CloudWatch Logs encrypts it at rest.
func (s *PipelineStack) newAppLogs(cfg config.Config) awslogs.LogGroup {
	return awslogs.NewLogGroup(s, jsii.String("AppLogs"), &awslogs.LogGroupProps{
		Retention:     cfg.LogRetention,
		RemovalPolicy: cfg.RemovalPolicy,
	})
}

// allowHostsToLog lets the deployment targets write to the app's log group
// and nowhere else: the two calls the awslogs driver makes (it does not
// create the group), on the group's streams. The actions and resource types
// follow the Service Authorization Reference for CloudWatch Logs.
func (s *PipelineStack) allowHostsToLog(access *serverdeploy.HostAccess) {
	access.Policy().AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AppLogs"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{s.AppLogs.LogGroupArn()},
	}))
}
