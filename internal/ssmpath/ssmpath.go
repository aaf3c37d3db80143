// Package ssmpath is the one place a Parameter Store path is read: "/web"
// and "/web/" name the same settings, so both are accepted and written the
// same way.
package ssmpath

import (
	"regexp"
	"strings"
)

var rePath = regexp.MustCompile(`^/[A-Za-z0-9_.\-/]+$`)

// Want describes a valid path, for error messages.
const Want = `a Parameter Store path such as "/myapp/" (starting with '/', of letters, digits, '_', '.', '-' and single '/')`

// Valid tells whether path is a Parameter Store path below the root, with or
// without a trailing slash.
func Valid(path string) bool {
	return rePath.MatchString(path) && strings.Trim(path, "/") != "" && !strings.Contains(path, "//")
}

// Canonical is path with exactly one trailing slash ("/web" and "/web/" both
// give "/web/"), the form the hosts and the build receive.
func Canonical(path string) string {
	return strings.TrimRight(path, "/") + "/"
}
