package config

import (
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"

	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// Config is everything a user sets for the pipeline stack, in typed form.
// FromContext builds it from CDK context; Default gives the defaults of the
// settings table. A Config built or changed in Go is checked by Validate.
type Config struct {
	// AppName names the application: the prefix of its Parameter Store path
	// (/<appName>/), the deploy directory on hosts (/opt/<appName>) and the
	// default deployment tag value. Setting appName.
	AppName string

	// GitHubOwner is the user or organisation owning the app repository.
	// Setting githubOwner.
	GitHubOwner string
	// GitHubRepo is the app repository's name, without the owner.
	// Setting githubRepo.
	GitHubRepo string
	// GitHubBranch is the branch whose pushes start the pipeline, by its
	// short name ("main", not "refs/heads/main"). Setting githubBranch.
	GitHubBranch string
	// ConnectionArn is an existing CodeConnections (or CodeStar Connections)
	// connection. Empty: the stack creates one, which must be completed once
	// in the console. Setting connectionArn.
	ConnectionArn string

	// ApproverEmails are subscribed to the approval topic. Setting
	// approverEmails; see Subscribers for the addresses actually subscribed.
	ApproverEmails []string
	// ApprovalTopicArn reuses an existing SNS topic for approvals and
	// notifications instead of creating one. Setting approvalTopicArn.
	ApprovalTopicArn string
	// ApprovalTopicKeyArn is the KMS key of an existing encrypted topic, so
	// that publishers are granted its use. Setting approvalTopicKeyArn.
	ApprovalTopicKeyArn string
	// ApprovalPosition places the manual approval stage. Setting
	// approvalPosition.
	ApprovalPosition releasepipeline.ApprovalPosition
	// ApprovalSlack and ApprovalTeams announce every approval in a chat
	// channel through AWS Chatbot, where its members can answer it. Nil:
	// no channel. Settings approvalSlackWorkspaceId and
	// approvalSlackChannelId; approvalTeamsTenantId, approvalTeamsTeamId and
	// approvalTeamsChannelId.
	ApprovalSlack *SlackChannel
	ApprovalTeams *TeamsChannel

	// Buildspec is the path of a buildspec file in the app repository.
	// Empty: shipline's managed buildspec and deploy bundle (the setting's
	// value "managed"). Setting buildspec.
	Buildspec string
	// Dockerfile is the Dockerfile's path in the app repository (managed
	// buildspec). Setting dockerfile.
	Dockerfile string
	// BuildContext is the Docker build context in the app repository, "."
	// for its root (managed buildspec). Setting buildContext.
	BuildContext string
	// BuildComputeType is the CodeBuild compute size. Setting
	// buildComputeType (with or without the BUILD_GENERAL1_ prefix).
	BuildComputeType awscodebuild.ComputeType
	// BuildTimeout is the build's timeout, in whole minutes. Setting
	// buildTimeoutMinutes.
	BuildTimeout time.Duration
	// BuildConcurrencyLimit caps concurrent builds; 0 means no limit.
	// Setting buildConcurrencyLimit.
	BuildConcurrencyLimit int
	// BuildSecrets maps a build secret id to the Parameter Store parameter
	// holding its value. Setting buildSecrets.
	BuildSecrets map[string]string
	// Architecture is the CPU architecture of the image, the build machine
	// and managed hosts. Setting architecture ("x86_64" or "arm64").
	Architecture awsec2.InstanceArchitecture
	// LogRetention is how long the build logs and the app's logs are kept.
	// Setting logRetentionDays.
	LogRetention awslogs.RetentionDays
	// KeepReleaseImages is how many release images (sha-* tags) the image
	// repository keeps. Setting keepReleaseImages.
	KeepReleaseImages int
	// ArtifactExpiration is how long pipeline artifacts are kept, in whole
	// days. Setting artifactExpirationDays.
	ArtifactExpiration time.Duration

	// DeployTagKey is the EC2 tag key that selects deployment targets.
	// Setting deployTagKey.
	DeployTagKey string
	// DeployTagValues are the tag values that select targets (any of them).
	// Empty: the app name; see InstanceTags. Setting deployTagValues.
	DeployTagValues []string
	// AutoScalingGroupName targets an existing Auto Scaling group, instead
	// of or besides tagged instances. Setting autoScalingGroupName.
	AutoScalingGroupName string
	// TargetGroupArn puts deployments behind an existing ALB target group.
	// Setting targetGroupArn.
	TargetGroupArn string
	// DeploymentConfig says how many hosts are updated at a time. Settings
	// deploymentConfig and minHealthyHosts.
	DeploymentConfig DeploymentConfig
	// AgentInstall is how the CodeDeploy agent reaches the hosts. Setting
	// agentInstall.
	AgentInstall serverdeploy.AgentMode
	// AgentSchedule is the State Manager schedule of AgentInstall
	// serverdeploy.AgentSchedule. Setting agentSchedule.
	AgentSchedule string

	// ManagedHost creates an Amazon Linux 2023 host with Docker, Compose and
	// the agent. Setting managedHost.
	ManagedHost bool
	// HostInstanceType is the managed host's instance type. Empty: the
	// host's default for Architecture. Setting hostInstanceType.
	HostInstanceType string
	// VpcID is an existing VPC for the managed host. Empty: a new VPC.
	// Setting vpcId.
	VpcID string
	// Subnets are public subnets of VpcID with their zones. Settings
	// subnetIds and availabilityZones (paired in order).
	Subnets []Subnet
	// IngressCidr is the IPv4 range allowed to reach the managed host's HTTP
	// port. Setting ingressCidr.
	IngressCidr string

	// AppPort is the port the app container listens on. Setting appPort.
	AppPort int
	// HTTPPort is the port the proxy serves on the host. Setting httpPort.
	HTTPPort int
	// HealthCheckPath is the path ValidateService checks. Setting
	// healthCheckPath.
	HealthCheckPath string

	// HealthTimeout is how long a new release has to turn healthy on a host,
	// in whole seconds (managed buildspec). Setting healthTimeoutSeconds.
	HealthTimeout time.Duration
	// KeepReleases is how many release images each host keeps for a rollback
	// without the registry (managed buildspec). Setting keepReleases.
	KeepReleases int
	// RequiredSettings are the setting names a host checks for before it
	// changes anything (managed buildspec). Setting requiredSettings.
	RequiredSettings []string
	// ProxyImage overrides the hosts' proxy image, pinned by digest. Empty:
	// the default nginx image (managed buildspec). Setting proxyImage.
	ProxyImage string

	// RemovalPolicy applies to the stateful resources (images, artifacts,
	// logs): RETAIN or DESTROY. Setting removalPolicy ("retain" or "destroy").
	RemovalPolicy awscdk.RemovalPolicy
	// Nag applies the cdk-nag AwsSolutions rules at synth. Setting nag.
	Nag bool

	// Account and Region place the pipeline's stack; an environment in
	// another account needs the Account. Empty: the stack is
	// environment-agnostic (the account and Region of the credentials at
	// deploy time). Settings account and region.
	Account string
	Region  string
	// Environments replace the single deploy target: the one build is
	// deployed to each, in order. Setting environments.
	Environments []Environment

	// DiffRole creates a role that pull requests of the repository holding
	// this CDK app assume to run `cdk diff`. Nil: no role. Settings
	// diffRoleRepo and diffRoleProviderArn.
	DiffRole *DiffRole
}

// DeploymentConfig is a predefined CodeDeploy deployment config or a custom
// minimum of healthy hosts; exactly one of the two is set.
type DeploymentConfig struct {
	// Predefined is OneAtATime, HalfAtATime or AllAtOnce (the
	// CodeDeployDefault. prefix removed). Empty when MinHealthy is set.
	Predefined string
	// MinHealthy is a custom config's minimum of healthy hosts.
	MinHealthy *MinHealthyHosts
}

// MinHealthyHosts is the minimum of hosts that stay healthy during a
// deployment: a count, or a percentage of the hosts.
type MinHealthyHosts struct {
	// Value is the count, or the percentage when Percent is true.
	Value int
	// Percent makes Value a percentage (0-99).
	Percent bool
}

// The predefined deployment configs, without their CodeDeployDefault. prefix.
const (
	OneAtATime  = "OneAtATime"
	HalfAtATime = "HalfAtATime"
	AllAtOnce   = "AllAtOnce"
)

var predefinedConfigs = []string{OneAtATime, HalfAtATime, AllAtOnce}

// Subnet is an existing public subnet and its availability zone.
type Subnet struct {
	// ID is the subnet id, such as subnet-0abc1234def567890.
	ID string
	// Zone is its availability zone, such as eu-west-1a.
	Zone string
}

// DiffRole is the GitHub repository whose pull requests may run `cdk diff`.
type DiffRole struct {
	// Owner and Repo name the repository holding this CDK app.
	Owner, Repo string
	// ProviderArn reuses the account's GitHub OIDC provider. Empty: the
	// stack creates it.
	ProviderArn string
}

// Placeholder values of the stock cdk.json: the stack synthesizes with them
// and warns until they are replaced.
const (
	PlaceholderOwner = "your-github-owner"
	PlaceholderRepo  = "your-app-repo"
	PlaceholderEmail = "approver@example.com"
)

// ParameterPath is the Parameter Store path of the app's settings,
// "/<appName>/".
func (c Config) ParameterPath() string { return "/" + c.AppName + "/" }

// BuildSecretsPath is where build secrets live, "/<appName>/build/": the
// hosts never read that subtree.
func (c Config) BuildSecretsPath() string { return c.ParameterPath() + serverdeploy.BuildSecretsDir }

// ManagedBuild tells whether shipline's managed buildspec builds the image.
func (c Config) ManagedBuild() bool { return c.Buildspec == "" }

// InstanceTags is the tag filter of the deployment targets: DeployTagKey
// with DeployTagValues (default: the app name). Nil when an Auto Scaling
// group is the only target (autoScalingGroupName without deployTagValues).
func (c Config) InstanceTags() map[string][]string {
	if c.AutoScalingGroupName != "" && len(c.DeployTagValues) == 0 {
		return nil
	}
	values := c.DeployTagValues
	if len(values) == 0 {
		values = []string{c.AppName}
	}
	return map[string][]string{c.DeployTagKey: slices.Clone(values)}
}

// Subscribers are the approver addresses to subscribe. An existing topic has
// its own subscribers: the stock placeholder address is not subscribed to it.
func (c Config) Subscribers() []string {
	if c.ApprovalTopicArn == "" {
		return slices.Clone(c.ApproverEmails)
	}
	return slices.DeleteFunc(slices.Clone(c.ApproverEmails), func(e string) bool {
		return strings.EqualFold(e, PlaceholderEmail)
	})
}

// DeployParameters are the non-secret settings the deploy hooks read from
// Parameter Store under ParameterPath. Their names are a contract with the
// bundle (package bundle); the user adds SecureString values beside them.
func (c Config) DeployParameters() map[string]string {
	return map[string]string{
		"APP_PORT":          itoa(c.AppPort),
		"HTTP_PORT":         itoa(c.HTTPPort),
		"HEALTH_CHECK_PATH": c.HealthCheckPath,
	}
}
