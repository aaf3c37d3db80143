package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// SettingError is one bad setting. It reads as a single line:
// "<setting>: got <value>, want <what is allowed>".
type SettingError struct {
	// Setting is the context key, or "<key>.<item>" for an item of a map
	// setting such as buildSecrets.NPM_TOKEN.
	Setting string
	// Got is the value received as the message shows it: quoted, described
	// ("a list") or, when it looks like a secret, withheld.
	Got string
	// Want says what is allowed, with the range for numbers.
	Want string
}

func (e *SettingError) Error() string {
	return e.Setting + ": got " + e.Got + ", want " + e.Want
}

// bad builds a SettingError; want is a format applied to args.
func bad(setting string, got any, want string, args ...any) *SettingError {
	return &SettingError{Setting: setting, Got: describe(got), Want: fmt.Sprintf(want, args...)}
}

// describe shows a received value: strings quoted (unless they look like a
// secret), numbers plain, lists and objects by kind.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if looksSecret(x) {
			return withheld(x)
		}
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case shown:
		return string(x)
	default:
		return fmt.Sprintf("%T", v)
	}
}

// shown is a description used verbatim (such as "2 zones").
type shown string

// withheld describes a value without showing it: error lines end up in CI
// logs, which must not keep a secret.
func withheld(s string) string {
	return fmt.Sprintf("a %d-character value that looks like a secret (not shown)", len([]rune(s)))
}

// secretPrefixes start well-known token formats (GitHub, GitLab, npm, Slack,
// Stripe and OpenAI-style keys, AWS access key ids, PEM blocks).
var secretPrefixes = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "npm_", "xoxb-", "xoxp-", "xoxa-",
	"sk_live_", "sk_test_", "rk_live_", "sk-", "AKIA", "ASIA", "-----BEGIN",
}

// looksSecret tells a value that may be a credential: a known token prefix,
// or a long unbroken string that mixes upper case, lower case and digits
// with high entropy. Paths, ARNs, addresses and ids are not flagged.
func looksSecret(s string) bool {
	for _, p := range secretPrefixes {
		if strings.HasPrefix(s, p) && len(s) >= len(p)+8 {
			return true
		}
	}
	if len(s) < 24 || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "arn:") || strings.ContainsAny(s, " @.:") {
		return false
	}
	var upper, lower, digit bool
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	return upper && lower && digit && entropy(s) >= 4.2
}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	h := 0.0
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
