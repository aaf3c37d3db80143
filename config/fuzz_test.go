package config_test

import (
	"encoding/json"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"

	"github.com/shipline/shipline/config"
)

// FuzzConfigFromContext feeds the config reader arbitrary context: a JSON
// object (what cdk.json gives) or "key=value" lines (what `-c` gives). The
// reader must never panic; whatever it rejects is reported as
// "setting: got X, want Y" lines, and whatever it accepts passes an
// independent re-check of the invariants the stack relies on.
//
//	go test -run XXX -fuzz FuzzConfigFromContext -fuzztime 5m ./config/
func FuzzConfigFromContext(f *testing.F) {
	for _, c := range catalog {
		raw, err := json.Marshal(c.ctx)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(raw))
		// The same settings as `-c` strings.
		var lines []string
		for k, v := range c.ctx {
			if s, ok := v.(string); ok {
				lines = append(lines, k+"="+s)
			}
		}
		f.Add(strings.Join(lines, "\n"))
	}
	f.Add(`{}`)
	f.Add(`{"managedHost":true,"architecture":"arm64","hostInstanceType":"t4g.small"}`)
	f.Add("agentInstall=schedule\nagentSchedule=rate(30 minutes)")
	f.Add("buildSecrets=A=/x/y,B=/x/z\napproverEmails=a@example.com,b@example.com")

	f.Fuzz(func(t *testing.T, data string) {
		ctx := contextFrom(data)
		p, err := config.FromContext(ctx)
		if err != nil {
			checkRejection(t, err)
			return
		}
		checkAccepted(t, p, data)
	})
}

// contextFrom reads a JSON object, or else "key=value" lines as `-c` gives them.
func contextFrom(data string) map[string]any {
	ctx := map[string]any{}
	if strings.HasPrefix(strings.TrimSpace(data), "{") {
		if json.Unmarshal([]byte(data), &ctx) == nil {
			return ctx
		}
		ctx = map[string]any{}
	}
	for _, line := range strings.Split(data, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			ctx[k] = v
		}
	}
	return ctx
}

var settingKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range config.Settings() {
		m[s.Key] = true
	}
	return m
}()

func checkRejection(t *testing.T, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		key, rest, ok := strings.Cut(line, ": ")
		key, _, _ = strings.Cut(key, ".") // buildSecrets.<id>
		key, _, _ = strings.Cut(key, "[") // environments[<i>]
		known := settingKeys[key] || strings.HasPrefix(rest, "got an unknown setting")
		if !ok || !known || !strings.HasPrefix(rest, "got ") || !strings.Contains(rest, ", want ") {
			t.Fatalf("error line %q is not \"<setting>: got X, want Y\"", line)
		}
	}
}

