package stacks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/shipline/shipline/constructs/serverdeploy"
)

// ApplyNagSuppressions records, on the resources concerned, why a cdk-nag
// AwsSolutions finding does not apply to the pipeline stack. Each
// suppression names one rule, the construct it covers and, for the granular
// IAM rules, the exact findings (appliesTo), so a new wildcard still shows.
// None is stack-wide. Call it before synthesis, with the AwsSolutionsChecks
// aspect added to the app (context "nag": true does both).
func ApplyNagSuppressions(s *PipelineStack) {
	artifactObjects := fmt.Sprintf("Resource::<%s.Arn>/*", logicalID(s, s.Pipeline.ArtifactBucket()))
	artifact := []any{artifactObjects, "Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*"}
	if s.Pipeline.ArtifactBucket().EncryptionKey() != nil {
		// With an artifact key (environments in other accounts), the same
		// grants use that one key.
		artifact = append(artifact, "Action::kms:ReEncrypt*", "Action::kms:GenerateDataKey*")
	}
	const artifactReason = "CodePipeline's artifact grants: read/write on the pipeline's own artifact bucket; " +
		"object keys are generated per execution, so the object ARN ends in /*"

	// The pipeline, its source role and its action roles.
	suppress(s.Pipeline, "AwsSolutions-IAM5", artifactReason, artifact...)
	suppress(s.Pipeline, "AwsSolutions-IAM5",
		"the approval action publishes to the KMS-encrypted approval topic; SNS needs kms:GenerateDataKey* on that one key (the grant names the key ARN)",
		"Action::kms:GenerateDataKey*")

	if len(s.Replicas) > 0 {
		suppress(s.Pipeline, "AwsSolutions-IAM5",
			"CodePipeline copies the artifacts to its artifact replica in each environment's other Region; object keys are generated per execution, so the object ARN ends in /*",
			regex(`^Resource::arn:aws(-[a-z]+)*:s3:::[a-z0-9.-]+/\*$`), "Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*")
		suppress(s.Pipeline, "AwsSolutions-IAM5",
			"the artifact replica's key in another Region: its ARN is unknown in this stack, so the statement allows the keys of that Region only under the replica's alias (kms:ResourceAliases)",
			regex(`^Resource::arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:[0-9]{12}:key/\*$`), "Action::kms:ReEncrypt*", "Action::kms:GenerateDataKey*")
	}

	// The build project's role.
	build := s.Build.Project()
	suppress(build, "AwsSolutions-IAM5", artifactReason, artifact...)
	suppress(build, "AwsSolutions-IAM5",
		"ecr:GetAuthorizationToken (docker login to ECR) has no resource-level permissions: AWS requires Resource \"*\" (ECR user guide, \"Private registry authentication\")",
		"Resource::*")
	suppress(build, "AwsSolutions-IAM5",
		"CodeBuild's default grant: log streams of the project's own /aws/codebuild/<project> log group; stream names are generated per build",
		regex(`^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<[A-Za-z0-9]+>:\*$`))
	suppress(build, "AwsSolutions-IAM5",
		"CodeBuild's default grant: test report groups named after the project (<project>-*)",
		regex(`^Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<[A-Za-z0-9]+>-\*$`))
	suppress(build, "AwsSolutions-CB4",
		"the build's outputs are the image (ECR, encrypted at rest) and the deploy bundle (the artifact bucket, SSE-S3, TLS only); "+
			"a customer managed key would add cost without narrowing who can read them")

	// Each set of deployment targets: the single one, or each environment's.
	if s.DeploymentGroup != nil {
		suppressTargets(s, s, s.DeploymentGroup.DeploymentGroup())
	}
	for _, env := range s.Environments {
		if env.DeploymentGroup != nil {
			suppressTargets(s, env.scope, env.DeploymentGroup.DeploymentGroup())
		}
		if env.Target != nil {
			suppressTargetStack(env.Target)
		}
		if env.Events != nil {
			for _, rule := range env.Events.Rules() {
				suppress(rule, "AwsSolutions-IAM5",
					"the rule publishes the other account's alarm and deployment events to the KMS-encrypted approval topic; SNS needs kms:GenerateDataKey* on that one key (the grant names the key ARN)",
					"Action::kms:GenerateDataKey*")
			}
		}
	}
	if check := s.Pipeline.CheckProject(); check != nil {
		suppressCheck(check.Project(), artifact, artifactReason)
	}

	// The role pull requests assume to run `cdk diff`.
	if diff := s.Node().TryFindChild(jsii.String("DiffRole")); diff != nil {
		suppress(diff, "AwsSolutions-IAM5",
			"cdk diff reads this stack's own template and status; a stack ARN ends in the stack id CloudFormation generates, hence stack/<name>/*",
			regex(`^Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/[A-Za-z0-9-]+/\*$`))
	}

	// The artifact bucket's access log bucket.
	if logs := s.Pipeline.AccessLogBucket(); logs != nil {
		suppress(logs, "AwsSolutions-S1",
			"this is the server access log bucket of the artifact bucket; logging it would need yet another bucket (or a loop)")
	}
}

