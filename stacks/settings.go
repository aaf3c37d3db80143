package stacks

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Setting describes one context key a user can set. The list drives parsing,
// the unknown-key hint and the README's config reference.
type Setting struct {
	Key     string
	Default string
	Doc     string
	apply   func(c *Config, raw any) error
}

// Settings lists every context key shipline reads, in reference order.
func Settings() []Setting {
	return settings
}

var settings = []Setting{
	{"appName", `"myapp"`, "Application name: Parameter Store path `/<appName>/`, host directory `/opt/<appName>`, default deploy tag value. 3-32 of `a-z 0-9 -`, starting with a letter.", str(func(c *Config) *string { return &c.AppName })},
	{"githubOwner", `"your-github-owner"`, "GitHub user or organisation that owns the app repository (placeholder until set).", str(func(c *Config) *string { return &c.GitHubOwner })},
	{"githubRepo", `"your-app-repo"`, "App repository name (placeholder until set).", str(func(c *Config) *string { return &c.GitHubRepo })},
	{"githubBranch", `"main"`, "Branch whose pushes start the pipeline.", str(func(c *Config) *string { return &c.GitHubBranch })},
	{"connectionArn", `""`, "Existing CodeConnections connection ARN (`codeconnections` or `codestar-connections`). Empty: the stack creates one, to be completed once in the console.", str(func(c *Config) *string { return &c.ConnectionArn })},
	{"approverEmails", `["approver@example.com"]`, "Emails subscribed to the approval topic (list, or comma-separated with `-c`).", list(func(c *Config) *[]string { return &c.ApproverEmails })},
	{"approvalTopicArn", `""`, "Existing SNS topic for approvals and notifications. Empty: the stack creates one.", str(func(c *Config) *string { return &c.ApprovalTopicArn })},
	{"approvalTopicKeyArn", `""`, "KMS key ARN of an encrypted `approvalTopicArn`, so that CodePipeline and CodeDeploy are granted its use.", str(func(c *Config) *string { return &c.ApprovalTopicKeyArn })},
	{"approvalPosition", `"beforeBuild"`, "`beforeBuild` (Source → Approval → Build → Deploy) or `beforeDeploy` (Source → Build → Approval → Deploy).", str(func(c *Config) *string { return &c.ApprovalPosition })},
	{"buildspec", `"managed"`, "`managed` (shipline's buildspec and deploy bundle) or the path of a buildspec file in the app repository, e.g. `buildspec.yml`.", str(func(c *Config) *string { return &c.Buildspec })},
	{"dockerfile", `"Dockerfile"`, "Dockerfile path in the app repository (managed buildspec).", str(func(c *Config) *string { return &c.Dockerfile })},
	{"buildContext", `"."`, "Docker build context in the app repository (managed buildspec).", str(func(c *Config) *string { return &c.BuildContext })},
	{"buildComputeType", `"SMALL"`, "CodeBuild compute: `SMALL`, `MEDIUM`, `LARGE`, `X_LARGE`, `X2_LARGE`.", str(func(c *Config) *string { return &c.BuildComputeType })},
	{"buildTimeoutMinutes", `30`, "Build timeout, 5-2160 minutes.", integer(func(c *Config) *int { return &c.BuildTimeoutMinutes })},
	{"buildConcurrencyLimit", `1`, "Concurrent builds allowed, 1-100; 0 for no limit.", integer(func(c *Config) *int { return &c.BuildConcurrencyLimit })},
	{"buildSecrets", `{}`, "Build secrets: secret id → Parameter Store name, under `/<appName>/build/` (which hosts cannot read) or outside `/<appName>/`. Passed to `docker build` as BuildKit secrets, never as build args. With `-c`: `ID=/param,ID2=/param2`.", kv(func(c *Config) *map[string]string { return &c.BuildSecrets })},
	{"architecture", `"x86_64"`, "CPU architecture of the image, the build machine and managed hosts: `x86_64` or `arm64`.", str(func(c *Config) *string { return &c.Architecture })},
	{"logRetentionDays", `30`, "Build log retention in days (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, ...).", integer(func(c *Config) *int { return &c.LogRetentionDays })},
	{"keepReleaseImages", `20`, "Release images (`sha-*` tags) kept in the repository, 1-1000; untagged images expire after a day.", integer(func(c *Config) *int { return &c.KeepReleaseImages })},
	{"artifactExpirationDays", `30`, "Days before pipeline artifacts expire, 1-3650.", integer(func(c *Config) *int { return &c.ArtifactExpirationDays })},
	{"deployTagKey", `"App"`, "EC2 tag key that selects the deployment targets.", str(func(c *Config) *string { return &c.DeployTagKey })},
	{"deployTagValues", `[]`, "Tag values that select targets (any of them). Empty: `[appName]`.", list(func(c *Config) *[]string { return &c.DeployTagValues })},
	{"autoScalingGroupName", `""`, "Existing Auto Scaling group to deploy to, instead of or besides tagged instances.", str(func(c *Config) *string { return &c.AutoScalingGroupName })},
	{"targetGroupArn", `""`, "Existing ALB target group: instances leave traffic while they are deployed.", str(func(c *Config) *string { return &c.TargetGroupArn })},
	{"deploymentConfig", `"OneAtATime"`, "`OneAtATime`, `HalfAtATime` or `AllAtOnce`.", str(func(c *Config) *string { return &c.DeploymentConfig })},
	{"minHealthyHosts", `""`, "Custom deployment config instead: `N%` (0-99) or a host count, e.g. `75%`.", str(func(c *Config) *string { return &c.MinHealthyHosts })},
	{"agentInstall", `"once"`, "CodeDeploy agent on target hosts: `never`, `once`, `now` (update now) or `schedule`.", str(func(c *Config) *string { return &c.AgentInstall })},
	{"agentSchedule", `""`, "With `agentInstall: schedule`: `rate(14 days)` or `cron(0 3 ? * SUN *)`.", str(func(c *Config) *string { return &c.AgentSchedule })},
	{"managedHost", `false`, "Create an Amazon Linux 2023 host with Docker, Compose and the agent.", boolean(func(c *Config) *bool { return &c.ManagedHost })},
	{"hostInstanceType", `""`, "Managed host instance type. Empty: `t3.small` (x86_64) or `t4g.small` (arm64).", str(func(c *Config) *string { return &c.HostInstanceType })},
	{"vpcId", `""`, "Managed host VPC. Empty: a new VPC with public subnets and no NAT gateway.", str(func(c *Config) *string { return &c.VpcID })},
	{"subnetIds", `[]`, "Public subnets of `vpcId` for the managed host.", list(func(c *Config) *[]string { return &c.SubnetIDs })},
	{"availabilityZones", `[]`, "Availability zones of `subnetIds`, in the same order.", list(func(c *Config) *[]string { return &c.AvailabilityZones })},
	{"ingressCidr", `"0.0.0.0/0"`, "IPv4 range allowed to reach the managed host's HTTP port.", str(func(c *Config) *string { return &c.IngressCidr })},
	{"appPort", `8080`, "Port the app container listens on (Parameter Store `/<appName>/APP_PORT`).", integer(func(c *Config) *int { return &c.AppPort })},
	{"httpPort", `80`, "Port the proxy serves on the host (`/<appName>/HTTP_PORT`).", integer(func(c *Config) *int { return &c.HTTPPort })},
	{"healthCheckPath", `"/health"`, "Path checked by ValidateService (`/<appName>/HEALTH_CHECK_PATH`).", str(func(c *Config) *string { return &c.HealthCheckPath })},
	{"removalPolicy", `"retain"`, "`retain` keeps images, artifacts and logs when the stack is destroyed; `destroy` deletes them.", str(func(c *Config) *string { return &c.RemovalPolicy })},
	{"diffRoleRepo", `""`, "`owner/repo` of the repository holding this CDK app: creates a role its pull requests assume (GitHub OIDC) to run `cdk diff`. Empty: no role.", str(func(c *Config) *string { return &c.DiffRoleRepo })},
	{"diffRoleProviderArn", `""`, "Existing GitHub OIDC provider for the diff role (an account holds one per URL). Empty: the stack creates it.", str(func(c *Config) *string { return &c.DiffRoleProviderArn })},
	{"nag", `false`, "Apply the cdk-nag AwsSolutions rules at synth.", boolean(func(c *Config) *bool { return &c.Nag })},
}

