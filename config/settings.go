package config

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// Setting is one context key a user can set. The table of settings is the
// one home of each default: Default, FromContext and the README's config
// reference all read it.
type Setting struct {
	// Key is the context key, as in cdk.json and `-c key=value`.
	Key string
	// Default is the value used when the key is absent, in its cdk.json
	// (JSON) form.
	Default any
	// Doc is the reference text of the setting (Markdown).
	Doc    string
	decode decoder
}

// Settings lists every context key shipline reads, in reference order.
func Settings() []Setting { return settings }

// Ranges of the numeric settings, shared by their decoders, their checks
// and their documentation.
var (
	buildTimeoutRange = span{5, 2160} // CodeBuild's limits, in minutes
	concurrencyRange  = span{1, 100}
	keepImagesRange   = span{1, 1000}
	artifactDaysRange = span{1, 3650}
	portRange         = span{1, 65535}
	// The ApplicationStart hook (600 s) also switches and drains.
	healthTimeoutRange = span{dockerbuild.MinHealthTimeout, dockerbuild.MaxHealthTimeout}
	keepReleasesRange  = span{1, dockerbuild.MaxKeepReleases}
)

const concurrencyWant = "0 (no limit) or 1-100"

var (
	approvalNames = []string{string(releasepipeline.BeforeBuild), string(releasepipeline.BeforeDeploy)}
	approvalTypes = []releasepipeline.ApprovalPosition{releasepipeline.BeforeBuild, releasepipeline.BeforeDeploy}
	archNames     = []string{"x86_64", "arm64"}
	archTypes     = []awsec2.InstanceArchitecture{awsec2.InstanceArchitecture_X86_64, awsec2.InstanceArchitecture_ARM_64}
	agentNames    = []string{"never", "once", "now", "schedule"}
	agentTypes    = []serverdeploy.AgentMode{serverdeploy.AgentNever, serverdeploy.AgentOnce, serverdeploy.AgentNow, serverdeploy.AgentSchedule}
	removalNames  = []string{"retain", "destroy"}
	removalTypes  = []awscdk.RemovalPolicy{awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_DESTROY}
	computeNames  = []string{"SMALL", "MEDIUM", "LARGE", "X_LARGE", "X2_LARGE"}
	computeTypes  = []awscodebuild.ComputeType{awscodebuild.ComputeType_SMALL, awscodebuild.ComputeType_MEDIUM, awscodebuild.ComputeType_LARGE, awscodebuild.ComputeType_X_LARGE, awscodebuild.ComputeType_X2_LARGE}
)

// buildspecManaged is the buildspec setting's value for shipline's own.
const buildspecManaged = "managed"

