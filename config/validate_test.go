package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
)

// checkCase is one Config change and the lines one check must report:
// each wanted line is a prefix ("setting: got value"); none means valid.
type checkCase struct {
	name   string
	change func(c *Config)
	want   []string
}

// runChecks runs a check on the default Config changed by each case.
func runChecks(t *testing.T, chk check, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.change(&c)
			errs := chk(&c)
			var got []string
			for _, err := range errs {
				var se *SettingError
				if !errors.As(err, &se) {
					t.Fatalf("%v is not a *SettingError", err)
				}
				got = append(got, err.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("line %d = %q, want prefix %q", i, got[i], w)
				}
			}
		})
	}
}

func TestCheckAppName(t *testing.T) {
	runChecks(t, checkAppName, []checkCase{
		{"default", func(c *Config) {}, nil},
		{"hyphenated", func(c *Config) { c.AppName = "shop-web2" }, nil},
		{"upper case", func(c *Config) { c.AppName = "Web" }, []string{`appName: got "Web", want 3-32`}},
		{"reserved prefix", func(c *Config) { c.AppName = "ssmweb" }, []string{`appName: got "ssmweb", want a name not starting`}},
	})
}

func TestCheckSource(t *testing.T) {
	runChecks(t, checkSource, []checkCase{
		{"nested branch", func(c *Config) { c.GitHubBranch = "release/v1" }, nil},
		{"full ref", func(c *Config) { c.GitHubBranch = "refs/heads/release/v1" }, []string{`githubBranch: got "refs/heads/release/v1", want the branch's short name, such as "release/v1"`}},
		{"owner and repo", func(c *Config) { c.GitHubOwner, c.GitHubRepo = "a--b", "x.git" }, []string{`githubOwner: got "a--b"`, `githubRepo: got "x.git"`}},
		{"connection", func(c *Config) { c.ConnectionArn = "arn:aws:codeconnections:eu-west-1:123456789012:connection/x" }, []string{"connectionArn: got "}},
	})
}

func TestCheckApproval(t *testing.T) {
	topic := "arn:aws:sns:eu-west-1:123456789012:approvals"
	runChecks(t, checkApproval, []checkCase{
		{"topic without emails", func(c *Config) { c.ApprovalTopicArn, c.ApproverEmails = topic, nil }, nil},
		{"multi-Region key", func(c *Config) {
			c.ApprovalTopicArn, c.ApprovalTopicKeyArn = topic, "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
		}, nil},
		{"key alias", func(c *Config) {
			c.ApprovalTopicArn, c.ApprovalTopicKeyArn = topic, "arn:aws:kms:eu-west-1:123456789012:alias/x"
		}, []string{"approvalTopicKeyArn: got "}},
		{"no approver", func(c *Config) { c.ApproverEmails = nil }, []string{`approverEmails: got "", want at least one address`}},
		{"position", func(c *Config) { c.ApprovalPosition = "afterDeploy" }, []string{`approvalPosition: got "afterDeploy", want "beforeBuild" or "beforeDeploy"`}},
	})
}

func TestCheckBuild(t *testing.T) {
	runChecks(t, checkBuild, []checkCase{
		{"repository buildspec", func(c *Config) { c.Buildspec = "ci/buildspec.yml" }, nil},
		{"part of a minute", func(c *Config) { c.BuildTimeout = 90 * time.Second }, []string{"buildTimeoutMinutes: got 1.5, want 5-2160"}},
		{"too long", func(c *Config) { c.BuildTimeout = 37 * time.Hour }, []string{"buildTimeoutMinutes: got 2220, want 5-2160"}},
		{"no concurrency limit", func(c *Config) { c.BuildConcurrencyLimit = 0 }, nil},
		{"concurrency", func(c *Config) { c.BuildConcurrencyLimit = 101 }, []string{"buildConcurrencyLimit: got 101, want 0 (no limit) or 1-100"}},
		{"architecture", func(c *Config) { c.Architecture = "amd64" }, []string{`architecture: got "amd64", want "x86_64" or "arm64"`}},
		{"retention", func(c *Config) { c.LogRetention = "FOREVER" }, []string{`logRetentionDays: got "FOREVER", want a CloudWatch Logs retention`}},
		{"keep images", func(c *Config) { c.KeepReleaseImages = 0 }, []string{"keepReleaseImages: got 0, want 1-1000"}},
		{"artifacts", func(c *Config) { c.ArtifactExpiration = 12 * time.Hour }, []string{"artifactExpirationDays: got 0.5, want 1-3650"}},
	})
}

