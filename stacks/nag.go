package stacks

import (
	"fmt"
	"regexp"

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
	const artifactReason = "CodePipeline's artifact grants: read/write on the pipeline's own artifact bucket; " +
		"object keys are generated per execution, so the object ARN ends in /*"

	// The pipeline, its source role and its action roles.
	suppress(s.Pipeline, "AwsSolutions-IAM5", artifactReason, artifact...)
	suppress(s.Pipeline, "AwsSolutions-IAM5",
		"the approval action publishes to the KMS-encrypted approval topic; SNS needs kms:GenerateDataKey* on that one key (the grant names the key ARN)",
		"Action::kms:GenerateDataKey*")

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

	// The CodeDeploy service role.
	group := s.DeploymentGroup.DeploymentGroup()
	suppress(group, "AwsSolutions-IAM4",
		"AWSCodeDeployRole is the service role policy AWS documents for EC2/on-premises deployments (CodeDeploy user guide, \"Create a service role\"); "+
			"it needs to describe instances and Auto Scaling groups found by tag at deploy time",
		regex(`^Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRole$`))
	suppress(group, "AwsSolutions-IAM5",
		"deployment triggers publish to the KMS-encrypted approval topic; SNS needs kms:GenerateDataKey* on that one key (the grant names the key ARN)",
		"Action::kms:GenerateDataKey*")

	// The policy of the deployment targets (any host, managed or not).
	if access := s.Node().TryFindChild(jsii.String("HostAccess")); access != nil {
		suppress(access, "AwsSolutions-IAM5",
			"ecr:GetAuthorizationToken (docker login on the host) has no resource-level permissions: AWS requires Resource \"*\" (ECR user guide, \"Private registry authentication\"); "+
				"the managed-node statements (SSM Agent registration, the agent-install association, Session Manager channels) are AmazonSSMManagedInstanceCore's own, on \"*\" as AWS grants them, without its parameter reads",
			"Resource::*")
		suppress(access, "AwsSolutions-IAM5",
			"the CodeDeploy agent downloads deployment revisions (s3:GetObject): the bundle artifact's objects of the pipeline's own artifact bucket, <pipeline>/<artifact>/<key>, whose pipeline part and key are generated",
			fmt.Sprintf("Resource::<%s.Arn>/%s", logicalID(s, s.Pipeline.ArtifactBucket()), serverdeploy.BundleObjects(*s.Pipeline.BundleArtifact().ArtifactName())))
		suppress(access, "AwsSolutions-IAM5",
			"the deploy hooks read the app's settings under its own Parameter Store path /<appName>/ (GetParametersByPath needs the path wildcard)",
			regex(`^Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/[a-z0-9-]+/\*$`))
	}

	// The managed host.
	if host := s.Node().TryFindChild(jsii.String("Host")); host != nil {
		suppress(host, "AwsSolutions-EC23",
			"the managed host serves the app on its HTTP port to the range set by ingressCidr (the public internet by default, as a web app must); no other port is open")
		suppress(host, "AwsSolutions-EC28",
			"one host whose health is checked by each deployment's ValidateService hook; basic (5-minute) monitoring is kept to avoid detailed monitoring's cost")
		suppress(host, "AwsSolutions-EC29",
			"the managed host is disposable: its software comes from user data, the image from ECR and settings from Parameter Store; termination protection would block the stack replacing it")
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