// suppress adds one suppression to c and its children. appliesTo items are
// exact findings, or *cdknag.RegexAppliesTo made by regex.
func suppress(c constructs.IConstruct, rule, reason string, appliesTo ...any) {
	sup := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		items := make([]any, len(appliesTo))
		for i, a := range appliesTo {
			if str, ok := a.(string); ok {
				a = jsii.String(str)
			}
			items[i] = a
		}
		sup.AppliesTo = &items
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{sup}, jsii.Bool(true))
}

func regex(pattern string) *cdknag.RegexAppliesTo {
	// A stack with an explicit account and region (environments in other
	// accounts) shows them literally where an env-agnostic one has tokens.
	pattern = strings.NewReplacer(
		"<AWS::Partition>", "(<AWS::Partition>|aws(-[a-z]+)*)",
		"<AWS::AccountId>", "(<AWS::AccountId>|[0-9]{12})",
		"<AWS::Region>", "(<AWS::Region>|[a-z]{2}(-[a-z]+)+-[0-9])",
	).Replace(pattern)
	regexp.MustCompile(pattern) // fail early on a typo
	return &cdknag.RegexAppliesTo{Regex: jsii.String("/" + pattern + "/")}
}

// logicalID is the logical id of a construct's main CloudFormation resource.
func logicalID(s *PipelineStack, c constructs.IConstruct) string {
	cfn, ok := c.Node().DefaultChild().(awscdk.CfnElement)
	if !ok {
		return ""
	}
	return *s.GetLogicalId(cfn)
}

// suppressTargets covers one set of deployment targets: the group's service
// role and alarm notifications, and in scope the host policy and the
// managed host.
func suppressTargets(s *PipelineStack, scope constructs.IConstruct, group constructs.IConstruct) {
	if rule := group.Node().Scope().Node().TryFindChild(jsii.String("AlarmNotifications")); rule != nil {
		suppress(rule, "AwsSolutions-IAM5",
			"the alarm notification rule publishes to the KMS-encrypted approval topic; SNS needs kms:GenerateDataKey* on that one key (the grant names the key ARN)",
			"Action::kms:GenerateDataKey*")
	}
	// The CodeDeploy service role.
	suppress(group, "AwsSolutions-IAM4",
		"AWSCodeDeployRole is the service role policy AWS documents for EC2/on-premises deployments (CodeDeploy user guide, \"Create a service role\"); "+
			"it needs to describe instances and Auto Scaling groups found by tag at deploy time",
		regex(`^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRole$`))
	suppress(group, "AwsSolutions-IAM5",
		"deployment triggers publish to the KMS-encrypted approval topic; SNS needs kms:GenerateDataKey* on that one key (the grant names the key ARN)",
		"Action::kms:GenerateDataKey*")

	// The policy of the deployment targets (any host, managed or not).
	if access := scope.Node().TryFindChild(jsii.String("HostAccess")); access != nil {
		suppress(access, "AwsSolutions-IAM5",
			"ecr:GetAuthorizationToken (docker login on the host) has no resource-level permissions: AWS requires Resource \"*\" (ECR user guide, \"Private registry authentication\"); "+
				"the managed-node statements (SSM Agent registration, the agent-install association, Session Manager channels) are AmazonSSMManagedInstanceCore's own, on \"*\" as AWS grants them, without its parameter reads",
			"Resource::*")
		suppress(access, "AwsSolutions-IAM5",
			"the CodeDeploy agent downloads deployment revisions (s3:GetObject): the bundle artifact's objects of the pipeline's own artifact bucket, <pipeline>/<artifact>/<key>, whose pipeline part and key are generated",
			fmt.Sprintf("Resource::<%s.Arn>/%s", logicalID(s, s.Pipeline.ArtifactBucket()), serverdeploy.BundleObjects(*s.Pipeline.BundleArtifact().ArtifactName())))
		if s.proxyCache != "" {
			suppress(access, "AwsSolutions-IAM5",
				"the hosts pull the proxy image through the app's own pull-through cache rule: the repositories ECR creates under its prefix on the first pull (Amazon ECR user guide, \"IAM permissions required to sync an upstream registry\")",
				regex(`^Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/`+regexp.QuoteMeta(s.proxyCache)+`/\*$`))
		}
		suppress(access, "AwsSolutions-IAM5",
			"the deploy hooks read the app's settings under its own Parameter Store path /<appName>/ (GetParametersByPath needs the path wildcard)",
			regex(`^Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/[a-z0-9-]+(/[A-Za-z0-9_-]+)?/\*$`))
	}

	// The managed host.
	if host := scope.Node().TryFindChild(jsii.String("Host")); host != nil {
		suppress(host, "AwsSolutions-EC23",
			"the managed host serves the app on its HTTP port to the range set by ingressCidr (the public internet by default, as a web app must); no other port is open")
		suppress(host, "AwsSolutions-EC28",
			"one host whose health is checked by each deployment's ValidateService hook; basic (5-minute) monitoring is kept to avoid detailed monitoring's cost")
		suppress(host, "AwsSolutions-EC29",
			"the managed host is disposable: its software comes from user data, the image from ECR and settings from Parameter Store; termination protection would block the stack replacing it")
	}

}