func TestCheckBuildSecrets(t *testing.T) {
	secrets := func(m map[string]string) func(c *Config) { return func(c *Config) { c.BuildSecrets = m } }
	runChecks(t, checkBuildSecrets, []checkCase{
		{"under build/", secrets(map[string]string{"NPM_TOKEN": "/myapp/build/npm"}), nil},
		{"another tree", secrets(map[string]string{"NPM_TOKEN": "/ci/npm"}), nil},
		{"read by the hosts", secrets(map[string]string{"NPM_TOKEN": "/myapp/npm"}), []string{`buildSecrets.NPM_TOKEN: got "/myapp/npm", want a name under /myapp/build/`}},
		{"the secret itself", secrets(map[string]string{"NPM_TOKEN": "npm_0123456789abcdef"}), []string{"buildSecrets.NPM_TOKEN: got a value that is not a Parameter Store name (not shown"}},
		{"reserved id", secrets(map[string]string{"PATH": "/myapp/build/p"}), []string{`buildSecrets: got "PATH", want an id that is not one of the build's own variables`}},
	})
}

func TestCheckTargets(t *testing.T) {
	runChecks(t, checkTargets, []checkCase{
		{"group and tags", func(c *Config) { c.AutoScalingGroupName, c.DeployTagValues = "web-asg", []string{"web"} }, nil},
		{"group and managed host", func(c *Config) { c.AutoScalingGroupName, c.ManagedHost = "web-asg", true }, []string{`autoScalingGroupName: got "web-asg", want no value with managedHost true`}},
		{"tag key reserved", func(c *Config) { c.DeployTagKey = "AWS:x" }, []string{`deployTagKey: got "AWS:x", want a key not starting with "aws:"`}},
		{"51 tag values", func(c *Config) {
			for i := range 51 {
				c.DeployTagValues = append(c.DeployTagValues, "v"+itoa(i))
			}
		}, []string{"deployTagValues: got 51 values, want at most 50 values"}},
	})
}

func TestCheckDeploymentConfig(t *testing.T) {
	runChecks(t, checkDeploymentConfig, []checkCase{
		{"predefined", func(c *Config) { c.DeploymentConfig = DeploymentConfig{Predefined: HalfAtATime} }, nil},
		{"count", func(c *Config) { c.DeploymentConfig = DeploymentConfig{MinHealthy: &MinHealthyHosts{Value: 2}} }, nil},
		{"both", func(c *Config) { c.DeploymentConfig.MinHealthy = &MinHealthyHosts{Value: 2} }, []string{`deploymentConfig: got "OneAtATime", want no value together with minHealthyHosts`}},
		{"100%", func(c *Config) {
			c.DeploymentConfig = DeploymentConfig{MinHealthy: &MinHealthyHosts{Value: 100, Percent: true}}
		}, []string{`minHealthyHosts: got "100%", want a percentage of 0-99%`}},
		{"unknown", func(c *Config) { c.DeploymentConfig = DeploymentConfig{Predefined: "CodeDeployDefault.OneAtATime"} }, []string{`deploymentConfig: got "CodeDeployDefault.OneAtATime", want one of OneAtATime`}},
	})
}

func TestCheckAgent(t *testing.T) {
	runChecks(t, checkAgent, []checkCase{
		{"schedule", func(c *Config) { c.AgentInstall, c.AgentSchedule = "schedule", "rate(30 minutes)" }, nil},
		{"too often", func(c *Config) { c.AgentInstall, c.AgentSchedule = "schedule", "rate(29 minutes)" }, []string{`agentSchedule: got "rate(29 minutes)", want a rate of at least 30 minutes`}},
		{"schedule unused", func(c *Config) { c.AgentSchedule = "rate(1 day)" }, []string{`agentSchedule: got "rate(1 day)", want no value unless agentInstall is "schedule"`}},
		{"mode", func(c *Config) { c.AgentInstall = "always" }, []string{`agentInstall: got "always"`}},
	})
}

func TestCheckHost(t *testing.T) {
	vpc := func(subnets ...Subnet) func(c *Config) {
		return func(c *Config) { c.ManagedHost, c.VpcID, c.Subnets = true, "vpc-0abc1234def567890", subnets }
	}
	runChecks(t, checkHost, []checkCase{
		{"graviton on arm64", func(c *Config) {
			c.Architecture, c.HostInstanceType = awsec2.InstanceArchitecture_ARM_64, "c7gn.large"
		}, nil},
		{"graviton on x86_64", func(c *Config) { c.HostInstanceType = "t4g.small" }, []string{`hostInstanceType: got "t4g.small", want an x86_64 instance type to match architecture "x86_64" (the image is built for x86_64; a arm64 host`}},
		{"two zones of a Region", vpc(Subnet{"subnet-0abc1234def567890", "eu-west-1a"}, Subnet{"subnet-0abc1234def567891", "eu-west-1b"}), nil},
		{"zones of two Regions", vpc(Subnet{"subnet-0abc1234def567890", "eu-west-1a"}, Subnet{"subnet-0abc1234def567891", "eu-west-2a"}), []string{`availabilityZones: got "eu-west-2a", want zones of one Region`}},
		{"vpc without subnets", vpc(), []string{`subnetIds: got "", want the public subnet ids of vpcId`}},
		{"cidr", func(c *Config) { c.IngressCidr = "10.0.0.1/8" }, []string{`ingressCidr: got "10.0.0.1/8"`}},
	})
}

