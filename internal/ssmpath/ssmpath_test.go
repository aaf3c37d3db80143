package ssmpath

import "testing"

func TestValidAndCanonical(t *testing.T) {
	for _, tc := range []struct {
		in        string
		valid     bool
		canonical string
	}{
		{"/web/", true, "/web/"},
		{"/web", true, "/web/"},
		{"/team/web", true, "/team/web/"},
		{"/", false, ""},
		{"web/", false, ""},
		{"/a//b/", false, ""},
		{"/web app/", false, ""},
	} {
		if got := Valid(tc.in); got != tc.valid {
			t.Errorf("Valid(%q) = %v, want %v", tc.in, got, tc.valid)
		}
		if tc.valid && Canonical(tc.in) != tc.canonical {
			t.Errorf("Canonical(%q) = %q, want %q", tc.in, Canonical(tc.in), tc.canonical)
		}
	}
}