// The invariants, written apart from validate.go so that a bug there does
// not hide itself.
var (
	appNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}[a-z0-9]$`)
	envName        = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	gravitonFamily = regexp.MustCompile(`^(a1|[a-z]+[0-9]+g[a-z]*)\.`)
	retentionDays  = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)

func checkAccepted(t *testing.T, c config.Config, data string) {
	fail := func(format string, args ...any) {
		t.Helper()
		args = append(args, data)
		t.Fatalf(format+"\ninput: %q", args...)
	}
	if !appNamePattern.MatchString(c.AppName) || strings.Contains(c.AppName, "--") ||
		strings.HasPrefix(c.AppName, "aws") || strings.HasPrefix(c.AppName, "ssm") {
		fail("accepted appName %q", c.AppName)
	}
	// Git allows '$' and quotes in branch names; spaces and control characters never.
	if c.GitHubBranch == "" || strings.HasPrefix(c.GitHubBranch, "refs/") || strings.IndexFunc(c.GitHubBranch, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		fail("accepted githubBranch %q", c.GitHubBranch)
	}
	buildspec := c.Buildspec
	if buildspec == "" {
		buildspec = "managed"
	}
	for name, v := range map[string]string{"githubOwner": c.GitHubOwner, "githubRepo": c.GitHubRepo, "healthCheckPath": c.HealthCheckPath, "dockerfile": c.Dockerfile, "buildspec": buildspec, "buildContext": c.BuildContext} {
		if v == "" || strings.IndexFunc(v, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || r == '"' || r == '\'' || r == '$' || r == '`'
		}) >= 0 {
			fail("accepted %s %q (empty, or spaces, quotes or '$' that break the shell scripts and URLs it lands in)", name, v)
		}
	}
	for _, p := range []int{c.AppPort, c.HTTPPort} {
		if p < 1 || p > 65535 {
			fail("accepted port %d", p)
		}
	}
	if c.AppPort == c.HTTPPort {
		fail("accepted appPort == httpPort (%d)", c.AppPort)
	}
	if c.Architecture != awsec2.InstanceArchitecture_X86_64 && c.Architecture != awsec2.InstanceArchitecture_ARM_64 {
		fail("accepted architecture %q", c.Architecture)
	}
	if c.HostInstanceType != "" {
		arch := awsec2.InstanceArchitecture_X86_64
		if gravitonFamily.MatchString(c.HostInstanceType) {
			arch = awsec2.InstanceArchitecture_ARM_64
		}
		if arch != c.Architecture {
			fail("accepted %s host %q for a %s image", arch, c.HostInstanceType, c.Architecture)
		}
	}
	if !c.ManagedHost && (c.HostInstanceType != "" || c.VpcID != "" || len(c.Subnets) > 0) {
		fail("accepted managed host settings without managedHost")
	}
	if ip, n, err := net.ParseCIDR(c.IngressCidr); err != nil || ip.To4() == nil || !ip.Equal(n.IP) {
		fail("accepted ingressCidr %q", c.IngressCidr)
	}
	if c.ApprovalTopicArn == "" && len(c.ApproverEmails) == 0 {
		fail("accepted no approver and no topic")
	}
	for _, e := range c.ApproverEmails {
		local, domain, ok := strings.Cut(e, "@")
		if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(e, " <>\",\n") {
			fail("accepted approver email %q", e)
		}
	}
	if c.ConnectionArn != "" && (!strings.HasPrefix(c.ConnectionArn, "arn:aws") || !strings.Contains(c.ConnectionArn, ":connection/")) {
		fail("accepted connectionArn %q", c.ConnectionArn)
	}
	if c.ApprovalTopicArn != "" && (!strings.HasPrefix(c.ApprovalTopicArn, "arn:aws") || !strings.Contains(c.ApprovalTopicArn, ":sns:") || strings.HasSuffix(c.ApprovalTopicArn, ".fifo")) {
		fail("accepted approvalTopicArn %q", c.ApprovalTopicArn)
	}
	for id, param := range c.BuildSecrets {
		if !envName.MatchString(id) || !strings.HasPrefix(param, "/") || strings.ContainsAny(param, " \n") {
			fail("accepted build secret %q -> %q (ids are env names, values Parameter Store names)", id, param)
		}
	}
	minutes, days := c.BuildTimeout.Minutes(), c.ArtifactExpiration.Hours()/24
	if minutes < 5 || minutes > 2160 || c.BuildConcurrencyLimit < 0 || c.BuildConcurrencyLimit > 100 ||
		c.KeepReleaseImages < 1 || c.KeepReleaseImages > 1000 || days < 1 || days > 3650 {
		fail("accepted a number out of range: %+v", c)
	}
	if !slices.Contains(retentionDays, config.RetentionDays(c.LogRetention)) {
		fail("accepted logRetention %q", c.LogRetention)
	}
	if c.ApprovalPosition != "beforeBuild" && c.ApprovalPosition != "beforeDeploy" {
		fail("accepted approvalPosition %q", c.ApprovalPosition)
	}
	if c.RemovalPolicy != awscdk.RemovalPolicy_RETAIN && c.RemovalPolicy != awscdk.RemovalPolicy_DESTROY {
		fail("accepted removalPolicy %q", c.RemovalPolicy)
	}
	if c.AutoScalingGroupName != "" && c.ManagedHost {
		fail("accepted an existing Auto Scaling group together with a managed host")
	}
	if strings.HasPrefix(strings.ToLower(c.DeployTagKey), "aws:") || c.DeployTagKey == "" {
		fail("accepted deployTagKey %q", c.DeployTagKey)
	}
}