func TestCheckApp(t *testing.T) {
	runChecks(t, checkApp, []checkCase{
		{"ports", func(c *Config) { c.AppPort, c.HTTPPort = 0, 65536 }, []string{"appPort: got 0, want a TCP port, 1-65535", "httpPort: got 65536, want a TCP port, 1-65535"}},
		{"same port", func(c *Config) { c.HTTPPort = c.AppPort }, []string{"httpPort: got 8080, want a port different from appPort"}},
		{"query", func(c *Config) { c.HealthCheckPath = "/health?deep=1" }, nil},
		{"quote", func(c *Config) { c.HealthCheckPath = "/h'" }, []string{`healthCheckPath: got "/h'"`}},
	})
}

func TestCheckDiffRoleAndRemoval(t *testing.T) {
	runChecks(t, checkDiffRole, []checkCase{
		{"none", func(c *Config) {}, nil},
		{"repo", func(c *Config) { c.DiffRole = &DiffRole{Owner: "acme", Repo: "infra"} }, nil},
		{"bad repo", func(c *Config) { c.DiffRole = &DiffRole{Owner: "acme", Repo: "a/b"} }, []string{`diffRoleRepo: got "acme/a/b"`}},
		{"provider", func(c *Config) {
			c.DiffRole = &DiffRole{Owner: "acme", Repo: "infra", ProviderArn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com"}
		}, []string{`diffRoleProviderArn: got "arn:aws:iam::123456789012:oidc-provider/gitlab.com"`}},
	})
	runChecks(t, checkRemovalPolicy, []checkCase{
		{"snapshot", func(c *Config) { c.RemovalPolicy = "SNAPSHOT" }, []string{`removalPolicy: got "SNAPSHOT", want "retain" or "destroy"`}},
	})
}

func TestCheckRegions(t *testing.T) {
	const (
		topic   = "arn:aws:sns:eu-west-1:123456789012:approvals"
		keyEU   = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
		keyUS   = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
		tgUS    = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
		topicCN = "arn:aws-cn:sns:cn-north-1:123456789012:approvals"
	)
	runChecks(t, checkRegions, []checkCase{
		{"none given", func(c *Config) {}, nil},
		{"topic and its key", func(c *Config) { c.ApprovalTopicArn, c.ApprovalTopicKeyArn = topic, keyEU }, nil},
		{"key replica of another Region", func(c *Config) { c.ApprovalTopicArn, c.ApprovalTopicKeyArn = topic, keyUS }, []string{`approvalTopicKeyArn: got "` + keyUS + `", want a key in eu-west-1, the topic's Region`}},
		{"target group elsewhere", func(c *Config) { c.ApprovalTopicArn, c.TargetGroupArn = topic, tgUS }, []string{`targetGroupArn: got "` + tgUS + `", want a value in eu-west-1, the Region of approvalTopicArn`}},
		{"zones elsewhere", func(c *Config) {
			c.TargetGroupArn, c.Subnets = tgUS, []Subnet{{"subnet-0abc1234def567890", "eu-west-1a"}}
		}, []string{`availabilityZones: got "eu-west-1a", want a value in us-east-1, the Region of targetGroupArn`}},
		{"two partitions", func(c *Config) {
			c.ConnectionArn, c.ApprovalTopicArn = "arn:aws:codeconnections:cn-north-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", topicCN
		}, []string{`approvalTopicArn: got "` + topicCN + `", want an ARN of partition "aws", as connectionArn is`}},
	})
}

func TestCheckBuildSecretNames(t *testing.T) {
	secrets := func(m map[string]string) func(c *Config) { return func(c *Config) { c.BuildSecrets = m } }
	deep := "/ci" + strings.Repeat("/x", 15)
	long := "/ci/" + strings.Repeat("x", 950)
	runChecks(t, checkBuildSecrets, []checkCase{
		{"15 levels", secrets(map[string]string{"T": "/ci" + strings.Repeat("/x", 14)}), nil},
		{"16 levels", secrets(map[string]string{"T": deep}), []string{`buildSecrets.T: got "` + deep + `", want a Parameter Store name of at most 950 characters and 15 levels`}},
		{"too long", secrets(map[string]string{"T": long}), []string{`buildSecrets.T: got "` + long + `", want a Parameter Store name of at most 950`}},
		{"reserved", secrets(map[string]string{"T": "/AWS-shared/npm"}), []string{`buildSecrets.T: got "/AWS-shared/npm", want a name whose first level does not start with "aws"`}},
	})
}