var settings = []Setting{
	{"appName", "myapp", "Application name: Parameter Store path `/<appName>/`, host directory `/opt/<appName>`, default deploy tag value. 3-32 of `a-z 0-9 -`, starting with a letter.", text(func(c *Config) *string { return &c.AppName })},
	{"githubOwner", PlaceholderOwner, "GitHub user or organisation that owns the app repository (placeholder until set).", text(func(c *Config) *string { return &c.GitHubOwner })},
	{"githubRepo", PlaceholderRepo, "App repository name (placeholder until set).", text(func(c *Config) *string { return &c.GitHubRepo })},
	{"githubBranch", "main", "Branch whose pushes start the pipeline, by its short name (`main`, not `refs/heads/main`).", text(func(c *Config) *string { return &c.GitHubBranch })},
	{"connectionArn", "", "Existing CodeConnections connection ARN (`codeconnections` or `codestar-connections`). Empty: the stack creates one, to be completed once in the console.", text(func(c *Config) *string { return &c.ConnectionArn })},
	{"approverEmails", []any{PlaceholderEmail}, "Emails subscribed to the approval topic (list, or comma-separated with `-c`). The placeholder is never subscribed to an existing `approvalTopicArn`.", list(func(b *builder) *[]string { return &b.c.ApproverEmails })},
	{"approvalTopicArn", "", "Existing SNS topic for approvals and notifications. Empty: the stack creates one.", text(func(c *Config) *string { return &c.ApprovalTopicArn })},
	{"approvalTopicKeyArn", "", "KMS key ARN (single- or multi-Region) of an encrypted `approvalTopicArn`, so that CodePipeline and CodeDeploy are granted its use.", text(func(c *Config) *string { return &c.ApprovalTopicKeyArn })},
	{"approvalPosition", "beforeBuild", "`beforeBuild` (Source → Approval → Build → Deploy) or `beforeDeploy` (Source → Build → Approval → Deploy).", choice(func(c *Config) *releasepipeline.ApprovalPosition { return &c.ApprovalPosition }, approvalNames, approvalTypes)},
	{keySlackWorkspace, "", "Slack workspace id (`T0123ABCD`) authorized with AWS Chatbot: every approval is also announced in the Slack channel `approvalSlackChannelId`, whose members can approve or reject it (see README). Empty: no Slack channel.", scratch(func(b *builder) *string { return &b.slackWorkspace })},
	{keySlackChannel, "", "Slack channel id (`C0123ABCD`) for the approvals, with `approvalSlackWorkspaceId`.", scratch(func(b *builder) *string { return &b.slackChannel })},
	{keyTeamsTenant, "", "Microsoft Teams tenant id (a UUID): every approval is also announced in the Teams channel `approvalTeamsChannelId` of team `approvalTeamsTeamId`, authorized with AWS Chatbot (see README). Empty: no Teams channel.", scratch(func(b *builder) *string { return &b.teamsTenant })},
	{keyTeamsTeam, "", "Microsoft Teams team id (a UUID), with `approvalTeamsTenantId`.", scratch(func(b *builder) *string { return &b.teamsTeam })},
	{keyTeamsChannel, "", "Microsoft Teams channel id (`19:...@thread.tacv2`, plain or URL-encoded), with `approvalTeamsTenantId`.", scratch(func(b *builder) *string { return &b.teamsChannel })},
	{"buildspec", buildspecManaged, "`managed` (shipline's buildspec and deploy bundle) or the path of a buildspec file in the app repository, e.g. `buildspec.yml`.", scratch(func(b *builder) *string { return &b.buildspec })},
	{"dockerfile", "Dockerfile", "Dockerfile path in the app repository (managed buildspec).", text(func(c *Config) *string { return &c.Dockerfile })},
	{"buildContext", ".", "Docker build context in the app repository (managed buildspec).", text(func(c *Config) *string { return &c.BuildContext })},
	{"buildComputeType", "SMALL", "CodeBuild compute: `SMALL`, `MEDIUM`, `LARGE`, `X_LARGE`, `X2_LARGE` (the `BUILD_GENERAL1_` prefix is optional).", computeType},
	{"buildTimeoutMinutes", 30, fmt.Sprintf("Build timeout, %s minutes.", buildTimeoutRange), duration(func(c *Config) *time.Duration { return &c.BuildTimeout }, time.Minute, buildTimeoutRange.String())},
	{"buildConcurrencyLimit", 1, "Concurrent builds allowed, " + concurrencyWant + ".", number(func(c *Config) *int { return &c.BuildConcurrencyLimit }, concurrencyWant)},
	{"buildSecrets", map[string]any{}, "Build secrets: secret id → Parameter Store name, under `/<appName>/build/` (which hosts cannot read) or outside `/<appName>/`. Passed to `docker build` as BuildKit secrets, never as build args. With `-c`: `ID=/param,ID2=/param2`.", pairs(func(c *Config) *map[string]string { return &c.BuildSecrets })},
	{"architecture", "x86_64", "CPU architecture of the image, the build machine and managed hosts: `x86_64` or `arm64`.", choice(func(c *Config) *awsec2.InstanceArchitecture { return &c.Architecture }, archNames, archTypes)},
	{"logRetentionDays", 30, "Retention in days of the build logs and the app's logs (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, ...).", logRetention},
	{"keepReleaseImages", 20, fmt.Sprintf("Release images (`sha-*` tags) kept in the repository, %s; untagged images expire after a day.", keepImagesRange), number(func(c *Config) *int { return &c.KeepReleaseImages }, keepImagesRange.String())},
	{"artifactExpirationDays", 30, fmt.Sprintf("Days before pipeline artifacts expire, %s.", artifactDaysRange), duration(func(c *Config) *time.Duration { return &c.ArtifactExpiration }, 24*time.Hour, artifactDaysRange.String())},
	{"deployTagKey", "App", "EC2 tag key that selects the deployment targets.", text(func(c *Config) *string { return &c.DeployTagKey })},
	{"deployTagValues", []any{}, "Tag values that select targets (any of them). Empty: `[appName]`.", list(func(b *builder) *[]string { return &b.c.DeployTagValues })},
	{"autoScalingGroupName", "", "Existing Auto Scaling group to deploy to, instead of or besides tagged instances.", text(func(c *Config) *string { return &c.AutoScalingGroupName })},
	{"targetGroupArn", "", "Existing ALB target group: instances leave traffic while they are deployed.", text(func(c *Config) *string { return &c.TargetGroupArn })},
	{"deploymentConfig", OneAtATime, "`OneAtATime`, `HalfAtATime` or `AllAtOnce` (the `CodeDeployDefault.` prefix is optional).", scratch(func(b *builder) *string { return &b.deploymentConfig })},
	{"minHealthyHosts", "", "Custom deployment config instead: `N%` (0-99) or a host count, e.g. `75%`.", scratch(func(b *builder) *string { return &b.minHealthy })},
	{"agentInstall", "once", "CodeDeploy agent on target hosts: `never`, `once`, `now` (update now) or `schedule`.", choice(func(c *Config) *serverdeploy.AgentMode { return &c.AgentInstall }, agentNames, agentTypes)},
	{"agentSchedule", "", "With `agentInstall: schedule`: `rate(14 days)` or `cron(0 3 ? * SUN *)`.", text(func(c *Config) *string { return &c.AgentSchedule })},
	{"managedHost", false, "Create an Amazon Linux 2023 host with Docker, Compose and the agent.", flag(func(c *Config) *bool { return &c.ManagedHost })},
	{"hostInstanceType", "", "Managed host instance type. Empty: `t3.small` (x86_64) or `t4g.small` (arm64).", text(func(c *Config) *string { return &c.HostInstanceType })},
	{"vpcId", "", "Managed host VPC. Empty: a new VPC with public subnets and no NAT gateway.", text(func(c *Config) *string { return &c.VpcID })},
	{"subnetIds", []any{}, "Public subnets of `vpcId` for the managed host.", list(func(b *builder) *[]string { return &b.subnetIDs })},
	{"availabilityZones", []any{}, "Availability zones of `subnetIds`, in the same order (all in one Region).", list(func(b *builder) *[]string { return &b.zones })},
	{"ingressCidr", "0.0.0.0/0", "IPv4 range allowed to reach the managed host's HTTP port.", text(func(c *Config) *string { return &c.IngressCidr })},
	{"appPort", 8080, fmt.Sprintf("Port the app container listens on, %s (Parameter Store `/<appName>/APP_PORT`).", portRange), number(func(c *Config) *int { return &c.AppPort }, portRange.String())},
	{"httpPort", 80, fmt.Sprintf("Port the proxy serves on the host, %s (`/<appName>/HTTP_PORT`).", portRange), number(func(c *Config) *int { return &c.HTTPPort }, portRange.String())},
	{"healthCheckPath", "/health", "Path checked by ValidateService (`/<appName>/HEALTH_CHECK_PATH`).", text(func(c *Config) *string { return &c.HealthCheckPath })},
	{"healthTimeoutSeconds", 60, fmt.Sprintf("Seconds a new release has to turn healthy on a host before the deployment fails and the live release keeps serving, %s (managed buildspec).", healthTimeoutRange), duration(func(c *Config) *time.Duration { return &c.HealthTimeout }, time.Second, healthTimeoutRange.String())},
	{"keepReleases", 3, fmt.Sprintf("Release images each host keeps for a rollback without the registry, %s (managed buildspec).", keepReleasesRange), number(func(c *Config) *int { return &c.KeepReleases }, keepReleasesRange.String())},
	{"requiredSettings", []any{}, "Setting names (`A-Z 0-9 _`) that must exist under `/<appName>/`; a host checks them before it changes anything and names every missing one (managed buildspec).", list(func(b *builder) *[]string { return &b.c.RequiredSettings })},
	{"proxyImage", "", "The hosts' proxy (nginx) image, pinned by digest (`repository[:tag]@sha256:<digest>`); the hosts must be able to pull it. Empty: the official nginx image from the ECR Public gallery, through the account's own ECR (managed buildspec).", text(func(c *Config) *string { return &c.ProxyImage })},
	{"removalPolicy", "retain", "`retain` keeps images, artifacts and logs when the stack is destroyed; `destroy` deletes them.", choice(func(c *Config) *awscdk.RemovalPolicy { return &c.RemovalPolicy }, removalNames, removalTypes)},
	{"diffRoleRepo", "", "`owner/repo` of the repository holding this CDK app: creates a role its pull requests assume (GitHub OIDC) to run `cdk diff`. Empty: no role.", scratch(func(b *builder) *string { return &b.diffRepo })},
	{"diffRoleProviderArn", "", "Existing GitHub OIDC provider for the diff role (an account holds one per URL). Empty: the stack creates it.", scratch(func(b *builder) *string { return &b.diffProvider })},
	{"account", "", "AWS account id of the pipeline's stack; required when an environment has an `account` of its own. Empty: the account of the credentials at deploy time.", text(func(c *Config) *string { return &c.Account })},
	{"region", "", "AWS Region of the pipeline's stack (and of each environment without a `region` of its own), with `account`. Empty: the Region of the credentials at deploy time.", text(func(c *Config) *string { return &c.Region })},
	{"environments", []any{}, "Ordered environments, each deploying the same build: objects with `name` (required; stages `Deploy-<name>`, `Approve-<name>`), targets `deployTagValues` (default `[<appName>-<name>]`), `autoScalingGroupName` or `managedHost`, `targetGroupArn` with `loadBalancerArn` (default 5xx and unhealthy-host alarms), `deploymentConfig` or `minHealthyHosts`, `agentInstall`, `parameterPath` (default `/<appName>/<name>/`), `approval` (true: approve before it), `alarms` (alarm names that roll a deployment back and hold the next environment), `url` with `checkAttempts` (10), `checkIntervalSeconds` (10) and `checkCommand` (checked after the deployment; a failure rolls the stage back), `account` and `region` (another account or Region: see README). Empty: the single target of the settings above.", environmentsSetting},
	{"nag", false, "Apply the cdk-nag AwsSolutions rules at synth.", flag(func(c *Config) *bool { return &c.Nag })},
}

// scratch decodes a string the builder combines with other settings before
// it becomes part of the Config.
func scratch(field func(*builder) *string) decoder {
	return func(b *builder, key string, raw any) error {
		s, ok := raw.(string)
		if !ok {
			return bad(key, raw, "a string")
		}
		*field(b) = strings.TrimSpace(s)
		return nil
	}
}

// computeType accepts the CDK's names with or without CodeBuild's
// BUILD_GENERAL1_ prefix; the prefix is removed here and nowhere else.
func computeType(b *builder, key string, raw any) error {
	if s, ok := raw.(string); ok {
		raw = strings.TrimPrefix(strings.TrimSpace(s), "BUILD_GENERAL1_")
	}
	if err := choice(func(c *Config) *awscodebuild.ComputeType { return &c.BuildComputeType }, computeNames, computeTypes)(b, key, raw); err != nil {
		return bad(key, raw, "one of %s", strings.Join(computeNames, ", "))
	}
	return nil
}

// Markdown renders the config reference table of the README.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| Setting | Default | What it does |\n|---|---|---|\n")
	for _, s := range settings {
		def, _ := json.Marshal(s.Default)
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", s.Key, def, strings.ReplaceAll(s.Doc, "|", `\|`))
	}
	return b.String()
}
