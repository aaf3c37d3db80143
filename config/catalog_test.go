package config_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shipline/shipline/config"
)

// badConfig is one mistake a user can make in cdk.json or with `-c`, and the
// line that must reach them: the setting, the value received and what is
// allowed.
type badConfig struct {
	name    string
	ctx     map[string]any
	setting string // the line starts with "<setting>: got "
	got     string // the value as the message shows it
	want    string // a fragment of what is allowed
}

// Helpers that build context maps the way the two sources deliver them:
// cdk.json gives JSON types, `-c key=value` always gives strings.
func js(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func list(items ...any) []any { return items }

// env is an environment object of the environments setting.
func env(kv ...any) map[string]any { return js(kv...) }

const goodLoadBalancer = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/fedcba9876543210"

var (
	goodConnection = "arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	goodTopic      = "arn:aws:sns:eu-west-1:123456789012:approvals"
	goodTargetGrp  = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
	goodUUID       = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	// A Teams channel id as Teams' "Copy link" gives it.
	goodTeamsChannel = "19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2"
)

// catalog lists the bad configs. Every entry must fail with its line.
var catalog = []badConfig{
	// appName
	{"appName uppercase and underscore", js("appName", "My_App"), "appName", `"My_App"`, "3-32 characters of a-z"},
	{"appName too short (-c)", js("appName", "ab"), "appName", `"ab"`, "3-32 characters"},
	{"appName too long", js("appName", strings.Repeat("a", 33)), "appName", `"` + strings.Repeat("a", 33) + `"`, "3-32 characters"},
	{"appName starts with digit", js("appName", "1app"), "appName", `"1app"`, "starting with a letter"},
	{"appName double hyphen", js("appName", "my--app"), "appName", `"my--app"`, "single hyphens"},
	{"appName trailing hyphen", js("appName", "myapp-"), "appName", `"myapp-"`, "ending with a letter or digit"},
	{"appName reserved aws prefix", js("appName", "awsapp"), "appName", `"awsapp"`, `not starting with "aws" or "ssm"`},
	{"appName reserved ssm prefix", js("appName", "ssm-web"), "appName", `"ssm-web"`, `not starting with "aws" or "ssm"`},
	{"appName a number in cdk.json", js("appName", 42.0), "appName", "42", "a string"},
	{"appName a list in cdk.json", js("appName", list("a")), "appName", "a list", "a string"},
	{"appName null in cdk.json", js("appName", nil), "appName", "null", "a string"},

	// GitHub source
	{"githubOwner with slash", js("githubOwner", "acme/web"), "githubOwner", `"acme/web"`, "GitHub user or organisation"},
	{"githubOwner leading hyphen", js("githubOwner", "-acme"), "githubOwner", `"-acme"`, "not starting or ending with a hyphen"},
	{"githubOwner empty", js("githubOwner", ""), "githubOwner", `""`, "1-39 letters"},
	{"githubRepo with .git", js("githubRepo", "web.git"), "githubRepo", `"web.git"`, "without the owner or a .git suffix"},
	{"githubRepo owner/repo", js("githubRepo", "acme/web"), "githubRepo", `"acme/web"`, "without the owner"},
	{"githubRepo dot-dot", js("githubRepo", ".."), "githubRepo", `".."`, "a repository name"},
	{"githubBranch with space", js("githubBranch", "my branch"), "githubBranch", `"my branch"`, "a Git branch name"},
	{"githubBranch wildcard", js("githubBranch", "release/*"), "githubBranch", `"release/*"`, "'*'"},
	{"githubBranch dot-dot", js("githubBranch", "a..b"), "githubBranch", `"a..b"`, "'..'"},
	{"githubBranch .lock", js("githubBranch", "main.lock"), "githubBranch", `"main.lock"`, `".lock"`},
	{"githubBranch empty", js("githubBranch", ""), "githubBranch", `""`, "a Git branch name"},
	{"connectionArn wrong service", js("connectionArn", "arn:aws:codebuild:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), "connectionArn", `"arn:aws:codebuild:`, "arn:aws:codeconnections:"},
	{"connectionArn short account", js("connectionArn", "arn:aws:codeconnections:eu-west-1:1234:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), "connectionArn", `"arn:aws:codeconnections:eu-west-1:1234:`, "<account>"},
	{"connectionArn not a uuid", js("connectionArn", "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc"), "connectionArn", `connection/abc"`, "connection/<uuid>"},
	{"connectionArn just a name", js("connectionArn", "my-github"), "connectionArn", `"my-github"`, "empty (create a connection)"},

	// Approval
	{"approverEmails empty list", js("approverEmails", list()), "approverEmails", `""`, "at least one address"},
	{"approverEmails empty -c", js("approverEmails", ""), "approverEmails", `""`, "at least one address"},
	{"approverEmails bad address", js("approverEmails", list("ops.example.com")), "approverEmails", `"ops.example.com"`, "an email address"},
	{"approverEmails display name", js("approverEmails", list("Ops <ops@example.com>")), "approverEmails", `"Ops <ops@example.com>"`, "an email address"},
	{"approverEmails no TLD", js("approverEmails", "ops@localhost"), "approverEmails", `"ops@localhost"`, "an email address"},
	{"approverEmails -c with empty item", js("approverEmails", "a@example.com,,b@example.com"), "approverEmails", `""`, "an email address"},
	{"approverEmails duplicate (-c)", js("approverEmails", "ops@example.com,OPS@example.com"), "approverEmails", `"OPS@example.com"`, "each address once"},
	{"approverEmails list of numbers", js("approverEmails", list(1.0)), "approverEmails", "a list holding 1", "a list of strings"},
	{"approverEmails broken JSON -c", js("approverEmails", `["a@example.com"`), "approverEmails", `"[\"a@example.com\""`, "a JSON list of strings"},
	{"approverEmails object", js("approverEmails", map[string]any{"a": "b"}), "approverEmails", "an object", "a list of strings"},
	{"approvalTopicArn fifo", js("approvalTopicArn", goodTopic+".fifo"), "approvalTopicArn", `"` + goodTopic + `.fifo"`, "a standard topic"},
	{"approvalTopicArn a topic name", js("approvalTopicArn", "approvals"), "approvalTopicArn", `"approvals"`, "arn:aws:sns:<region>"},
	{"approvalTopicArn sqs arn", js("approvalTopicArn", "arn:aws:sqs:eu-west-1:123456789012:q"), "approvalTopicArn", `"arn:aws:sqs:`, "arn:aws:sns:"},
	{"approvalTopicKeyArn without a topic", js("approvalTopicKeyArn", "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), "approvalTopicKeyArn", `"arn:aws:kms:eu-west-1:123456789012:key/`, "no value unless approvalTopicArn names an existing topic"},
	{"approvalTopicKeyArn an alias", js("approvalTopicArn", goodTopic, "approvalTopicKeyArn", "alias/approvals"), "approvalTopicKeyArn", `"alias/approvals"`, "arn:aws:kms:<region>:<account>:key/<key id>"},
	{"approvalPosition lowercase", js("approvalPosition", "beforebuild"), "approvalPosition", `"beforebuild"`, `"beforeBuild" or "beforeDeploy"`},
	{"approvalPosition after deploy", js("approvalPosition", "afterDeploy"), "approvalPosition", `"afterDeploy"`, `"beforeBuild" or "beforeDeploy"`},

	// Approvals in chat (AWS Chatbot)
	{"approvalSlackWorkspaceId lower case", js("approvalSlackWorkspaceId", "t0123abcd", "approvalSlackChannelId", "C0123ABCD"), "approvalSlackWorkspaceId", `"t0123abcd"`, "a Slack workspace id such as T0123ABCD"},
	{"approvalSlackWorkspaceId a workspace URL", js("approvalSlackWorkspaceId", "acme.slack.com", "approvalSlackChannelId", "C0123ABCD"), "approvalSlackWorkspaceId", `"acme.slack.com"`, "a Slack workspace id"},
	{"approvalSlackChannelId a channel name", js("approvalSlackWorkspaceId", "T0123ABCD", "approvalSlackChannelId", "#deploys"), "approvalSlackChannelId", `"#deploys"`, "a Slack channel id such as C0123ABCD (the end of the channel's link, not its name)"},
	{"approvalSlackChannelId a direct message", js("approvalSlackWorkspaceId", "T0123ABCD", "approvalSlackChannelId", "D0123ABCD"), "approvalSlackChannelId", `"D0123ABCD"`, "a Slack channel id"},
	{"approvalSlackChannelId a number", js("approvalSlackWorkspaceId", "T0123ABCD", "approvalSlackChannelId", 12345.0), "approvalSlackChannelId", "12345", "a string"},
	{"approvalSlackChannelId without workspace", js("approvalSlackChannelId", "C0123ABCD"), "approvalSlackWorkspaceId", `""`, "a Slack channel needs both approvalSlackWorkspaceId and approvalSlackChannelId"},
	{"approvalSlackWorkspaceId without channel", js("approvalSlackWorkspaceId", "T0123ABCD"), "approvalSlackChannelId", `""`, "a Slack channel needs both"},
	{"approvalTeamsTenantId a domain", js("approvalTeamsTenantId", "acme.onmicrosoft.com", "approvalTeamsTeamId", goodUUID, "approvalTeamsChannelId", goodTeamsChannel), "approvalTeamsTenantId", `"acme.onmicrosoft.com"`, "a UUID such as"},
	{"approvalTeamsTeamId a team name", js("approvalTeamsTenantId", goodUUID, "approvalTeamsTeamId", "Ops", "approvalTeamsChannelId", goodTeamsChannel), "approvalTeamsTeamId", `"Ops"`, "a UUID such as"},
	{"approvalTeamsChannelId a channel name", js("approvalTeamsTenantId", goodUUID, "approvalTeamsTeamId", goodUUID, "approvalTeamsChannelId", "General"), "approvalTeamsChannelId", `"General"`, "a channel id such as 19:abc123@thread.tacv2"},
	{"approvalTeamsChannelId the channel link", js("approvalTeamsTenantId", goodUUID, "approvalTeamsTeamId", goodUUID, "approvalTeamsChannelId", "https://teams.microsoft.com/l/channel/19%3aabc%40thread.tacv2/General"), "approvalTeamsChannelId", `"https://teams.microsoft.com/l/channel/`, "URL-encoded as Teams"},
	{"approvalTeamsChannelId without team and tenant", js("approvalTeamsChannelId", goodTeamsChannel), "approvalTeamsTeamId", `""`, "a Microsoft Teams channel needs approvalTeamsTenantId, approvalTeamsTeamId and approvalTeamsChannelId"},
	{"approvalTeamsTenantId without team (-c)", js("approvalTeamsTenantId", goodUUID, "approvalTeamsChannelId", goodTeamsChannel), "approvalTeamsTeamId", `""`, "a Microsoft Teams channel needs"},
	{"approvalSlackWorkspaceId in a China Region", js("region", "cn-north-1", "approvalSlackWorkspaceId", "T0123ABCD", "approvalSlackChannelId", "C0123ABCD"), "approvalSlackWorkspaceId", `"T0123ABCD"`, "no value with region cn-north-1: AWS Chatbot is not available"},
	{"approvalTeamsTenantId in GovCloud", js("connectionArn", "arn:aws-us-gov:codeconnections:us-gov-west-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "approvalTeamsTenantId", goodUUID, "approvalTeamsTeamId", goodUUID, "approvalTeamsChannelId", goodTeamsChannel), "approvalTeamsTenantId", `"` + goodUUID + `"`, "connectionArn in partition aws-us-gov"},

	// Build
	{"buildspec absolute path", js("buildspec", "/buildspec.yml"), "buildspec", `"/buildspec.yml"`, "a relative .yml/.yaml path"},
	{"buildspec not yaml", js("buildspec", "buildspec.json"), "buildspec", `"buildspec.json"`, "a relative .yml/.yaml path"},
	{"buildspec parent dir", js("buildspec", "../ci/buildspec.yml"), "buildspec", `"../ci/buildspec.yml"`, "relative .yml/.yaml path"},
	{"dockerfile with repository buildspec", js("buildspec", "buildspec.yml", "dockerfile", "Dockerfile"), "dockerfile", `"Dockerfile"`, "no value with a repository buildspec"},
	{"buildContext with repository buildspec", js("buildspec", "ci/build.yaml", "buildContext", "app"), "buildContext", `"app"`, "no value with a repository buildspec"},
	{"dockerfile absolute", js("dockerfile", "/src/Dockerfile"), "dockerfile", `"/src/Dockerfile"`, "a relative path"},
	{"dockerfile empty", js("dockerfile", ""), "dockerfile", `""`, "a relative path"},
	{"buildContext parent", js("buildContext", ".."), "buildContext", `".."`, "a relative directory"},
	{"buildComputeType lowercase", js("buildComputeType", "small"), "buildComputeType", `"small"`, "SMALL, MEDIUM, LARGE, X_LARGE, X2_LARGE"},
	{"buildComputeType lambda", js("buildComputeType", "BUILD_LAMBDA_1GB"), "buildComputeType", `"BUILD_LAMBDA_1GB"`, "one of SMALL"},
	{"buildTimeoutMinutes too low", js("buildTimeoutMinutes", 4.0), "buildTimeoutMinutes", "4", "5-2160"},
	{"buildTimeoutMinutes too high (-c)", js("buildTimeoutMinutes", "2161"), "buildTimeoutMinutes", "2161", "5-2160"},
	{"buildTimeoutMinutes fraction", js("buildTimeoutMinutes", 30.5), "buildTimeoutMinutes", "30.5", "a whole number, 5-2160"},
	{"buildTimeoutMinutes words (-c)", js("buildTimeoutMinutes", "thirty"), "buildTimeoutMinutes", `"thirty"`, "a whole number, 5-2160"},
	{"buildTimeoutMinutes bool", js("buildTimeoutMinutes", true), "buildTimeoutMinutes", "true", "a whole number, 5-2160"},
	{"buildTimeoutMinutes huge", js("buildTimeoutMinutes", 1e12), "buildTimeoutMinutes", "1000000000000", "a whole number, 5-2160"},
	{"buildConcurrencyLimit negative", js("buildConcurrencyLimit", -1.0), "buildConcurrencyLimit", "-1", "0 (no limit) or 1-100"},
	{"buildConcurrencyLimit too high (-c)", js("buildConcurrencyLimit", "101"), "buildConcurrencyLimit", "101", "0 (no limit) or 1-100"},
	{"buildSecrets value is the secret", js("buildSecrets", map[string]any{"NPM_TOKEN": "npm_abc123"}), "buildSecrets.NPM_TOKEN", "a value that is not a Parameter Store name (not shown", "the name of the parameter holding the secret, such as /myapp/build/NPM_TOKEN"},
	{"buildSecrets -c value is the secret", js("buildSecrets", "NPM_TOKEN=npm_abc123"), "buildSecrets.NPM_TOKEN", "(not shown: it may be the secret itself)", "the name of the parameter"},
	{"buildSecrets -c missing =", js("buildSecrets", "NPM_TOKEN"), "buildSecrets", `"NPM_TOKEN"`, "ID=/parameter/name pairs"},
	{"buildSecrets -c duplicate id", js("buildSecrets", "TOKEN=/a/b,TOKEN=/a/c"), "buildSecrets", `"TOKEN" twice`, "each id once"},
	{"buildSecrets id with hyphen", js("buildSecrets", map[string]any{"npm-token": "/myapp/build/npm"}), "buildSecrets", `"npm-token"`, "letters, digits and '_'"},
	{"buildSecrets reserved id", js("buildSecrets", map[string]any{"REPOSITORY_URI": "/myapp/build/uri"}), "buildSecrets", `"REPOSITORY_URI"`, "not one of the build's own variables"},
	{"buildSecrets CODEBUILD_ id", js("buildSecrets", "CODEBUILD_X=/myapp/build/x"), "buildSecrets", `"CODEBUILD_X"`, "CODEBUILD_*"},
	{"buildSecrets non-string value", js("buildSecrets", map[string]any{"TOKEN": 5.0}), "buildSecrets", `5 for "TOKEN"`, "a string"},
	{"buildSecrets list", js("buildSecrets", list("/a")), "buildSecrets", "a list", "an object of strings"},
	{"buildSecrets param among the app's settings", js("buildSecrets", map[string]any{"NPM_TOKEN": "/myapp/NPM_TOKEN"}), "buildSecrets.NPM_TOKEN", `"/myapp/NPM_TOKEN"`, "a name under /myapp/build/"},
	{"buildSecrets param in a sub-path of the app", js("buildSecrets", "NPM_TOKEN=/myapp/ci/npm"), "buildSecrets.NPM_TOKEN", `"/myapp/ci/npm"`, "or outside /myapp/"},
	{"buildSecrets param named like the build folder", js("appName", "shop", "buildSecrets", "NPM_TOKEN=/shop/build"), "buildSecrets.NPM_TOKEN", `"/shop/build"`, "a name under /shop/build/"},
	{"buildSecrets param with //", js("buildSecrets", map[string]any{"TOKEN": "/myapp//npm"}), "buildSecrets.TOKEN", `"/myapp//npm"`, "a Parameter Store name"},
	{"architecture amd64", js("architecture", "amd64"), "architecture", `"amd64"`, `"x86_64" or "arm64"`},
	{"architecture aarch64 (-c)", js("architecture", "aarch64"), "architecture", `"aarch64"`, `"x86_64" or "arm64"`},
	{"logRetentionDays not a CloudWatch value", js("logRetentionDays", 10.0), "logRetentionDays", "10", "a CloudWatch Logs retention: 1, 3, 5"},
	{"logRetentionDays zero (-c)", js("logRetentionDays", "0"), "logRetentionDays", "0", "a CloudWatch Logs retention"},
	{"keepReleaseImages zero", js("keepReleaseImages", 0.0), "keepReleaseImages", "0", "1-1000"},
	{"keepReleaseImages too many (-c)", js("keepReleaseImages", "1001"), "keepReleaseImages", "1001", "1-1000"},
	{"artifactExpirationDays zero", js("artifactExpirationDays", 0.0), "artifactExpirationDays", "0", "1-3650"},
	{"artifactExpirationDays too long", js("artifactExpirationDays", "3651"), "artifactExpirationDays", "3651", "1-3650"},

	// Deploy target
	{"deployTagKey aws: prefix", js("deployTagKey", "aws:app"), "deployTagKey", `"aws:app"`, `not starting with "aws:"`},
	{"deployTagKey empty", js("deployTagKey", ""), "deployTagKey", `""`, "1-128 characters"},
	{"deployTagKey bad characters", js("deployTagKey", "app#1"), "deployTagKey", `"app#1"`, "letters, digits, spaces"},
	{"deployTagValues duplicate", js("deployTagValues", list("web", "web")), "deployTagValues", `"web"`, "each value once"},
	{"deployTagValues too long", js("deployTagValues", list(strings.Repeat("v", 257))), "deployTagValues", `"` + strings.Repeat("v", 257) + `"`, "1-256 characters"},
	{"autoScalingGroupName with colon", js("autoScalingGroupName", "arn:aws:autoscaling:x"), "autoScalingGroupName", `"arn:aws:autoscaling:x"`, "without ':'"},
	{"targetGroupArn a name", js("targetGroupArn", "web"), "targetGroupArn", `"web"`, "arn:aws:elasticloadbalancing:"},
	{"targetGroupArn load balancer arn", js("targetGroupArn", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef"), "targetGroupArn", `loadbalancer/app/web/0123456789abcdef"`, "targetgroup/<name>/<id>"},
	{"deploymentConfig unknown", js("deploymentConfig", "Canary10Percent5Minutes"), "deploymentConfig", `"Canary10Percent5Minutes"`, "OneAtATime, HalfAtATime, AllAtOnce"},
	{"deploymentConfig together with minHealthyHosts", js("deploymentConfig", "AllAtOnce", "minHealthyHosts", "75%"), "deploymentConfig", `"AllAtOnce"`, "no value together with minHealthyHosts"},
	{"minHealthyHosts 100%", js("minHealthyHosts", "100%"), "minHealthyHosts", `"100%"`, "0-99%"},
	{"minHealthyHosts words", js("minHealthyHosts", "most"), "minHealthyHosts", `"most"`, "a percentage such as 75%"},
	{"minHealthyHosts a JSON number", js("minHealthyHosts", 2.0), "minHealthyHosts", "2", "a string"},
	{"agentInstall unknown", js("agentInstall", "always"), "agentInstall", `"always"`, `one of "never", "once", "now", "schedule"`},
	{"agentSchedule without schedule mode", js("agentSchedule", "rate(14 days)"), "agentSchedule", `"rate(14 days)"`, `unless agentInstall is "schedule"`},
	{"agentSchedule missing", js("agentInstall", "schedule"), "agentSchedule", `""`, "rate(N minutes|hours|days)"},
	{"agentSchedule too often", js("agentInstall", "schedule", "agentSchedule", "rate(5 minutes)"), "agentSchedule", `"rate(5 minutes)"`, "at least 30 minutes"},
	{"agentSchedule singular mismatch", js("agentInstall", "schedule", "agentSchedule", "rate(1 days)"), "agentSchedule", `"rate(1 days)"`, "singular unit for 1"},
	{"agentSchedule crontab without cron()", js("agentInstall", "schedule", "agentSchedule", "0 3 * * 0"), "agentSchedule", `"0 3 * * 0"`, "cron(min hour day month weekday year)"},

	// Managed host
	{"managedHost yes (-c)", js("managedHost", "yes"), "managedHost", `"yes"`, "true or false"},
	{"managedHost number", js("managedHost", 1.0), "managedHost", "1", "true or false"},
	{"hostInstanceType without managedHost", js("hostInstanceType", "t3.small"), "hostInstanceType", `"t3.small"`, "no value unless managedHost is true"},
	{"vpcId without managedHost", js("vpcId", "vpc-0abc1234def567890", "subnetIds", list("subnet-0abc1234def567890"), "availabilityZones", list("eu-west-1a")), "vpcId", `"vpc-0abc1234def567890"`, "no value unless managedHost is true"},
	{"ingressCidr without managedHost", js("ingressCidr", "10.0.0.0/8"), "ingressCidr", `"10.0.0.0/8"`, "no value unless managedHost is true"},
	{"hostInstanceType arm64 host for x86_64 image", js("managedHost", true, "hostInstanceType", "t4g.small"), "hostInstanceType", `"t4g.small"`, `an x86_64 instance type to match architecture "x86_64"`},
	{"hostInstanceType x86_64 host for arm64 image (-c)", js("managedHost", "true", "architecture", "arm64", "hostInstanceType", "m5.large"), "hostInstanceType", `"m5.large"`, `an arm64 instance type to match architecture "arm64"`},
	{"hostInstanceType malformed", js("managedHost", true, "hostInstanceType", "t3-small"), "hostInstanceType", `"t3-small"`, "an EC2 instance type such as t3.small"},
	{"vpcId malformed", js("managedHost", true, "vpcId", "vpc-xyz", "subnetIds", list("subnet-0abc1234def567890"), "availabilityZones", list("eu-west-1a")), "vpcId", `"vpc-xyz"`, "a VPC id such as vpc-"},
	{"vpcId without subnets", js("managedHost", true, "vpcId", "vpc-0abc1234def567890"), "subnetIds", `""`, "the public subnet ids of vpcId"},
	{"subnets without vpcId", js("managedHost", true, "subnetIds", "subnet-0abc1234def567890", "availabilityZones", "eu-west-1a"), "vpcId", `""`, "a VPC id when subnetIds or availabilityZones are set"},
	{"zones do not match subnets", js("managedHost", true, "vpcId", "vpc-0abc1234def567890", "subnetIds", "subnet-0abc1234def567890,subnet-0abc1234def567891", "availabilityZones", "eu-west-1a"), "availabilityZones", "1 zone", "one zone per subnet in subnetIds (2)"},
	{"subnet id malformed", js("managedHost", true, "vpcId", "vpc-0abc1234def567890", "subnetIds", list("subnet-1"), "availabilityZones", list("eu-west-1a")), "subnetIds", `"subnet-1"`, "subnet ids such as subnet-"},
	{"subnet id twice", js("managedHost", true, "vpcId", "vpc-0abc1234def567890", "subnetIds", list("subnet-0abc1234def567890", "subnet-0abc1234def567890"), "availabilityZones", list("eu-west-1a", "eu-west-1b")), "subnetIds", `"subnet-0abc1234def567890"`, "each value once"},
	{"availability zone is a region", js("managedHost", true, "vpcId", "vpc-0abc1234def567890", "subnetIds", list("subnet-0abc1234def567890"), "availabilityZones", list("eu-west-1")), "availabilityZones", `"eu-west-1"`, "zone names such as eu-west-1a"},
	{"ingressCidr host bits", js("managedHost", true, "ingressCidr", "203.0.113.7/24"), "ingressCidr", `"203.0.113.7/24"`, "no host bits set"},
	{"ingressCidr IPv6", js("managedHost", true, "ingressCidr", "::/0"), "ingressCidr", `"::/0"`, "an IPv4 network"},
	{"ingressCidr bare address", js("managedHost", true, "ingressCidr", "203.0.113.7"), "ingressCidr", `"203.0.113.7"`, "CIDR notation"},
	{"existing group plus managed host", js("managedHost", true, "autoScalingGroupName", "web-asg"), "autoScalingGroupName", `"web-asg"`, "not both"},

	// Ports and health check
	{"appPort zero", js("appPort", 0.0), "appPort", "0", "a TCP port, 1-65535"},
	{"appPort too high (-c)", js("appPort", "70000"), "appPort", "70000", "a TCP port, 1-65535"},
	{"httpPort negative", js("httpPort", -80.0), "httpPort", "-80", "a TCP port"},
	{"httpPort equals appPort", js("appPort", 8080.0, "httpPort", "8080"), "httpPort", "8080", "a port different from appPort"},
	{"healthTimeoutSeconds too short", js("healthTimeoutSeconds", 2.0), "healthTimeoutSeconds", "2", "5-480 seconds"},
	{"healthTimeoutSeconds beyond the hook", js("healthTimeoutSeconds", "900"), "healthTimeoutSeconds", "900", "the ApplicationStart hook, 600 s"},
	{"healthTimeoutSeconds not a number", js("healthTimeoutSeconds", "1m"), "healthTimeoutSeconds", `"1m"`, "a whole number"},
	{"healthTimeoutSeconds fraction", js("healthTimeoutSeconds", 30.5), "healthTimeoutSeconds", "30.5", "a whole number"},
	{"keepReleases zero", js("keepReleases", 0.0), "keepReleases", "0", "1-20"},
	{"keepReleases too many", js("keepReleases", "50"), "keepReleases", "50", "1-20"},
	{"requiredSettings lower case", js("requiredSettings", list("DATABASE_URL", "secret_key")), "requiredSettings", `"secret_key"`, "A-Z, 0-9 and '_'"},
	{"requiredSettings -c with a dash", js("requiredSettings", "DATABASE_URL,API-KEY"), "requiredSettings", `"API-KEY"`, "such as DATABASE_URL"},
	{"requiredSettings leading digit", js("requiredSettings", list("1PASSWORD")), "requiredSettings", `"1PASSWORD"`, "not starting with a digit"},
	{"requiredSettings duplicate", js("requiredSettings", "DB,DB"), "requiredSettings", `"DB"`, "each value once"},
	{"requiredSettings not a list", js("requiredSettings", map[string]any{"DB": true}), "requiredSettings", "an object", "a list of strings"},
	{"proxyImage by tag", js("proxyImage", "nginx:1.27-alpine"), "proxyImage", `"nginx:1.27-alpine"`, "pinned by digest"},
	{"proxyImage short digest", js("proxyImage", "public.ecr.aws/nginx/nginx@sha256:abc"), "proxyImage", `"public.ecr.aws/nginx/nginx@sha256:abc"`, "64 hex digits"},
	{"proxyImage with a space", js("proxyImage", "public.ecr.aws/nginx/nginx @sha256:"+strings.Repeat("a", 64)), "proxyImage", "nginx @sha256", "an image pinned by digest"},
	{"healthTimeoutSeconds with repository buildspec", js("buildspec", "buildspec.yml", "healthTimeoutSeconds", 30.0), "healthTimeoutSeconds", "30", "no value with a repository buildspec"},
	{"proxyImage with repository buildspec", js("buildspec", "buildspec.yml", "proxyImage", "public.ecr.aws/nginx/nginx@sha256:"+strings.Repeat("a", 64)), "proxyImage", "public.ecr.aws/nginx/nginx@sha256:aaaa", "no value with a repository buildspec"},
	{"healthCheckPath relative", js("healthCheckPath", "health"), "healthCheckPath", `"health"`, "a URL path starting with '/'"},
	{"healthCheckPath shell injection", js("healthCheckPath", "/health;$(reboot)"), "healthCheckPath", `"/health;$(reboot)"`, "quotes, '$'"},
	{"diffRoleRepo without owner", js("diffRoleRepo", "infra"), "diffRoleRepo", `"infra"`, "owner/repo of the repository holding this CDK app"},
	{"diffRoleRepo a URL", js("diffRoleRepo", "https://github.com/acme/infra"), "diffRoleRepo", `"https://github.com/acme/infra"`, "owner/repo"},
	{"diffRoleProviderArn without diffRoleRepo", js("diffRoleProviderArn", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"), "diffRoleProviderArn", `"arn:aws:iam::123456789012:oidc-provider/`, "no value unless diffRoleRepo is set"},
	{"diffRoleProviderArn another provider", js("diffRoleRepo", "acme/infra", "diffRoleProviderArn", "arn:aws:iam::123456789012:oidc-provider/gitlab.com"), "diffRoleProviderArn", `"arn:aws:iam::123456789012:oidc-provider/gitlab.com"`, "token.actions.githubusercontent.com"},
	{"healthCheckPath with a control character", js("healthCheckPath", "/\f0"), "healthCheckPath", `"/\f0"`, "without spaces, control characters"},
	{"removalPolicy unknown", js("removalPolicy", "snapshot"), "removalPolicy", `"snapshot"`, `"retain" or "destroy"`},
	{"removalPolicy capitalised (-c)", js("removalPolicy", "Destroy"), "removalPolicy", `"Destroy"`, `"retain" or "destroy"`},
	{"nag not a bool (-c)", js("nag", "on"), "nag", `"on"`, "true or false"},

	// Environments: each key of an environment object, and the settings around them.
	{"environments not a list", js("environments", 3.0), "environments", "3", "a list of environment objects"},
	{"environments not JSON (-c)", js("environments", "staging,production"), "environments", "text that is not JSON", "a JSON list of objects"},
	{"environments item not an object", js("environments", list("staging")), "environments[0]", `"staging"`, "an object with at least a name"},
	{"environment without a name", js("environments", list(env())), "environments[0].name", `""`, "1-20 of a-z 0-9 -"},
	{"environment name capitalised", js("environments", list(env("name", "Staging"))), "environments[0].name", `"Staging"`, "starting with a letter"},
	{"environment named build", js("environments", list(env("name", "build"))), "environments[0].name", `"build"`, "holds the build secrets"},
	{"environment twice", js("environments", list(env("name", "staging"), env("name", "staging"))), "environments[1].name", `"staging"`, "each environment once"},
	{"environment name not a string", js("environments", list(env("name", 1.0))), "environments[0].name", "1", "a string"},
	{"environment unknown key", js("environments", list(env("name", "staging", "hosts", "a"))), "environments[0].hosts", `"a"`, "one of name, account"},
	{"environment region not a Region", js("environments", list(env("name", "staging", "region", "mars"))), "environments[0].region", `"mars"`, "an AWS Region such as eu-central-1"},
	{"environment region not a string", js("environments", list(env("name", "staging", "region", 1.0))), "environments[0].region", "1", "a string"},
	{"environment region without the pipeline's", js("account", "111111111111", "environments", list(env("name", "prod", "region", "us-east-1"))), "region", `""`, "the pipeline's Region, e.g. us-east-1: environments[0].region is us-east-1"},
	{"environment region without the pipeline's account", js("region", "eu-west-1", "environments", list(env("name", "prod", "region", "us-east-1"))), "account", `""`, "an environment in another Region gets stacks of its own"},
	{"environment region in another partition", js("account", "111111111111", "region", "eu-west-1", "environments", list(env("name", "prod", "region", "cn-north-1"))), "environments[0].region", `"cn-north-1"`, "a Region of partition aws"},
	{"environment managed host in another Region", js("account", "111111111111", "region", "eu-west-1", "environments", list(env("name", "prod", "region", "us-east-1", "managedHost", true))), "environments[0].managedHost", "true", "created in the pipeline's Region"},
	{"environment target group in another Region than its own", js("account", "111111111111", "region", "eu-west-1", "environments", list(env("name", "prod", "region", "us-east-1", "targetGroupArn", goodTargetGrp))), "environments[0].targetGroupArn", `"arn:aws:elasticloadbalancing:eu-west-1`, "an ARN in us-east-1, the environment's Region"},
	{"environment load balancer in another Region than the pipeline's", js("region", "us-east-1", "environments", list(env("name", "prod", "targetGroupArn", strings.Replace(goodTargetGrp, "eu-west-1", "us-east-1", 1), "loadBalancerArn", goodLoadBalancer))), "environments[0].loadBalancerArn", `"arn:aws:elasticloadbalancing:eu-west-1`, "an ARN in us-east-1"},
	{"environment account short", js("account", "111111111111", "environments", list(env("name", "prod", "account", "2222"))), "environments[0].account", `"2222"`, "a 12-digit AWS account id"},
	{"environment account without pipeline account", js("environments", list(env("name", "prod", "account", "222222222222"))), "account", `""`, "the pipeline's 12-digit account id"},
	{"account not digits", js("account", "acme"), "account", `"acme"`, "a 12-digit AWS account id"},
	{"region not a region", js("region", "europe"), "region", `"europe"`, "an AWS Region such as eu-west-1"},
	{"environment tag value too long", js("environments", list(env("name", "staging", "deployTagValues", list(strings.Repeat("x", 257))))), "environments[0].deployTagValues", `"xxxx`, "1-256 characters"},
	{"environment tag values not a list", js("environments", list(env("name", "staging", "deployTagValues", 2.0))), "environments[0].deployTagValues", "2", "list"},
	{"environment Auto Scaling group with colon", js("environments", list(env("name", "prod", "autoScalingGroupName", "a:b"))), "environments[0].autoScalingGroupName", `"a:b"`, "without ':'"},
	{"environment target group not an ARN", js("environments", list(env("name", "prod", "targetGroupArn", "web"))), "environments[0].targetGroupArn", `"web"`, "targetgroup/<name>/<id>"},
	{"environment load balancer not an ARN", js("environments", list(env("name", "prod", "targetGroupArn", goodTargetGrp, "loadBalancerArn", "web"))), "environments[0].loadBalancerArn", `"web"`, "loadbalancer/app/<name>/<id>"},
	{"environment load balancer without target group", js("environments", list(env("name", "prod", "loadBalancerArn", goodLoadBalancer))), "environments[0].loadBalancerArn", `"arn:aws:elasticloadbalancing`, "no value without targetGroupArn"},
	{"environment managed host not a bool", js("environments", list(env("name", "staging", "managedHost", "yes"))), "environments[0].managedHost", `"yes"`, "true or false"},
	{"environment managed host and group", js("environments", list(env("name", "staging", "managedHost", true, "autoScalingGroupName", "web"))), "environments[0].managedHost", "true", "deploy to an existing group or to the managed host"},
	{"environment managed host in another account", js("account", "111111111111", "environments", list(env("name", "prod", "account", "222222222222", "managedHost", true))), "environments[0].managedHost", "true", "created in the pipeline's account"},
	{"environment deployment config unknown", js("environments", list(env("name", "staging", "deploymentConfig", "Fast"))), "environments[0].deploymentConfig", `"Fast"`, "OneAtATime"},
	{"environment deployment config and min healthy", js("environments", list(env("name", "staging", "deploymentConfig", "AllAtOnce", "minHealthyHosts", "1"))), "environments[0].deploymentConfig", `"AllAtOnce"`, "no value together with minHealthyHosts"},
	{"environment min healthy bad", js("environments", list(env("name", "staging", "minHealthyHosts", "most"))), "environments[0].minHealthyHosts", `"most"`, "a percentage such as 75%"},
	{"environment min healthy 100%", js("environments", list(env("name", "staging", "minHealthyHosts", "100%"))), "environments[0].minHealthyHosts", `"100%"`, "0-99%"},
	{"environment agent unknown", js("environments", list(env("name", "staging", "agentInstall", "always"))), "environments[0].agentInstall", `"always"`, "never, once or now"},
	{"environment agent schedule without top-level", js("environments", list(env("name", "staging", "agentInstall", "schedule"))), "environments[0].agentInstall", `"schedule"`, "top-level agentInstall is schedule"},
	{"environment parameter path relative", js("environments", list(env("name", "staging", "parameterPath", "myapp/staging"))), "environments[0].parameterPath", `"myapp/staging"`, "starting and ending with '/'"},
	{"environment parameter path build secrets", js("environments", list(env("name", "staging", "parameterPath", "/myapp/build/staging/"))), "environments[0].parameterPath", `"/myapp/build/staging/"`, "outside /myapp/build/"},
	{"environment approval not a bool", js("environments", list(env("name", "prod", "approval", "yes"))), "environments[0].approval", `"yes"`, "true or false"},
	{"environment alarm name empty", js("environments", list(env("name", "prod", "alarms", list("")))), "environments[0].alarms", `""`, "1-255 characters"},
	{"environment url not http", js("environments", list(env("name", "prod", "url", "ftp://example.com"))), "environments[0].url", `"ftp://example.com"`, "http:// or https:// URL"},
	{"environment check attempts 0", js("environments", list(env("name", "prod", "url", "https://example.com", "checkAttempts", 0.0))), "environments[0].checkAttempts", "0", "1-100"},
	{"environment check attempts not a number", js("environments", list(env("name", "prod", "checkAttempts", "many"))), "environments[0].checkAttempts", `"many"`, "a whole number, 1-100"},
	{"environment check interval too long", js("environments", list(env("name", "prod", "url", "https://example.com", "checkIntervalSeconds", 600.0))), "environments[0].checkIntervalSeconds", "600", "1-300 seconds"},
	{"environment check command without url", js("environments", list(env("name", "prod", "checkCommand", "make smoke"))), "environments[0].checkCommand", `"make smoke"`, "no value without url"},
	{"top-level target with environments", js("autoScalingGroupName", "web", "environments", list(env("name", "prod"))), "autoScalingGroupName", `"web"`, "each environment names its own targets"},

	// Found by a hostile review of the config.
	{"setting mis-cased", js("appname", "web"), "appname", "an unknown setting", `"appName" (setting names are case-sensitive)`},
	{"setting misspelt", js("approverEmail", "ops@example.com"), "approverEmail", "an unknown setting", `did you mean "approverEmails"?`},
	{"setting with underscores", js("build_timeout_minutes", "60"), "build_timeout_minutes", "an unknown setting", `"buildTimeoutMinutes"`},
	{"setting unknown", js("awsRegion", "eu-west-1"), "awsRegion", "an unknown setting", "a shipline setting (see the README's Config reference)"},
	{"githubBranch full ref", js("githubBranch", "refs/heads/main"), "githubBranch", `"refs/heads/main"`, `the branch's short name, such as "main"`},
	{"githubBranch tag ref", js("githubBranch", "refs/tags/v1"), "githubBranch", `"refs/tags/v1"`, "short name"},
	{"keepReleaseImages not a number (-c)", js("keepReleaseImages", "many"), "keepReleaseImages", `"many"`, "a whole number, 1-1000"},
	{"appPort not a number", js("appPort", "http"), "appPort", `"http"`, "a whole number, 1-65535"},
	{"connectionArn is a GitHub token", js("connectionArn", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"), "connectionArn", "a 40-character value that looks like a secret (not shown)", "arn:aws:codeconnections:"},
	{"approvalTopicArn is an AWS secret key", js("approvalTopicArn", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"), "approvalTopicArn", "looks like a secret (not shown)", "arn:aws:sns:"},
	{"buildSecrets parameter the hosts read", js("buildSecrets", "NPM_TOKEN=/myapp/npm"), "buildSecrets.NPM_TOKEN", `"/myapp/npm"`, "a name under /myapp/build/"},
	{"zones in two Regions", js("managedHost", true, "vpcId", "vpc-0abc1234def567890", "subnetIds", "subnet-0abc1234def567890,subnet-0abc1234def567891", "availabilityZones", "eu-west-1a,us-east-1b"), "availabilityZones", `"us-east-1b"`, "zones of one Region"},
	{"agentSchedule cron State Manager refuses", js("agentInstall", "schedule", "agentSchedule", "cron(0 0/3 * * ? *)"), "agentSchedule", `"cron(0 0/3 * * ? *)"`, "every 1, 2, 4, 8 or 12 hours"},
	{"agentSchedule rate too long", js("agentInstall", "schedule", "agentSchedule", "rate(45 days)"), "agentSchedule", `"rate(45 days)"`, "under 31 days"},
	{"dockerfile leaves the repository", js("dockerfile", "./../Dockerfile"), "dockerfile", `"./../Dockerfile"`, "a relative path in the app repository"},
}

func TestCatalogHasEnoughEntries(t *testing.T) {
	if len(catalog) < 40 {
		t.Fatalf("catalog has %d bad configs, want at least 40", len(catalog))
	}
	names := map[string]bool{}
	for _, c := range catalog {
		if names[c.name] {
			t.Errorf("duplicate catalog name %q", c.name)
		}
		names[c.name] = true
	}
}

func TestBadConfigCatalog(t *testing.T) {
	for _, c := range catalog {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.FromContext(c.ctx)
			if err == nil {
				t.Fatalf("ConfigFromContext(%v) accepted the config", c.ctx)
			}
			line := findLine(err, c.setting+": got "+c.got)
			if line == "" {
				t.Fatalf("no line for %s with %s in:\n%v", c.setting, c.got, err)
			}
			if !strings.Contains(line, ", want ") || !strings.Contains(line, c.want) {
				t.Errorf("line %q does not say what is allowed (%q)", line, c.want)
			}
			checkPlainLines(t, err)
		})
	}
}

// findLine returns the error line that starts with prefix, or contains it
// after the setting (for values whose description follows "got ").
func findLine(err error, prefix string) string {
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	// The value may only be part of what follows "got " (long ARNs).
	setting, value, _ := strings.Cut(prefix, ": got ")
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.HasPrefix(line, setting+": got ") {
			got, _, _ := strings.Cut(strings.TrimPrefix(line, setting+": got "), ", want ")
			if strings.Contains(got, value) {
				return line
			}
		}
	}
	return ""
}

// checkPlainLines asserts each error line is one SettingError: "key: got X, want Y".
func checkPlainLines(t *testing.T, err error) {
	t.Helper()
	for _, line := range strings.Split(err.Error(), "\n") {
		if line == "" || !strings.Contains(line, ": got ") || !strings.Contains(line, ", want ") {
			t.Errorf("error line %q is not of the form \"setting: got X, want Y\"", line)
		}
	}
	var se *config.SettingError
	if !errors.As(err, &se) {
		t.Errorf("error %v holds no *config.SettingError", err)
	}
}

// TestAllErrorsReportedTogether: one run shows every mistake, not the first.
func TestAllErrorsReportedTogether(t *testing.T) {
	// Mistakes in settings that do not depend on each other.
	pick := []string{
		"appName uppercase and underscore", "githubOwner with slash", "githubRepo with .git",
		"githubBranch with space", "connectionArn just a name", "approverEmails bad address",
		"approvalTopicArn sqs arn", "approvalPosition lowercase", "buildspec not yaml",
		"buildComputeType lowercase", "buildTimeoutMinutes too low", "buildConcurrencyLimit negative",
		"buildSecrets value is the secret", "architecture amd64", "logRetentionDays not a CloudWatch value",
		"keepReleaseImages zero", "artifactExpirationDays zero", "deployTagKey aws: prefix",
		"deployTagValues duplicate", "targetGroupArn a name", "minHealthyHosts words",
		"agentInstall unknown", "appPort zero", "healthCheckPath relative", "removalPolicy unknown",
		"nag not a bool (-c)", "managedHost number",
	}
	byName := map[string]badConfig{}
	for _, c := range catalog {
		byName[c.name] = c
	}
	ctx := map[string]any{}
	for _, name := range pick {
		c, ok := byName[name]
		if !ok {
			t.Fatalf("no catalog entry %q", name)
		}
		for k, v := range c.ctx {
			ctx[k] = v
		}
	}
	_, err := config.FromContext(ctx)
	if err == nil {
		t.Fatal("config with many mistakes accepted")
	}
	for _, name := range pick {
		c := byName[name]
		if findLine(err, c.setting+": got "+c.got) == "" {
			t.Errorf("no error line for %s (%s) among:\n%v", c.setting, c.got, err)
		}
	}
	checkPlainLines(t, err)
	t.Logf("%d settings wrong, %d lines reported", len(pick), len(strings.Split(err.Error(), "\n")))
}

// TestGoodConfigs are valid configs of both forms: the catalog's mistakes
// must not be a side effect of rejecting everything.
func TestGoodConfigs(t *testing.T) {
	good := []map[string]any{
		{},
		js("appName", "shop-web", "githubOwner", "acme", "githubRepo", "shop.web", "githubBranch", "release/v1.2"),
		js("connectionArn", goodConnection, "approvalTopicArn", goodTopic),
		js("approvalTopicArn", goodTopic, "approverEmails", "ops@example.com, dev@example.org"),
		js("approverEmails", `["a@example.com","b@example.com"]`, "approvalPosition", "beforeDeploy"),
		js("buildspec", "ci/buildspec.yaml", "buildComputeType", "BUILD_GENERAL1_LARGE", "buildTimeoutMinutes", "60"),
		js("buildSecrets", "NPM_TOKEN=/myapp/build/npm, PIP_INDEX=/myapp/build/pip", "buildConcurrencyLimit", "0"),
		js("buildSecrets", `{"NPM_TOKEN":"/myapp/build/npm"}`, "logRetentionDays", "365", "keepReleaseImages", 5.0),
		js("buildSecrets", "NPM_TOKEN=/shared/ci/npm-token"),
		js("architecture", "arm64", "managedHost", "true", "hostInstanceType", "c7gn.large", "ingressCidr", "203.0.113.0/24"),
		js("managedHost", true, "vpcId", "vpc-0abc1234def567890", "subnetIds", "subnet-0abc1234def567890,subnet-0abc1234def567891", "availabilityZones", "eu-west-1a,eu-west-1b"),
		js("autoScalingGroupName", "web-asg", "targetGroupArn", goodTargetGrp, "deploymentConfig", "CodeDeployDefault.HalfAtATime"),
		js("minHealthyHosts", "75%", "agentInstall", "schedule", "agentSchedule", "cron(0 3 ? * SUN *)"),
		js("agentInstall", "schedule", "agentSchedule", "rate(1 day)", "appPort", "3000", "httpPort", 8080.0, "healthCheckPath", "/healthz?full=1"),
		js("removalPolicy", "destroy", "nag", "true", "deployTagKey", "Service", "deployTagValues", "web,api"),
		// Valid values a hostile review found rejected.
		js("approvalTopicArn", goodTopic, "approvalTopicKeyArn", "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"),
		js("dockerfile", "./docker/Dockerfile", "buildContext", "./"),
		js("buildspec", "./ci/buildspec.yml"),
		js("acknowledged-issue-numbers", list(32775.0), "@aws-cdk/core:newStyleStackSynthesis", true, "aws:cdk:enable-path-metadata", true),
		js("healthTimeoutSeconds", "120", "keepReleases", 10.0, "requiredSettings", "DATABASE_URL, SECRET_KEY"),
		js("approvalSlackWorkspaceId", "T0123ABCD", "approvalSlackChannelId", "C0123ABCD45", "region", "eu-west-1"),
		js("approvalTeamsTenantId", goodUUID, "approvalTeamsTeamId", "1B2C3D4E-5F6A-4B7C-8D9E-0F1A2B3C4D5E", "approvalTeamsChannelId", "19:b6ef35dc342d56ba5654e6fc6d25a071@thread.tacv2"),
		js("approvalSlackWorkspaceId", "T0123ABCD", "approvalSlackChannelId", "G0123ABCD", "approvalTeamsTenantId", goodUUID, "approvalTeamsTeamId", goodUUID, "approvalTeamsChannelId", goodTeamsChannel),
		js("requiredSettings", list("DATABASE_URL"), "proxyImage", "public.ecr.aws/nginx/nginx:1.27-alpine@sha256:"+strings.Repeat("0", 64)),
	}
	for i, ctx := range good {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if _, err := config.FromContext(ctx); err != nil {
				t.Fatalf("ConfigFromContext(%v):\n%v", ctx, err)
			}
		})
	}
}

// An existing topic has its own subscribers: the placeholder address of the
// stock cdk.json (which sets approverEmails to it) is not subscribed to it,
// and a warning says so.
func TestExistingTopicSkipsPlaceholderEmail(t *testing.T) {
	for _, ctx := range []map[string]any{
		js("approvalTopicArn", goodTopic),
		js("approvalTopicArn", goodTopic, "approverEmails", list(config.PlaceholderEmail)), // the stock cdk.json
	} {
		c, err := config.FromContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Subscribers(); len(got) != 0 {
			t.Errorf("%v: Subscribers() = %v, want none with an existing topic", ctx, got)
		}
		var ids []string
		for _, w := range c.Warnings() {
			ids = append(ids, w.ID)
		}
		if !slices.Contains(ids, "shipline:config:approverEmails:placeholder-skipped") || slices.Contains(ids, "shipline:config:approverEmails:placeholder") {
			t.Errorf("%v: warnings %v, want the placeholder-skipped one only", ctx, ids)
		}
	}
	c, err := config.FromContext(js("approvalTopicArn", goodTopic, "approverEmails", "ops@example.com"))
	if err != nil || !slices.Equal(c.Subscribers(), []string{"ops@example.com"}) {
		t.Errorf("explicit emails with an existing topic: %v, %v", c.Subscribers(), err)
	}
	c, err = config.FromContext(nil)
	if err != nil || !slices.Equal(c.Subscribers(), []string{config.PlaceholderEmail}) {
		t.Errorf("a new topic gets the default address: %v, %v", c.Subscribers(), err)
	}
}
