package config

import (
	"time"

	"github.com/shipline/shipline/constructs/dockerbuild"
)

// checkRelease checks the release settings the managed buildspec carries to
// the hosts, within the limits the deploy hooks honour.
func checkRelease(c *Config) []error {
	var p problems
	if s := c.HealthTimeout / time.Second; c.HealthTimeout%time.Second != 0 || !healthTimeoutRange.contains(int(s)) {
		p.add(bad("healthTimeoutSeconds", c.HealthTimeout.Seconds(), "%s seconds (the ApplicationStart hook, 600 s, also switches the proxy and drains the old release)", healthTimeoutRange))
	}
	if !keepReleasesRange.contains(c.KeepReleases) {
		p.add(bad("keepReleases", c.KeepReleases, "%s (each kept release is an image on the host's disk)", keepReleasesRange))
	}
	for _, name := range c.RequiredSettings {
		if !dockerbuild.ValidSettingName(name) {
			p.add(bad("requiredSettings", name, "variable names of A-Z, 0-9 and '_', not starting with a digit, such as DATABASE_URL"))
		}
	}
	p.add(noDuplicates("requiredSettings", c.RequiredSettings))
	if c.ProxyImage != "" && !dockerbuild.ValidProxyImage(c.ProxyImage) {
		p.add(bad("proxyImage", c.ProxyImage, "empty (the default nginx image) or an image pinned by digest, such as public.ecr.aws/nginx/nginx:1.27-alpine@sha256:<64 hex digits>"))
	}
	return p
}
