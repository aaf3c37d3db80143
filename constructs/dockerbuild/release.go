package dockerbuild

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/jsii-runtime-go"
)

// Release settings: what the managed buildspec writes into the deploy
// bundle's release.env for the hosts (HEALTH_TIMEOUT, KEEP_RELEASES,
// REQUIRED_SETTINGS, PROXY_IMAGE). Each is passed as the build environment
// variable of the same name only when set; the buildspec applies the default
// otherwise.

// Limits of the release settings, as the deploy hooks can honour them.
const (
	// MaxHealthTimeout leaves the ApplicationStart hook (600 s) time to
	// switch the proxy and drain the old release.
	MaxHealthTimeout = 480
	MinHealthTimeout = 5
	MaxKeepReleases  = 20
)

var (
	// reSettingName is a variable name the hooks accept (the buildspec's
	// own check).
	reSettingName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	// reDigestImage is an image reference pinned by digest.
	reDigestImage = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$`)
)

// ValidSettingName tells whether name can be a required setting: a variable
// name of A-Z, 0-9 and '_', not starting with a digit.
func ValidSettingName(name string) bool { return reSettingName.MatchString(name) }

// ValidProxyImage tells whether ref is an image reference pinned by digest,
// such as public.ecr.aws/nginx/nginx:1.27-alpine@sha256:<64 hex>.
func ValidProxyImage(ref string) bool { return reDigestImage.MatchString(ref) }

func (m *ManagedBuild) releaseEnv() map[string]*string {
	env := map[string]*string{}
	if m == nil {
		return env
	}
	if m.HealthTimeout != nil {
		env["HEALTH_TIMEOUT"] = jsii.String(strconv.Itoa(int(*m.HealthTimeout)))
	}
	if m.KeepReleases != nil {
		env["KEEP_RELEASES"] = jsii.String(strconv.Itoa(int(*m.KeepReleases)))
	}
	if m.RequiredSettings != nil && len(*m.RequiredSettings) > 0 {
		names := make([]string, len(*m.RequiredSettings))
		for i, n := range *m.RequiredSettings {
			names[i] = *n
		}
		env["REQUIRED_SETTINGS"] = jsii.String(strings.Join(names, " "))
	}
	if m.ProxyImage != nil {
		env["PROXY_IMAGE"] = m.ProxyImage
	}
	return env
}

func (m *ManagedBuild) validateRelease() error {
	if m == nil {
		return nil
	}
	var errs []error
	if t := m.HealthTimeout; t != nil && (*t < MinHealthTimeout || *t > MaxHealthTimeout || *t != float64(int(*t))) {
		errs = append(errs, fmt.Errorf("Managed.HealthTimeout: got %v, want %d-%d seconds (the ApplicationStart hook, 600 s, also switches and drains)", *t, MinHealthTimeout, MaxHealthTimeout))
	}
	if k := m.KeepReleases; k != nil && (*k < 1 || *k > MaxKeepReleases || *k != float64(int(*k))) {
		errs = append(errs, fmt.Errorf("Managed.KeepReleases: got %v, want 1-%d", *k, MaxKeepReleases))
	}
	if m.RequiredSettings != nil {
		for _, n := range *m.RequiredSettings {
			if n == nil || !ValidSettingName(*n) {
				errs = append(errs, fmt.Errorf("Managed.RequiredSettings: got %s, want variable names of A-Z, 0-9 and '_', not starting with a digit", quote(n)))
			}
		}
	}
	if i := m.ProxyImage; i != nil && !unresolved(*i) && !ValidProxyImage(*i) {
		errs = append(errs, fmt.Errorf("Managed.ProxyImage: got %q, want an image pinned by digest, such as public.ecr.aws/nginx/nginx:1.27-alpine@sha256:<digest>", *i))
	}
	return errors.Join(errs...)
}

func quote(s *string) string {
	if s == nil {
		return "nil"
	}
	return strconv.Quote(*s)
}
