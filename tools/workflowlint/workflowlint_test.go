package workflowlint_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// workflowDir is the repository's workflow folder, relative to this package.
const workflowDir = "../../.github/workflows"

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*.yml", "*.yaml"} {
		m, err := filepath.Glob(filepath.Join(workflowDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no workflow files found in %s", workflowDir)
	}
	return files
}

// TestWorkflows runs actionlint on every workflow. When shellcheck is on PATH,
// actionlint also checks the `run:` scripts with it.
func TestWorkflows(t *testing.T) {
	opts := &actionlint.LinterOptions{}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else {
		t.Log("shellcheck not found on PATH: run: scripts are not shellchecked")
	}
	var out bytes.Buffer
	linter, err := actionlint.NewLinter(&out, opts)
	if err != nil {
		t.Fatal(err)
	}
	files := workflowFiles(t)
	errs, err := linter.LintFiles(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", filepath.Base(e.Filepath), e.Line, e.Column, e.Message, e.Kind)
	}
	if len(errs) > 0 {
		t.Logf("actionlint output:\n%s", out.String())
	}
	t.Logf("linted %d workflow files", len(files))
}

// TestLinterCatchesErrors guards the test above: a workflow with a known
// mistake must be reported, or a silently misconfigured linter would pass all.
func TestLinterCatchesErrors(t *testing.T) {
	bad := []byte(`on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.no_such_context.x }}"
      - uses: actions/checkout
`)
	linter, err := actionlint.NewLinter(&bytes.Buffer{}, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.Lint("bad.yml", bad, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 {
		t.Fatal("actionlint reported no error for a workflow that has one")
	}
}

// usesRE matches a step's or job's `uses:` line: the action, its ref and the
// rest of the line.
var usesRE = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*([^@\s]+)@(\S+)(.*)$`)

// pinnedRE is a full commit SHA followed by the release it is, as a comment.
var pinnedRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
var versionCommentRE = regexp.MustCompile(`^\s+#\s+v\d+\.\d+\.\d+$`)

// TestActionsPinnedToCommits: a tag such as v4 can be moved to other code by
// whoever controls the action's repository; a commit SHA cannot. The comment
// names the release, for people and for update tools.
func TestActionsPinnedToCommits(t *testing.T) {
	for _, f := range workflowFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		uses := usesRE.FindAllStringSubmatch(string(data), -1)
		if len(uses) == 0 {
			t.Errorf("%s: no uses: lines found; the pattern is out of date", filepath.Base(f))
		}
		for _, m := range uses {
			action, ref, rest := m[1], m[2], m[3]
			if strings.HasPrefix(action, "./") || strings.HasPrefix(action, "docker://") {
				continue
			}
			if !pinnedRE.MatchString(ref) || !versionCommentRE.MatchString(rest) {
				t.Errorf("%s: %s@%s%s: want %s@<40-hex commit SHA> # vX.Y.Z", filepath.Base(f), action, ref, rest, action)
			}
		}
	}
}

// TestCIRunsTheCIEntryPoint: CI on GitHub runs the same entry point as any
// other CI machine, so what it installs and checks cannot drift apart.
func TestCIRunsTheCIEntryPoint(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(workflowDir, "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\s+run:\s*\.ci/run\s*$`).Match(data) {
		t.Error("ci.yml does not run .ci/run")
	}
	if regexp.MustCompile(`(?m)run:\s*make test`).Match(data) {
		t.Error("ci.yml runs make test directly; .ci/run runs it after installing what the tests need")
	}
}