// suppressCheck covers the environments' check project.
func suppressCheck(project constructs.IConstruct, artifact []any, artifactReason string) {
	suppress(project, "AwsSolutions-IAM5", artifactReason, artifact...)
	suppress(project, "AwsSolutions-IAM5",
		"CodeBuild's default grant: log streams of the project's own /aws/codebuild/<project> log group; stream names are generated per build",
		regex(`^Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<[A-Za-z0-9]+>:\*$`))
	suppress(project, "AwsSolutions-IAM5",
		"CodeBuild's default grant: test report groups named after the project (<project>-*)",
		regex(`^Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<[A-Za-z0-9]+>-\*$`))
	suppress(project, "AwsSolutions-CB4",
		"the check has no output: it requests the environment's URL and runs a command from the source artifact, which the artifact bucket already encrypts")
}

// suppressTargetStack covers the stack of an environment in another account.
func suppressTargetStack(t *TargetStack) {
	suppress(t.DeploymentGroup.DeploymentGroup(), "AwsSolutions-IAM4",
		"AWSCodeDeployRole is the service role policy AWS documents for EC2/on-premises deployments (CodeDeploy user guide, \"Create a service role\"); "+
			"it needs to describe instances and Auto Scaling groups found by tag at deploy time",
		regex(`^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRole$`))
	const crossAccount = "the pipeline's artifact bucket, its key and its image repository are in the pipeline's account, whose resource policies admit this role by name; " +
		"their names are generated there and unknown here, so the statement names the account (s3:ResourceAccount, or the account in the ARN) and the deploy bundles' keys (*/Bundle/*) instead"
	roles := t.Roles
	suppress(roles.DeployRole(), "AwsSolutions-IAM5", crossAccount,
		regex(`^Resource::arn:<AWS::Partition>:s3:::\*$`), regex(`^Resource::arn:<AWS::Partition>:s3:::\*/\*/Bundle/\*$`), regex(`^Resource::arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key/\*$`),
		"Action::s3:GetBucket*", "Action::s3:GetObject*", "Action::s3:List*")
	suppress(roles.DeployRole(), "AwsSolutions-IAM5",
		"CodePipeline's CodeDeploy action reads the deployment config it deploys with, a predefined one (CodeDeployDefault.*) or the group's own",
		regex(`^Resource::arn:aws:codedeploy:[a-z0-9-]+:[0-9]{12}:deploymentconfig:\*$`))
	suppress(roles.HostRole(), "AwsSolutions-IAM5", crossAccount,
		regex(`^Resource::arn:<AWS::Partition>:s3:::\*/\*/Bundle/\*$`), regex(`^Resource::arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key/\*$`),
		regex(`^Resource::arn:aws:ecr:[a-z0-9-]+:[0-9]{12}:repository/\*$`))
	suppress(roles.HostRole(), "AwsSolutions-IAM5",
		"ecr:GetAuthorizationToken (docker login on the host) has no resource-level permissions: AWS requires Resource \"*\"; "+
			"the managed-node statements (SSM Agent registration, the agent-install association, Session Manager channels) are AmazonSSMManagedInstanceCore's own, on \"*\" as AWS grants them, without its parameter reads",
		"Resource::*")
	suppress(roles.HostRole(), "AwsSolutions-IAM5",
		"the deploy hooks read the environment's settings under its own Parameter Store path (GetParametersByPath needs the path wildcard; a recursive read is denied)",
		regex(`^Resource::arn:aws:ssm:[a-z0-9-]+:[0-9]{12}:parameter/[a-z0-9-]+/[A-Za-z0-9_-]+/\*$`))
	if t.DiffReader != nil {
		suppress(t.DiffReader, "AwsSolutions-IAM5",
			"cdk diff reads this stack's own template and status; a stack ARN ends in the stack id CloudFormation generates, hence stack/<name>/*",
			regex(`^Resource::arn:<AWS::Partition>:cloudformation:[a-z0-9-]+:[0-9]{12}:stack/[A-Za-z0-9-]+/\*$`))
	}
}
