package stacks

import (
	"fmt"
	"maps"
	"net"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/github"
)

// SettingError is one bad setting: its key, what was received and what is
// allowed. It reads as a single line.
type SettingError struct {
	Setting string
	Problem string
}

func (e *SettingError) Error() string { return e.Setting + ": " + e.Problem }

func bad(setting string, got any, want string, args ...any) error {
	return &SettingError{Setting: setting, Problem: fmt.Sprintf("got %s, want %s", describe(got), fmt.Sprintf(want, args...))}
}

var (
	reAppName      = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}[a-z0-9]$`)
	reTopicArn     = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	reTargetGroup  = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:elasticloadbalancing:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`)
	reRepoPath     = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,255}$`)
	reSecretID     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	reParamName    = regexp.MustCompile(`^/[A-Za-z0-9_.\-/]{1,1000}$`)
	reTagChars     = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	reASGName      = regexp.MustCompile(`^[^:\x00-\x1f]{1,255}$`)
	reInstanceType = regexp.MustCompile(`^([a-z][a-z0-9-]*)\.([a-z0-9]+)$`)
	reVpcID        = regexp.MustCompile(`^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$`)
	reSubnetID     = regexp.MustCompile(`^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$`)
	reAZ           = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-\d[a-z]$`)
	reMinHealthy   = regexp.MustCompile(`^(\d{1,5})(%?)$`)
	reKeyArn       = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	reOIDCProvider = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)
)

