package config

import "testing"

func TestLooksSecret(t *testing.T) {
	for _, tc := range []struct {
		value  string
		secret bool
	}{
		{"ghp_abcdefghijklmnopqrstuvwxyz0123456789", true},
		{"github_pat_11ABCDEFG0123456789_abcdefghijklmnop", true},
		{"npm_abcdefgh12345678", true},
		{"AKIAIOSFODNN7EXAMPLE", true},
		{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", true},
		{"xoxb-1234567890-abcdefghij", true},
		{"-----BEGIN PRIVATE KEY-----", true},
		{"Canary10Percent5Minutes", false},
		{"CodeDeployDefault.OneAtATime", false},
		{"subnet-0abc1234def567890", false},
		{"arn:aws:sns:eu-west-1:123456789012:approvals", false},
		{"/myapp/build/NpmToken2024abcDEF", false},
		{"ops@example.com", false},
		{"my-github", false},
		{"npm_", false},
	} {
		if got := looksSecret(tc.value); got != tc.secret {
			t.Errorf("looksSecret(%q) = %v, want %v", tc.value, got, tc.secret)
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		value any
		want  string
	}{
		{nil, "null"},
		{"web", `"web"`},
		{"ghp_abcdefghijklmnopqrstuvwxyz0123456789", "a 40-character value that looks like a secret (not shown)"},
		{true, "true"},
		{30.5, "30.5"},
		{7, "7"},
		{[]any{"a"}, "a list"},
		{map[string]any{}, "an object"},
		{shown("2 zones"), "2 zones"},
	} {
		if got := describe(tc.value); got != tc.want {
			t.Errorf("describe(%#v) = %s, want %s", tc.value, got, tc.want)
		}
	}
}
