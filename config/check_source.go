package config

import (
	"regexp"
	"strings"

	"github.com/shipline/shipline/internal/github"
)

var reAppName = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}[a-z0-9]$`)

func checkAppName(c *Config) []error {
	var p problems
	switch {
	case !reAppName.MatchString(c.AppName) || strings.Contains(c.AppName, "--"):
		p.add(bad("appName", c.AppName, "3-32 characters of a-z, 0-9 and single hyphens, starting with a letter and ending with a letter or digit"))
	case strings.HasPrefix(c.AppName, "aws") || strings.HasPrefix(c.AppName, "ssm"):
		p.add(bad("appName", c.AppName, "a name not starting with \"aws\" or \"ssm\" (Parameter Store reserves those prefixes)"))
	}
	return p
}

// checkSource checks the GitHub repository, branch and connection.
func checkSource(c *Config) []error {
	var p problems
	if !github.ValidOwner(c.GitHubOwner) {
		p.add(bad("githubOwner", c.GitHubOwner, "a GitHub user or organisation name: 1-39 letters, digits or single hyphens, not starting or ending with a hyphen"))
	}
	if !github.ValidRepo(c.GitHubRepo) {
		p.add(bad("githubRepo", c.GitHubRepo, "a repository name: 1-100 letters, digits, '.', '_' or '-', without the owner or a .git suffix"))
	}
	switch {
	case strings.HasPrefix(c.GitHubBranch, "refs/"):
		// A full ref is a valid Git name, but the pipeline compares the
		// setting with the pushed branch's short name: it would never start.
		short := strings.TrimPrefix(strings.TrimPrefix(c.GitHubBranch, "refs/"), "heads/")
		p.add(bad("githubBranch", c.GitHubBranch, "the branch's short name, such as %q: the pipeline matches pushes by short name and would never start", short))
	case !github.ValidBranch(c.GitHubBranch):
		p.add(bad("githubBranch", c.GitHubBranch, "a Git branch name: no spaces, control characters, '~', '^', ':', '?', '*', '[', '\\', '..', '@{' or '//', not starting or ending with '/' or '.', not ending in \".lock\""))
	}
	if c.ConnectionArn != "" && !github.ValidConnectionArn(c.ConnectionArn) {
		p.add(bad("connectionArn", c.ConnectionArn, "empty (create a connection) or arn:aws:codeconnections:<region>:<account>:connection/<uuid> (codestar-connections also accepted)"))
	}
	return p
}