var (
	computeTypes      = []string{"SMALL", "MEDIUM", "LARGE", "X_LARGE", "X2_LARGE"}
	deploymentConfigs = []string{"OneAtATime", "HalfAtATime", "AllAtOnce"}
	// Environment variables the build project sets itself; a build secret
	// with one of these ids would shadow it.
	reservedBuildEnv = []string{"AWS_ACCOUNT_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "IMAGE_REPO_NAME", "REPOSITORY_URI", "APP_NAME", "PARAMETER_PATH", "IMAGE_PLATFORM", "MOVING_TAG", "CACHE_TAG", "DOCKERFILE", "BUILD_CONTEXT", "BUNDLE_S3_URL", "BUILD_SECRET_IDS", "HOME", "PATH"}
)

// validate checks every setting and the combinations between them. set holds
// the keys the user gave explicitly, to tell a contradiction from a default.
func (c Config) validate(set map[string]bool) []error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	if !reAppName.MatchString(c.AppName) || strings.Contains(c.AppName, "--") {
		add(bad("appName", c.AppName, "3-32 characters of a-z, 0-9 and single hyphens, starting with a letter and ending with a letter or digit"))
	} else if strings.HasPrefix(c.AppName, "aws") || strings.HasPrefix(c.AppName, "ssm") {
		add(bad("appName", c.AppName, "a name not starting with \"aws\" or \"ssm\" (Parameter Store reserves those prefixes)"))
	}
	if !github.ValidOwner(c.GitHubOwner) {
		add(bad("githubOwner", c.GitHubOwner, "a GitHub user or organisation name: 1-39 letters, digits or single hyphens, not starting or ending with a hyphen"))
	}
	if !github.ValidRepo(c.GitHubRepo) {
		add(bad("githubRepo", c.GitHubRepo, "a repository name: 1-100 letters, digits, '.', '_' or '-', without the owner or a .git suffix"))
	}
	if !github.ValidBranch(c.GitHubBranch) {
		add(bad("githubBranch", c.GitHubBranch, "a Git branch name: no spaces, control characters, '~', '^', ':', '?', '*', '[', '\\', '..', '@{' or '//', not starting or ending with '/' or '.', not ending in \".lock\""))
	}
	if c.ConnectionArn != "" && !github.ValidConnectionArn(c.ConnectionArn) {
		add(bad("connectionArn", c.ConnectionArn, "empty (create a connection) or arn:aws:codeconnections:<region>:<account>:connection/<uuid> (codestar-connections also accepted)"))
	}

	if c.ApprovalTopicArn != "" {
		if !reTopicArn.MatchString(c.ApprovalTopicArn) {
			add(bad("approvalTopicArn", c.ApprovalTopicArn, "empty (create a topic) or arn:aws:sns:<region>:<account>:<topic name>"))
		} else if strings.HasSuffix(c.ApprovalTopicArn, ".fifo") {
			add(bad("approvalTopicArn", c.ApprovalTopicArn, "a standard topic: FIFO topics cannot deliver email"))
		}
	}
	if c.ApprovalTopicKeyArn != "" {
		if c.ApprovalTopicArn == "" {
			add(bad("approvalTopicKeyArn", c.ApprovalTopicKeyArn, "no value unless approvalTopicArn names an existing topic (a new topic gets its own key)"))
		} else if !reKeyArn.MatchString(c.ApprovalTopicKeyArn) {
			add(bad("approvalTopicKeyArn", c.ApprovalTopicKeyArn, "arn:aws:kms:<region>:<account>:key/<key id>"))
		}
	}
	if c.ApprovalTopicArn == "" && len(c.ApproverEmails) == 0 {
		add(bad("approverEmails", "", "at least one address, unless approvalTopicArn names a topic that already has subscribers"))
	}
	seen := map[string]bool{}
	for _, e := range c.ApproverEmails {
		if !validEmail(e) {
			add(bad("approverEmails", e, "an email address such as ops@example.com"))
		} else if seen[strings.ToLower(e)] {
			add(bad("approverEmails", e, "each address once"))
		}
		seen[strings.ToLower(e)] = true
	}
	if c.ApprovalPosition != ApprovalBeforeBuild && c.ApprovalPosition != ApprovalBeforeDeploy {
		add(bad("approvalPosition", c.ApprovalPosition, "%q or %q", ApprovalBeforeBuild, ApprovalBeforeDeploy))
	}

	if c.Buildspec != BuildspecManaged && !validRepoPath(c.Buildspec, true) {
		add(bad("buildspec", c.Buildspec, "%q or a relative .yml/.yaml path in the app repository, such as buildspec.yml", BuildspecManaged))
	}
	if !validRepoPath(c.Dockerfile, false) {
		add(bad("dockerfile", c.Dockerfile, "a relative path in the app repository, such as Dockerfile or docker/app.Dockerfile"))
	}
	if c.BuildContext != "." && !validRepoPath(c.BuildContext, false) {
		add(bad("buildContext", c.BuildContext, "\".\" or a relative directory in the app repository"))
	}
	if c.Buildspec != BuildspecManaged && validRepoPath(c.Buildspec, true) {
		for _, k := range []string{"dockerfile", "buildContext"} {
			if set[k] {
				add(bad(k, "set", "no value with a repository buildspec (%q): the repository's buildspec decides how to build", c.Buildspec))
			}
		}
	}
	if !slices.Contains(computeTypes, strings.TrimPrefix(c.BuildComputeType, "BUILD_GENERAL1_")) {
		add(bad("buildComputeType", c.BuildComputeType, "one of %s", strings.Join(computeTypes, ", ")))
	}
	if c.BuildTimeoutMinutes < 5 || c.BuildTimeoutMinutes > 2160 {
		add(bad("buildTimeoutMinutes", float64(c.BuildTimeoutMinutes), "5-2160 (CodeBuild's range)"))
	}
	if c.BuildConcurrencyLimit < 0 || c.BuildConcurrencyLimit > 100 {
		add(bad("buildConcurrencyLimit", float64(c.BuildConcurrencyLimit), "0 (no limit) or 1-100"))
	}
	for _, id := range slices.Sorted(maps.Keys(c.BuildSecrets)) {
		name := c.BuildSecrets[id]
		switch {
		case !reSecretID.MatchString(id):
			add(bad("buildSecrets", id, "secret ids made of letters, digits and '_', not starting with a digit"))
		case slices.Contains(reservedBuildEnv, id) || strings.HasPrefix(id, "CODEBUILD_"):
			add(bad("buildSecrets", id, "an id that is not one of the build's own variables (%s, CODEBUILD_*)", strings.Join(reservedBuildEnv, ", ")))
		}
		if !reParamName.MatchString(name) || strings.Contains(name, "//") {
			add(bad("buildSecrets."+id, name, "a Parameter Store name starting with '/', such as /%s/build/%s (never the secret itself)", c.AppName, id))
		} else if strings.HasPrefix(name, c.ParameterPath()) && !strings.HasPrefix(name, c.BuildSecretsPath()) {
			// The hosts read /<appName>/ into the app's environment.
			add(bad("buildSecrets."+id, name, "a name under %s (a build secret elsewhere under %s would reach the hosts' settings), or outside %s", c.BuildSecretsPath(), c.ParameterPath(), c.ParameterPath()))
		}
	}
	if c.Architecture != ArchX86 && c.Architecture != ArchArm {
		add(bad("architecture", c.Architecture, "%q or %q", ArchX86, ArchArm))
	}
	if _, ok := retentions[c.LogRetentionDays]; !ok {
		add(bad("logRetentionDays", float64(c.LogRetentionDays), "a CloudWatch Logs retention: %s", joinInts(slices.Sorted(maps.Keys(retentions)))))
	}
	if c.KeepReleaseImages < 1 || c.KeepReleaseImages > 1000 {
		add(bad("keepReleaseImages", float64(c.KeepReleaseImages), "1-1000"))
	}
	if c.ArtifactExpirationDays < 1 || c.ArtifactExpirationDays > 3650 {
		add(bad("artifactExpirationDays", float64(c.ArtifactExpirationDays), "1-3650"))
	}

	add(validTag("deployTagKey", c.DeployTagKey, 1, 128, true))
	if len(c.DeployTagValues) > 50 {
		add(bad("deployTagValues", fmt.Sprintf("%d values", len(c.DeployTagValues)), "at most 50 values"))
	}
	for _, v := range c.DeployTagValues {
		add(validTag("deployTagValues", v, 1, 256, false))
	}
	add(noDuplicates("deployTagValues", c.DeployTagValues))
	if c.AutoScalingGroupName != "" && !reASGName.MatchString(c.AutoScalingGroupName) {
		add(bad("autoScalingGroupName", c.AutoScalingGroupName, "an Auto Scaling group name: 1-255 characters without ':'"))
	}
	if c.AutoScalingGroupName != "" && c.ManagedHost {
		// An existing group plus a host the stack creates: two deploy targets
		// that contradict each other.
		add(bad("autoScalingGroupName", c.AutoScalingGroupName, "no value with managedHost true: deploy to an existing group or to the managed host, not both"))
	}
	if c.TargetGroupArn != "" && !reTargetGroup.MatchString(c.TargetGroupArn) {
		add(bad("targetGroupArn", c.TargetGroupArn, "arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>"))
	}
	if !slices.Contains(deploymentConfigs, strings.TrimPrefix(c.DeploymentConfig, "CodeDeployDefault.")) {
		add(bad("deploymentConfig", c.DeploymentConfig, "one of %s (or minHealthyHosts for a custom one)", strings.Join(deploymentConfigs, ", ")))
	}
	if c.MinHealthyHosts != "" {
		m := reMinHealthy.FindStringSubmatch(c.MinHealthyHosts)
		if m == nil {
			add(bad("minHealthyHosts", c.MinHealthyHosts, "a percentage such as 75%% (0-99%%) or a host count such as 2"))
		} else if n, _ := strconv.Atoi(m[1]); m[2] == "%" && n > 99 {
			add(bad("minHealthyHosts", c.MinHealthyHosts, "a percentage of 0-99%%: 100%% would leave no host to deploy to"))
		}
		if set["deploymentConfig"] {
			add(bad("deploymentConfig", c.DeploymentConfig, "no value together with minHealthyHosts, which defines the deployment config"))
		}
	}
	switch c.AgentInstall {
	case AgentNever, AgentOnce, AgentNow:
		if c.AgentSchedule != "" {
			add(bad("agentSchedule", c.AgentSchedule, "no value unless agentInstall is %q", AgentSchedule))
		}
	case AgentSchedule:
		add(validSchedule(c.AgentSchedule))
	default:
		add(bad("agentInstall", c.AgentInstall, "one of never, once, now, schedule"))
	}

	if c.HostInstanceType != "" {
		if !reInstanceType.MatchString(c.HostInstanceType) {
			add(bad("hostInstanceType", c.HostInstanceType, "an EC2 instance type such as t3.small or t4g.small"))
		} else if arch := InstanceArchitecture(c.HostInstanceType); (c.Architecture == ArchX86 || c.Architecture == ArchArm) && arch != c.Architecture {
			add(bad("hostInstanceType", c.HostInstanceType, "an %s instance type to match architecture %q (the image is built for %s; a %s host would fail with \"exec format error\")", c.Architecture, c.Architecture, c.Architecture, arch))
		}
	}
	if !c.ManagedHost {
		for _, k := range []string{"hostInstanceType", "vpcId", "subnetIds", "availabilityZones", "ingressCidr"} {
			if set[k] {
				add(bad(k, "set", "no value unless managedHost is true"))
			}
		}
	}
	if c.VpcID != "" {
		if !reVpcID.MatchString(c.VpcID) {
			add(bad("vpcId", c.VpcID, "empty (new VPC) or a VPC id such as vpc-0abc1234def567890"))
		}
		if len(c.SubnetIDs) == 0 {
			add(bad("subnetIds", "", "the public subnet ids of vpcId"))
		}
		if len(c.AvailabilityZones) != len(c.SubnetIDs) {
			add(bad("availabilityZones", fmt.Sprintf("%d zones", len(c.AvailabilityZones)), "one zone per subnet in subnetIds (%d), in the same order", len(c.SubnetIDs)))
		}
	} else if len(c.SubnetIDs) > 0 || len(c.AvailabilityZones) > 0 {
		add(bad("vpcId", "", "a VPC id when subnetIds or availabilityZones are set (they describe an existing VPC)"))
	}
	for _, s := range c.SubnetIDs {
		if !reSubnetID.MatchString(s) {
			add(bad("subnetIds", s, "subnet ids such as subnet-0abc1234def567890"))
		}
	}
	add(noDuplicates("subnetIds", c.SubnetIDs))
	for _, z := range c.AvailabilityZones {
		if !reAZ.MatchString(z) {
			add(bad("availabilityZones", z, "zone names such as eu-west-1a"))
		}
	}
	if ip, n, err := net.ParseCIDR(c.IngressCidr); err != nil || ip.To4() == nil || !ip.Equal(n.IP) {
		add(bad("ingressCidr", c.IngressCidr, "an IPv4 network in CIDR notation such as 203.0.113.0/24, with no host bits set"))
	}

	add(validPort("appPort", c.AppPort))
	add(validPort("httpPort", c.HTTPPort))
	if c.AppPort == c.HTTPPort {
		add(bad("httpPort", float64(c.HTTPPort), "a port different from appPort: the proxy and the app cannot share one"))
	}
	if !strings.HasPrefix(c.HealthCheckPath, "/") || strings.IndexFunc(c.HealthCheckPath, unsafeInPath) >= 0 || len(c.HealthCheckPath) > 512 {
		add(bad("healthCheckPath", c.HealthCheckPath, "a URL path starting with '/', without spaces, control characters, quotes, '$' or '\\'"))
	}
	if c.DiffRoleRepo != "" {
		owner, repo, ok := strings.Cut(c.DiffRoleRepo, "/")
		if !ok || !github.ValidOwner(owner) || !github.ValidRepo(repo) {
			add(bad("diffRoleRepo", c.DiffRoleRepo, "empty (no diff role) or owner/repo of the repository holding this CDK app, such as acme/infra"))
		}
	}
	if c.DiffRoleProviderArn != "" {
		if c.DiffRoleRepo == "" {
			add(bad("diffRoleProviderArn", c.DiffRoleProviderArn, "no value unless diffRoleRepo is set"))
		} else if !reOIDCProvider.MatchString(c.DiffRoleProviderArn) {
			add(bad("diffRoleProviderArn", c.DiffRoleProviderArn, "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com"))
		}
	}
	if c.RemovalPolicy != RemovalRetain && c.RemovalPolicy != RemovalDestroy {
		add(bad("removalPolicy", c.RemovalPolicy, "%q or %q", RemovalRetain, RemovalDestroy))
	}
	return errs
}

