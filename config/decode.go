package config

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A decoder turns one raw context value into its typed form on the builder.
// Values from cdk.json are JSON types; values from `-c key=value` are
// always strings, so every decoder accepts both.
type decoder func(b *builder, key string, raw any) error

// span is an inclusive range of whole numbers.
type span struct{ lo, hi int }

func (s span) contains(n int) bool { return n >= s.lo && n <= s.hi }
func (s span) String() string      { return fmt.Sprintf("%d-%d", s.lo, s.hi) }

// text decodes a string, trimmed of surrounding space.
func text(field func(*Config) *string) decoder {
	return func(b *builder, key string, raw any) error {
		s, ok := raw.(string)
		if !ok {
			return bad(key, raw, "a string")
		}
		*field(&b.c) = strings.TrimSpace(s)
		return nil
	}
}

// wholeNumber reads a JSON number or a decimal string; want names the range
// so that a type error states it too.
func wholeNumber(key string, raw any, want string) (int, error) {
	switch v := raw.(type) {
	case int: // a default from the settings table
		return v, nil
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= 1e9 {
			return int(v), nil
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n <= 1e9 && n >= -1e9 {
			return n, nil
		}
	}
	return 0, bad(key, raw, "a whole number, %s", want)
}

func number(field func(*Config) *int, want string) decoder {
	return func(b *builder, key string, raw any) error {
		n, err := wholeNumber(key, raw, want)
		if err == nil {
			*field(&b.c) = n
		}
		return err
	}
}

// duration decodes a whole number of unit into a time.Duration.
func duration(field func(*Config) *time.Duration, unit time.Duration, want string) decoder {
	return func(b *builder, key string, raw any) error {
		n, err := wholeNumber(key, raw, want)
		if err == nil {
			*field(&b.c) = time.Duration(n) * unit
		}
		return err
	}
}

func flag(field func(*Config) *bool) decoder {
	return func(b *builder, key string, raw any) error {
		switch v := raw.(type) {
		case bool:
			*field(&b.c) = v
			return nil
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				*field(&b.c) = true
				return nil
			case "false":
				*field(&b.c) = false
				return nil
			}
		}
		return bad(key, raw, "true or false")
	}
}

// choice decodes one of a fixed set of strings into its typed value; the
// names are listed in the order given.
func choice[T any](field func(*Config) *T, names []string, values []T) decoder {
	return func(b *builder, key string, raw any) error {
		s, ok := raw.(string)
		if !ok {
			return bad(key, raw, "%s", oneOf(names))
		}
		for i, n := range names {
			if strings.TrimSpace(s) == n {
				*field(&b.c) = values[i]
				return nil
			}
		}
		return bad(key, raw, "%s", oneOf(names))
	}
}

// oneOf lists allowed values: `"a" or "b"`, or `one of "a", "b", "c"`.
func oneOf(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) == 2 {
		return q[0] + " or " + q[1]
	}
	return "one of " + strings.Join(q, ", ")
}

// stringList accepts a JSON list of strings, a JSON-encoded list in a
// string, or a comma-separated string (what `-c key=a,b` gives).
func stringList(key string, raw any) ([]string, error) {
	var out []string
	switch v := raw.(type) {
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, &SettingError{Setting: key, Got: "a list holding " + describe(item), Want: "a list of strings"}
			}
			out = append(out, strings.TrimSpace(s))
		}
	case string:
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "[") {
			var items []string
			if err := json.Unmarshal([]byte(v), &items); err != nil {
				return nil, bad(key, v, "a JSON list of strings or a comma-separated list")
			}
			for _, s := range items {
				out = append(out, strings.TrimSpace(s))
			}
		} else if v != "" {
			for _, s := range strings.Split(v, ",") {
				out = append(out, strings.TrimSpace(s))
			}
		}
	default:
		return nil, bad(key, raw, "a list of strings")
	}
	return out, nil
}

func list(field func(*builder) *[]string) decoder {
	return func(b *builder, key string, raw any) error {
		out, err := stringList(key, raw)
		if err == nil {
			*field(b) = out
		}
		return err
	}
}

// pairs accepts a JSON object of strings, a JSON-encoded object in a string,
// or "k=v,k2=v2". Values are not shown in errors: a user may have put a
// secret where its parameter name belongs.
func pairs(field func(*Config) *map[string]string) decoder {
	return func(b *builder, key string, raw any) error {
		out := map[string]string{}
		add := func(k, v string) error {
			k = strings.TrimSpace(k)
			if _, dup := out[k]; dup {
				return &SettingError{Setting: key, Got: strconv.Quote(k) + " twice", Want: "each id once"}
			}
			out[k] = strings.TrimSpace(v)
			return nil
		}
		switch v := raw.(type) {
		case map[string]any:
			for k, item := range v {
				s, ok := item.(string)
				if !ok {
					return &SettingError{Setting: key, Got: describe(item) + " for " + strconv.Quote(k), Want: "a string"}
				}
				if err := add(k, s); err != nil {
					return err
				}
			}
		case string:
			v = strings.TrimSpace(v)
			if strings.HasPrefix(v, "{") {
				if err := json.Unmarshal([]byte(v), &out); err != nil {
					return &SettingError{Setting: key, Got: "a malformed JSON object", Want: "a JSON object of strings or ID=/parameter/name pairs"}
				}
				for k, s := range out {
					out[k] = strings.TrimSpace(s)
				}
			} else if v != "" {
				for _, pair := range strings.Split(v, ",") {
					k, val, ok := strings.Cut(pair, "=")
					if !ok {
						return bad(key, pair, "ID=/parameter/name pairs separated by commas")
					}
					if err := add(k, val); err != nil {
						return err
					}
				}
			}
		default:
			return bad(key, raw, "an object of strings")
		}
		*field(&b.c) = out
		return nil
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
