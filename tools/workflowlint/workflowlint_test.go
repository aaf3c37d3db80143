package workflowlint_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
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
