package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// newAppLogs creates, in scope, the log group ("AppLogs") the app's and the
// proxy's containers of one environment write to (Docker's awslogs driver
// on the hosts), kept and removed like the build logs. name is its physical
// name, nil for a generated one.
//
// CloudWatch Logs encrypts every group at rest with a key it manages. A
// customer managed key is not added: the hosts would need kms:Encrypt on
// it, the key policy would have to admit the Logs service of the region,
// and it would cost a key per environment, for lines the app already
// prints to its console; apps must not log secrets either way.
func newAppLogs(scope constructs.Construct, cfg config.Config, name *string) awslogs.LogGroup {
	return awslogs.NewLogGroup(scope, jsii.String("AppLogs"), &awslogs.LogGroupProps{
		LogGroupName:  name,
		Retention:     cfg.LogRetention,
		RemovalPolicy: cfg.RemovalPolicy,
	})
}

// targetLogGroupName is the physical name of the app log group of an
// environment in another account: the pipeline's stack, which cannot refer
// to that account's resources, writes it into LOG_GROUPS and its output.
func targetLogGroupName(appName string, e Environment) string {
	return "/shipline/" + appName + "/" + e.Name
}

// allowHostsToLog lets the deployment targets of access write to group and
// nowhere else: the two calls the awslogs driver makes (it does not create
// the group), on the group's streams. The actions and resource types follow
// the Service Authorization Reference for CloudWatch Logs.
func allowHostsToLog(access *serverdeploy.HostAccess, group awslogs.ILogGroup) {
	access.Policy().AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AppLogs"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{group.LogGroupArn()},
	}))
}

// logGroups is the LOG_GROUPS build variable: "<group>=<log group>" pairs,
// one per environment, as parameterPaths.
func (s *PipelineStack) logGroups() *string {
	return s.groupPairs(func(res *EnvironmentResources) *string { return res.logGroupName })
}