func str(field func(*Config) *string) func(*Config, any) error {
	return func(c *Config, raw any) error {
		switch v := raw.(type) {
		case string:
			*field(c) = strings.TrimSpace(v)
			return nil
		default:
			return fmt.Errorf("got %s, want a string", describe(raw))
		}
	}
}

func integer(field func(*Config) *int) func(*Config, any) error {
	return func(c *Config, raw any) error {
		switch v := raw.(type) {
		case float64:
			if v != math.Trunc(v) || math.Abs(v) > 1e9 {
				return fmt.Errorf("got %s, want a whole number", describe(raw))
			}
			*field(c) = int(v)
			return nil
		case string:
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n > 1e9 || n < -1e9 {
				return fmt.Errorf("got %s, want a whole number", describe(raw))
			}
			*field(c) = n
			return nil
		default:
			return fmt.Errorf("got %s, want a whole number", describe(raw))
		}
	}
}

func boolean(field func(*Config) *bool) func(*Config, any) error {
	return func(c *Config, raw any) error {
		switch v := raw.(type) {
		case bool:
			*field(c) = v
			return nil
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				*field(c) = true
				return nil
			case "false":
				*field(c) = false
				return nil
			}
		}
		return fmt.Errorf("got %s, want true or false", describe(raw))
	}
}

