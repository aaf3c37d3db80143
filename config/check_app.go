package config

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/shipline/shipline/internal/github"
)

var reOIDCProvider = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)

// checkApp checks what the deploy hooks read: the ports and the health
// check path.
func checkApp(c *Config) []error {
	var p problems
	for _, port := range []struct {
		setting string
		n       int
	}{{"appPort", c.AppPort}, {"httpPort", c.HTTPPort}} {
		if !portRange.contains(port.n) {
			p.add(bad(port.setting, port.n, "a TCP port, %s", portRange))
		}
	}
	if c.AppPort == c.HTTPPort {
		p.add(bad("httpPort", c.HTTPPort, "a port different from appPort: the proxy and the app cannot share one"))
	}
	if !strings.HasPrefix(c.HealthCheckPath, "/") || strings.IndexFunc(c.HealthCheckPath, unsafeInPath) >= 0 || len(c.HealthCheckPath) > 512 {
		p.add(bad("healthCheckPath", c.HealthCheckPath, "a URL path starting with '/', of at most 512 characters, without spaces, control characters, quotes, '$' or '\\'"))
	}
	return p
}

// unsafeInPath tells the characters a health check path may not hold: it is
// stored in Parameter Store and passed to curl by the deploy hooks.
func unsafeInPath(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("\"'`$\\", r)
}

func checkDiffRole(c *Config) []error {
	var p problems
	d := c.DiffRole
	if d == nil {
		return nil
	}
	if !github.ValidOwner(d.Owner) || !github.ValidRepo(d.Repo) {
		p.add(bad("diffRoleRepo", d.Owner+"/"+d.Repo, "empty (no diff role) or owner/repo of the repository holding this CDK app, such as acme/infra"))
	}
	if d.ProviderArn != "" && !reOIDCProvider.MatchString(d.ProviderArn) {
		p.add(bad("diffRoleProviderArn", d.ProviderArn, "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com"))
	}
	return p
}

func checkRemovalPolicy(c *Config) []error {
	if !slices.Contains(removalTypes, c.RemovalPolicy) {
		return []error{bad("removalPolicy", string(c.RemovalPolicy), "%s", oneOf(removalNames))}
	}
	return nil
}
