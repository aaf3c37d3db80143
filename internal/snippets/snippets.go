// Package snippets keeps the Go code shown in Markdown files identical to
// code the test suite compiles and runs, so that the documentation cannot
// drift from the API.
//
// In a Markdown file, a Go block is preceded by a marker naming its source,
// relative to the module root:
//
//	<!-- snippet: constructs/imagerepo/example_test.go#readme -->
//	```go
//	...
//	```
//
// "path#name" is the region of path between the lines "// snippet:name" and
// "// snippet:end", without its common indentation; a bare path is the whole
// file. Render rewrites every marked block from its source; Check also
// rejects a Go block without a marker.
package snippets

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

var reMarker = regexp.MustCompile(`^<!-- snippet: (\S+) -->$`)

// Render returns doc with every marked Go block replaced by its source's
// current text, read from files under root. It fails on a Go block without a
// marker, a marker not followed by a Go block, and a missing source.
func Render(doc, root string) (string, error) {
	lines := strings.Split(doc, "\n")
	var out []string
	var errs []string
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "```go" {
			errs = append(errs, fmt.Sprintf("line %d: a Go block without a <!-- snippet: path#name --> marker above it", i+1))
		}
		m := reMarker.FindStringSubmatch(line)
		out = append(out, line)
		if m == nil {
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "```go" {
			errs = append(errs, fmt.Sprintf("line %d: marker %s is not followed by a ```go block", i+1, m[1]))
			continue
		}
		end := i + 2
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		if end == len(lines) {
			errs = append(errs, fmt.Sprintf("line %d: the Go block under %s is not closed", i+2, m[1]))
			continue
		}
		code, err := Source(root, m[1])
		if err != nil {
			errs = append(errs, fmt.Sprintf("line %d: %v", i+1, err))
			code = strings.Join(lines[i+2:end], "\n")
		}
		out = append(out, "```go", code, "```")
		i = end
	}
	if len(errs) > 0 {
		return "", fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return strings.Join(out, "\n"), nil
}

// Source is the text a marker names: "path#name" or "path".
func Source(root, ref string) (string, error) {
	path, name, region := strings.Cut(ref, "#")
	raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
	if err != nil {
		return "", err
	}
	text := strings.TrimRight(string(raw), "\n")
	if !region {
		return text, nil
	}
	start, stop := "// snippet:"+name, "// snippet:end"
	var body []string
	in, found := false, false
	for _, l := range strings.Split(text, "\n") {
		switch t := strings.TrimSpace(l); {
		case t == start:
			in, found = true, true
		case t == stop && in:
			in = false
		case in:
			body = append(body, l)
		}
	}
	if !found || in || len(body) == 0 {
		return "", fmt.Errorf("%s: no region between %q and %q", path, start, stop)
	}
	return dedent(body), nil
}

func dedent(lines []string) string {
	prefix, set := "", false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lead := l[:len(l)-len(strings.TrimLeft(l, "\t"))]
		if !set || len(lead) < len(prefix) {
			prefix, set = lead, true
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, prefix)
	}
	return strings.Join(lines, "\n")
}