// InstanceArchitecture tells the CPU architecture of an EC2 instance type
// from its family: Graviton families carry a 'g' after the generation digit
// (t4g, m7g, c7gn, r8gd), and a1 is the first Graviton.
func InstanceArchitecture(instanceType string) string {
	family, _, _ := strings.Cut(instanceType, ".")
	if family == "a1" {
		return ArchArm
	}
	for i := 0; i < len(family); i++ {
		if family[i] >= '0' && family[i] <= '9' {
			if i+1 < len(family) && family[i+1] == 'g' {
				return ArchArm
			}
			break
		}
	}
	return ArchX86
}

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || len(e) > 254 {
		return false
	}
	_, domain, _ := strings.Cut(e, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.ContainsAny(e, " \t\"")
}

func validRepoPath(p string, yaml bool) bool {
	if !reRepoPath.MatchString(p) || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." || part == "" {
			return false
		}
	}
	return !yaml || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")
}

func validTag(setting, v string, minLen, maxLen int, isKey bool) error {
	n := len([]rune(v))
	switch {
	case n < minLen || n > maxLen || !reTagChars.MatchString(v):
		return bad(setting, v, "%d-%d characters of letters, digits, spaces and _ . : / = + - @", minLen, maxLen)
	case isKey && strings.HasPrefix(strings.ToLower(v), "aws:"):
		return bad(setting, v, "a key not starting with \"aws:\" (reserved by AWS)")
	}
	return nil
}

func validSchedule(s string) error {
	if want := serverdeploy.ScheduleProblem(s); want != "" {
		return bad("agentSchedule", s, "%s", want)
	}
	return nil
}

// unsafeInPath tells the characters a health check path may not hold: it is
// stored in Parameter Store and passed to curl by the deploy hooks.
func unsafeInPath(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("\"'`$\\", r)
}

// noDuplicates reports the first value a list holds twice.
func noDuplicates(setting string, values []string) error {
	seen := map[string]bool{}
	for _, v := range values {
		if seen[v] {
			return bad(setting, v, "each value once")
		}
		seen[v] = true
	}
	return nil
}

func validPort(setting string, p int) error {
	if p < 1 || p > 65535 {
		return bad(setting, float64(p), "a TCP port, 1-65535")
	}
	return nil
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
