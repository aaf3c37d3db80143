package ops

import (
	"strings"
	"testing"
)

func TestSplitImage(t *testing.T) {
	tests := []struct {
		uri, repo, digest string
		ok                bool
	}{
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc", "web", "sha256:abc", true},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/web@sha256:abc", "team/web", "sha256:abc", true},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:latest", "", "", false},
		{"web@sha256:abc", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		repo, digest, ok := splitImage(tt.uri)
		if repo != tt.repo || digest != tt.digest || ok != tt.ok {
			t.Errorf("splitImage(%q) = %q, %q, %v; want %q, %q, %v", tt.uri, repo, digest, ok, tt.repo, tt.digest, tt.ok)
		}
	}
}

func TestVariableName(t *testing.T) {
	// The same names the host's AfterInstall hook derives.
	for param, want := range map[string]string{
		"/web/APP_PORT":           "APP_PORT",
		"/web/db/password":        "DB_PASSWORD",
		"/web/feature-flags.beta": "FEATURE_FLAGS_BETA",
	} {
		if got := VariableName("/web/", param); got != want {
			t.Errorf("VariableName(%q) = %q, want %q", param, got, want)
		}
	}
}

func TestParseEnv(t *testing.T) {
	env, err := parseEnv(strings.NewReader("IMAGE_URI=r/web@sha256:1\n\n# note\nCOMMIT=abc=def\n"))
	if err != nil || env["IMAGE_URI"] != "r/web@sha256:1" || env["COMMIT"] != "abc=def" || len(env) != 2 {
		t.Errorf("parseEnv = %v, %v", env, err)
	}
	if _, err := parseEnv(strings.NewReader("not a pair\n")); err == nil {
		t.Error("parseEnv accepted a line without '='")
	}
}

func TestFindRelease(t *testing.T) {
	rs := []Release{
		{ID: "ccccccc", Commit: "ccccccc1", Deployment: "d-3", Status: "Failed"},
		{ID: "bbbbbbb", Commit: "bbbbbbb1", Deployment: "d-2", Status: "Succeeded", Current: true},
		{ID: "d-1x", Deployment: "d-1x", Status: "Stopped"},
		{ID: "aaaaaaa", Commit: "aaaaaaa1", Deployment: "d-1", Status: "Succeeded"},
		{ID: "aaaabbb", Commit: "aaaabbb1", Deployment: "d-0", Status: "Succeeded"},
	}
	tests := []struct{ name, want, err string }{
		{"", "d-1", ""},
		{"ccccccc1", "d-3", ""},
		{"d-2", "d-2", ""},
		{"aaaa", "", "ambiguous: it matches aaaaaaa1, aaaabbb1"},
		{"abc", "", `no release "abc"`},
		{"eeeeeee", "", "known only by its deployment id"},
	}
	for _, tt := range tests {
		r, err := FindRelease(rs, tt.name)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("FindRelease(%q) error = %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || r.Deployment != tt.want {
			t.Errorf("FindRelease(%q) = %s, %v; want %s", tt.name, r.Deployment, err, tt.want)
		}
	}
	if _, err := FindRelease(rs[2:3], ""); err == nil || !strings.Contains(err.Error(), "no release was deployed successfully yet") {
		t.Errorf("previous with no success = %v", err)
	}
}
