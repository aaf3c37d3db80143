package config

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// builder holds one read of the context: the Config being filled, the keys
// the user gave, and the settings that combine before they become typed
// values (Consul's agent/config Builder plays the same role).
type builder struct {
	c   Config
	raw map[string]any // the values the user gave, by key

	buildspec        string
	deploymentConfig string
	minHealthy       string
	subnetIDs, zones []string
	diffRepo         string
	diffProvider     string
	envRaw           []map[string]any

	slackWorkspace, slackChannel         string
	teamsTenant, teamsTeam, teamsChannel string
}

// FromContext reads the settings from a CDK context map (values from
// cdk.json are JSON types, values from `-c` are strings), fills defaults
// from the settings table and validates the result. The error lists every
// problem, one *SettingError per line.
func FromContext(ctx map[string]any) (Config, error) {
	b := &builder{raw: map[string]any{}}
	var errs []error
	for _, s := range settings {
		raw, ok := ctx[s.Key]
		if ok {
			b.raw[s.Key] = raw
		} else {
			raw = s.Default
		}
		if err := s.decode(b, s.Key, raw); err != nil {
			errs = append(errs, err)
			// The default stands in, so that the checks below report
			// other mistakes rather than this one twice.
			_ = s.decode(b, s.Key, s.Default)
		}
	}
	errs = append(errs, unknownKeys(ctx)...)
	errs = append(errs, b.combine()...)
	errs = append(errs, b.c.problems()...)
	return b.c, errors.Join(inTableOrder(errs)...)
}

// inTableOrder sorts errors by their setting's place in the settings table,
// unknown settings first, so that the lines follow the reference.
func inTableOrder(errs []error) []error {
	rank := func(err error) int {
		var se *SettingError
		if !errors.As(err, &se) {
			return -1
		}
		key, _, _ := strings.Cut(se.Setting, ".")
		return slices.IndexFunc(settings, func(s Setting) bool { return s.Key == key })
	}
	slices.SortStableFunc(errs, func(a, b error) int { return rank(a) - rank(b) })
	return errs
}

// Default is the config with every setting at the default of the settings
// table.
func Default() Config {
	c, err := FromContext(nil)
	if err != nil {
		panic("config: the settings table's defaults are invalid: " + err.Error())
	}
	return c
}

var reMinHealthy = regexp.MustCompile(`^(\d{1,5})(%?)$`)

// combine turns the settings that depend on each other into their typed
// values, and rejects a setting given where another makes it meaningless.
func (b *builder) combine() []error {
	var errs []error
	add := func(err *SettingError) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(b.buildspecPath())
	add(b.deployment())
	add(b.subnets())
	add(b.diffRole())
	errs = append(errs, b.chatChannels()...)
	errs = append(errs, b.environments()...)
	if !b.c.ManagedBuild() {
		for _, k := range []string{"dockerfile", "buildContext", "healthTimeoutSeconds", "keepReleases", "requiredSettings", "proxyImage"} {
			if v, set := b.raw[k]; set {
				add(bad(k, v, "no value with a repository buildspec (%q): the repository's buildspec decides how to build", b.c.Buildspec))
			}
		}
	}
	if !b.c.ManagedHost {
		for _, k := range []string{"hostInstanceType", "vpcId", "subnetIds", "availabilityZones", "ingressCidr"} {
			if v, set := b.raw[k]; set {
				add(bad(k, v, "no value unless managedHost is true"))
			}
		}
	}
	b.c.Dockerfile = cleanRepoPath(b.c.Dockerfile)
	b.c.BuildContext = cleanRepoPath(b.c.BuildContext)
	return errs
}

// cleanRepoPath accepts "./"-prefixed paths in the app repository; a path
// that leaves the repository is left as it is for the check to reject.
func cleanRepoPath(p string) string {
	if p == "" || strings.HasPrefix(p, "/") {
		return p
	}
	if c := path.Clean(p); !strings.HasPrefix(c, "../") && c != ".." {
		return c
	}
	return p
}

func (b *builder) buildspecPath() *SettingError {
	if b.buildspec == buildspecManaged {
		b.c.Buildspec = ""
		return nil
	}
	if b.buildspec == "" {
		return bad("buildspec", "", "%q or a relative .yml/.yaml path in the app repository, such as buildspec.yml", buildspecManaged)
	}
	b.c.Buildspec = cleanRepoPath(b.buildspec)
	return nil
}

