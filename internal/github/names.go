// Package github holds the naming rules of GitHub and of the CodeConnections
// connection that reaches it, shared by the config validation and the
// constructs so the two cannot disagree.
package github

import (
	"regexp"
	"strings"
)

var (
	reOwner = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$`)
	reRepo  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	// Connections made before the service was renamed keep the
	// codestar-connections prefix; both are in use.
	reConnection = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:(?:codestar-connections|codeconnections):[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:connection/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// ValidOwner tells a GitHub user or organisation name: 1-39 letters, digits
// or single hyphens, not starting or ending with a hyphen.
func ValidOwner(s string) bool {
	return reOwner.MatchString(s) && !strings.Contains(s, "--")
}

// ValidRepo tells a repository name without its owner: 1-100 letters,
// digits, '.', '_' or '-', neither "." nor "..", without a .git suffix.
func ValidRepo(s string) bool {
	return reRepo.MatchString(s) && s != "." && s != ".." && !strings.HasSuffix(strings.ToLower(s), ".git")
}

// ValidConnectionArn tells the ARN of a CodeConnections connection, under
// either service prefix.
func ValidConnectionArn(s string) bool {
	return reConnection.MatchString(s)
}

// ValidBranch tells a Git branch name (git check-ref-format): no spaces,
// control characters, '~', '^', ':', '?', '*', '[', '\', "..", "@{" or "//",
// not starting or ending with '/' or '.', not ending in ".lock".
func ValidBranch(b string) bool {
	if b == "" || len(b) > 255 || b == "@" || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") ||
		strings.HasPrefix(b, ".") || strings.HasSuffix(b, ".") || strings.HasSuffix(b, ".lock") || strings.HasPrefix(b, "-") {
		return false
	}
	for _, bad := range []string{"..", "@{", "//", "/."} {
		if strings.Contains(b, bad) {
			return false
		}
	}
	for _, r := range b {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("~^:?*[\\", r) {
			return false
		}
	}
	return true
}