// list accepts a JSON list of strings, a JSON-encoded list in a string, or a
// comma-separated string (what `-c key=a,b` gives).
func list(field func(*Config) *[]string) func(*Config, any) error {
	return func(c *Config, raw any) error {
		var out []string
		switch v := raw.(type) {
		case []any:
			for _, item := range v {
				s, ok := item.(string)
				if !ok {
					return fmt.Errorf("got a list holding %s, want a list of strings", describe(item))
				}
				out = append(out, strings.TrimSpace(s))
			}
		case string:
			v = strings.TrimSpace(v)
			if strings.HasPrefix(v, "[") {
				var items []string
				if err := json.Unmarshal([]byte(v), &items); err != nil {
					return fmt.Errorf("got %q, want a JSON list of strings or a comma-separated list", v)
				}
				for _, s := range items {
					out = append(out, strings.TrimSpace(s))
				}
			} else if v != "" {
				for _, s := range strings.Split(v, ",") {
					out = append(out, strings.TrimSpace(s))
				}
			}
		default:
			return fmt.Errorf("got %s, want a list of strings", describe(raw))
		}
		*field(c) = out
		return nil
	}
}

// kv accepts a JSON object of strings, a JSON-encoded object in a string, or
// "k=v,k2=v2".
func kv(field func(*Config) *map[string]string) func(*Config, any) error {
	return func(c *Config, raw any) error {
		out := map[string]string{}
		switch v := raw.(type) {
		case map[string]any:
			for k, item := range v {
				s, ok := item.(string)
				if !ok {
					return fmt.Errorf("got %s for %q, want a string", describe(item), k)
				}
				k = strings.TrimSpace(k)
				if _, dup := out[k]; dup {
					return fmt.Errorf("got %q twice, want each secret id once", k)
				}
				out[k] = strings.TrimSpace(s)
			}
		case string:
			v = strings.TrimSpace(v)
			if strings.HasPrefix(v, "{") {
				if err := json.Unmarshal([]byte(v), &out); err != nil {
					return fmt.Errorf("got %q, want a JSON object of strings or ID=/param pairs", v)
				}
			} else if v != "" {
				for _, pair := range strings.Split(v, ",") {
					k, val, ok := strings.Cut(pair, "=")
					if !ok {
						return fmt.Errorf("got %q, want ID=/parameter/name pairs separated by commas", pair)
					}
					k = strings.TrimSpace(k)
					if _, dup := out[k]; dup {
						return fmt.Errorf("got %q twice, want each secret id once", k)
					}
					out[k] = strings.TrimSpace(val)
				}
			}
		default:
			return fmt.Errorf("got %s, want an object of strings", describe(raw))
		}
		*field(c) = out
		return nil
	}
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// closestKey suggests the known key nearest to an unknown one, for typos.
func closestKey(key string) string {
	best, bestDist := "", 4
	for _, s := range settings {
		if d := distance(strings.ToLower(key), strings.ToLower(s.Key)); d < bestDist {
			best, bestDist = s.Key, d
		}
	}
	return best
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// SettingsMarkdown renders the config reference table of the README.
func SettingsMarkdown() string {
	var b strings.Builder
	b.WriteString("| Setting | Default | What it does |\n|---|---|---|\n")
	for _, s := range settings {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", s.Key, s.Default, strings.ReplaceAll(s.Doc, "|", `\|`))
	}
	return b.String()
}