// deployment parses deploymentConfig or minHealthyHosts into the one
// DeploymentConfig, the CodeDeployDefault. prefix removed.
func (b *builder) deployment() *SettingError {
	b.c.DeploymentConfig = DeploymentConfig{Predefined: strings.TrimPrefix(b.deploymentConfig, "CodeDeployDefault.")}
	if b.minHealthy == "" {
		return nil
	}
	if _, set := b.raw["deploymentConfig"]; set {
		return bad("deploymentConfig", b.deploymentConfig, "no value together with minHealthyHosts, which defines the deployment config")
	}
	m := reMinHealthy.FindStringSubmatch(b.minHealthy)
	if m == nil {
		return bad("minHealthyHosts", b.minHealthy, "a percentage such as 75%% (0-99%%) or a host count such as 2")
	}
	n, _ := strconv.Atoi(m[1])
	b.c.DeploymentConfig = DeploymentConfig{MinHealthy: &MinHealthyHosts{Value: n, Percent: m[2] == "%"}}
	return nil
}

// subnets pairs subnetIds with availabilityZones. A count mismatch is one
// error; the pairs that exist are still checked.
func (b *builder) subnets() *SettingError {
	b.c.Subnets = nil
	for i := range min(len(b.subnetIDs), len(b.zones)) {
		b.c.Subnets = append(b.c.Subnets, Subnet{ID: b.subnetIDs[i], Zone: b.zones[i]})
	}
	if len(b.zones) != len(b.subnetIDs) {
		return bad("availabilityZones", shown(count(len(b.zones), "zone")), "one zone per subnet in subnetIds (%d), in the same order", len(b.subnetIDs))
	}
	return nil
}

// count is "1 zone", "2 zones".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (b *builder) diffRole() *SettingError {
	if b.diffRepo == "" {
		if b.diffProvider != "" {
			return bad("diffRoleProviderArn", b.diffProvider, "no value unless diffRoleRepo is set")
		}
		return nil
	}
	owner, repo, ok := strings.Cut(b.diffRepo, "/")
	if !ok {
		return bad("diffRoleRepo", b.diffRepo, "empty (no diff role) or owner/repo of the repository holding this CDK app, such as acme/infra")
	}
	b.c.DiffRole = &DiffRole{Owner: owner, Repo: repo, ProviderArn: b.diffProvider}
	return nil
}

// toolKeys are context keys the CDK CLI itself writes without a ':'.
var toolKeys = []string{"acknowledged-issue-numbers"}

// unknownKeys rejects a context key that is not a setting: a misspelt or
// mis-cased setting would otherwise be ignored and the stack deployed with
// the default. Keys of the CDK itself carry a ':' or an '@'.
func unknownKeys(ctx map[string]any) []error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(ctx)) {
		if strings.ContainsAny(k, ":@") || slices.Contains(toolKeys, k) || isSetting(k) {
			continue
		}
		e := &SettingError{Setting: k, Got: "an unknown setting"}
		switch hint, exact := closestKey(k); {
		case exact:
			e.Want = fmt.Sprintf("%q (setting names are case-sensitive)", hint)
		case hint != "":
			e.Want = fmt.Sprintf("a shipline setting: did you mean %q?", hint)
		default:
			e.Want = "a shipline setting (see the README's Config reference)"
		}
		errs = append(errs, e)
	}
	return errs
}

func isSetting(k string) bool {
	return slices.ContainsFunc(settings, func(s Setting) bool { return s.Key == k })
}

// closestKey suggests the setting nearest to an unknown key. exact is true
// when the two differ only in case, '-', '_' or '.'.
func closestKey(key string) (hint string, exact bool) {
	norm := func(s string) string {
		return strings.NewReplacer("-", "", "_", "", ".", "").Replace(strings.ToLower(s))
	}
	best, bestDist := "", max(2, len(key)/4)+1
	for _, s := range settings {
		if norm(s.Key) == norm(key) {
			return s.Key, true
		}
		if d := distance(norm(key), norm(s.Key)); d < bestDist {
			best, bestDist = s.Key, d
		}
	}
	return best, false
}

// distance is the Levenshtein distance of a and b.
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
