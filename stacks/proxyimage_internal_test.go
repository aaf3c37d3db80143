package stacks

import (
	"regexp"
	"testing"
)

// TestProxyCachePrefix: the prefix fits ECR's 30 characters and pattern for
// every app name the config accepts.
func TestProxyCachePrefix(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	for name, want := range map[string]string{
		"myapp":                            "myapp-public",
		"abcdefghijklmnopqrstuvwxyz012345": "abcdefghijklmnopqrstuvw-public",
		"abcdefghijklmnopqrstuv-wxyz":      "abcdefghijklmnopqrstuv-public",
	} {
		got := proxyCachePrefix(name)
		if got != want || len(got) > 30 || !valid.MatchString(got) {
			t.Errorf("proxyCachePrefix(%q) = %q (%d characters), want %q", name, got, len(got), want)
		}
	}
}
