package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/internal/cdktest"
)

var appBinary string

// buildApp compiles the CDK app (bin/) once per test binary.
func buildApp(t *testing.T) string {
	t.Helper()
	if appBinary != "" {
		return appBinary
	}
	bin := filepath.Join(scratchDir(), "shipline-app")
	cmd := exec.Command("go", "build", "-o", bin, "./bin")
	cmd.Dir = cdktest.ModuleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./bin: %v\n%s", err, out)
	}
	appBinary = bin
	return bin
}

// runApp runs the app the way the CDK CLI does: the context (cdk.json plus
// `-c` values, which are strings) in CDK_CONTEXT_JSON, the cloud assembly
// directory in CDK_OUTDIR.
func runApp(t *testing.T, settings map[string]any) (code int, stderr string, outdir string) {
	t.Helper()
	ctx := cdktest.CDKJSONContext()
	for k, v := range settings {
		ctx[k] = v
	}
	raw, err := json.Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	outdir = t.TempDir()
	cmd := exec.Command(buildApp(t))
	cmd.Dir = cdktest.ModuleRoot()
	cmd.Env = append(os.Environ(), "CDK_CONTEXT_JSON="+string(raw), "CDK_OUTDIR="+outdir)
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("running the app: %v", err)
	}
	return code, errBuf.String(), outdir
}

// TestAppRejectsBadConfig: a bad config ends the app with a non-zero exit
// code, every mistake on its own plain line (no Go or JavaScript trace), and
// no cloud assembly written.
func TestAppRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name     string
		settings map[string]any
		lines    []string
	}{
		{"two mistakes as -c strings", map[string]any{"appName": "My_App", "architecture": "amd64"},
			[]string{`appName: got "My_App", want `, `architecture: got "amd64", want "x86_64" or "arm64"`}},
		{"arm64 host for an x86_64 image", map[string]any{"managedHost": "true", "hostInstanceType": "t4g.small"},
			[]string{`hostInstanceType: got "t4g.small", want an x86_64 instance type`}},
		{"secret value instead of a parameter name", map[string]any{"buildSecrets": "NPM_TOKEN=npm_abcdef"},
			[]string{`buildSecrets.NPM_TOKEN: got a value that is not a Parameter Store name (not shown: it may be the secret itself), want the name of the parameter`}},
		// The config accepts it; aws-cdk-lib's own template validation does
		// not. The line names the setting, and nothing is written.
		{"instance type CloudFormation rejects", map[string]any{"managedHost": "true", "hostInstanceType": "t3.huge"},
			[]string{`hostInstanceType: rejected by CloudFormation validation: InstanceType: 't3.huge' is not valid`}},
		{"mis-cased setting", map[string]any{"AppName": "web"},
			[]string{`AppName: got an unknown setting, want "appName" (setting names are case-sensitive)`}},
		{"JSON-typed mistakes", map[string]any{"buildTimeoutMinutes": 1.0, "approverEmails": []any{}},
			[]string{`buildTimeoutMinutes: got 1, want 5-2160`, `approverEmails: got "", want at least one address`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stderr, outdir := runApp(t, c.settings)
			if code == 0 {
				t.Fatalf("exit code 0 for a bad config; stderr:\n%s", stderr)
			}
			for _, want := range c.lines {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr, "npm_abcdef") {
				t.Errorf("stderr shows the secret:\n%s", stderr)
			}
			for _, bad := range []string{"goroutine ", "panic", "jsii", "node:internal", ".js:", "    at ", "runtime/"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr holds a trace (%q):\n%s", bad, stderr)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if len(line) > 400 {
					t.Errorf("stderr line of %d characters: %.120s...", len(line), line)
				}
			}
			entries, err := os.ReadDir(outdir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) > 0 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("the app wrote %v to the out dir for a bad config", names)
			}
		})
	}
}

// TestAppThreeMistakesThreeLines: three wrong settings give exactly three
// error lines after the heading, and nothing is written.
func TestAppThreeMistakesThreeLines(t *testing.T) {
	code, stderr, outdir := runApp(t, map[string]any{
		"appName": "My_App", "buildTimeoutMinutes": "1", "githubBranch": "refs/heads/main",
	})
	if code == 0 {
		t.Fatalf("exit code 0 for three mistakes; stderr:\n%s", stderr)
	}
	var lines []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "  ") && strings.Contains(line, ": got ") {
			lines = append(lines, strings.TrimSpace(line))
		}
	}
	// In the order of the settings table.
	want := []string{"appName: got \"My_App\"", "githubBranch: got \"refs/heads/main\"", "buildTimeoutMinutes: got 1, want 5-2160"}
	if len(lines) != len(want) {
		t.Fatalf("%d error lines, want %d:\n%s", len(lines), len(want), stderr)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i], w)
		}
	}
	if entries, _ := os.ReadDir(outdir); len(entries) > 0 {
		t.Errorf("the app wrote %d entries to the out dir", len(entries))
	}
}

// TestAppSynthesizesGoodConfig is the control: the same harness with a good
// config (and nag on) writes a template and exits 0.
func TestAppSynthesizesGoodConfig(t *testing.T) {
	code, stderr, outdir := runApp(t, map[string]any{"nag": "true"})
	if code != 0 {
		t.Fatalf("exit code %d for the default config; stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(outdir, "PipelineStack.template.json")); err != nil {
		t.Errorf("no template written: %v", err)
	}
}
