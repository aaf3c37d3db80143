package github_test

import (
	"testing"

	"github.com/shipline/shipline/internal/github"
)

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		valid func(string) bool
		value string
		want  bool
	}{
		{"owner", github.ValidOwner, "acme", true},
		{"owner with inner hyphen", github.ValidOwner, "acme-corp", true},
		{"owner of 39", github.ValidOwner, "a23456789012345678901234567890123456789", true},
		{"owner of 40", github.ValidOwner, "a234567890123456789012345678901234567890", false},
		{"owner double hyphen", github.ValidOwner, "acme--corp", false},
		{"owner leading hyphen", github.ValidOwner, "-acme", false},
		{"owner with slash", github.ValidOwner, "acme/web", false},
		{"repo", github.ValidRepo, "web.app_v2-x", true},
		{"repo dot", github.ValidRepo, ".", false},
		{"repo dotdot", github.ValidRepo, "..", false},
		{"repo .git", github.ValidRepo, "web.GIT", false},
		{"repo space", github.ValidRepo, "my web", false},
		{"branch", github.ValidBranch, "release/2.1", true},
		{"branch dotdot", github.ValidBranch, "a..b", false},
		{"branch space", github.ValidBranch, "my branch", false},
		{"branch lock", github.ValidBranch, "main.lock", false},
		{"branch empty", github.ValidBranch, "", false},
		{"connection new prefix", github.ValidConnectionArn, "arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", true},
		{"connection old prefix", github.ValidConnectionArn, "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", true},
		{"connection china", github.ValidConnectionArn, "arn:aws-cn:codeconnections:cn-north-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", true},
		{"connection bad id", github.ValidConnectionArn, "arn:aws:codeconnections:eu-west-1:123456789012:connection/abc", false},
		{"connection other service", github.ValidConnectionArn, "arn:aws:s3:::bucket", false},
	} {
		if got := tc.valid(tc.value); got != tc.want {
			t.Errorf("%s: %q valid = %v, want %v", tc.name, tc.value, got, tc.want)
		}
	}
}
