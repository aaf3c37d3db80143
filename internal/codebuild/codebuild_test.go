package codebuild_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shipline/shipline/internal/codebuild"
)

func TestRunPhase(t *testing.T) {
	spec, err := codebuild.Parse(`version: 0.2
env:
  shell: bash
  variables:
    A: from-spec
    B: from-spec
phases:
  build:
    commands:
      - echo "$A $B $(pwd)"
      - exit 3
      - echo never
`)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	dir := t.TempDir()
	err = spec.RunPhase("build", dir, []string{"B=from-project"}, &out)
	if err == nil || !strings.Contains(err.Error(), "phase build command 2") {
		t.Errorf("err = %v, want command 2 of build to fail", err)
	}
	if got, want := out.String(), "from-spec from-project "+dir+"\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if err := spec.RunPhase("install", dir, nil, &out); err == nil {
		t.Errorf("a missing phase ran")
	}
}

func TestParseRejectsUnknownKeys(t *testing.T) {
	if _, err := codebuild.Parse("version: 0.2\nphase: {}\n"); err == nil {
		t.Error("a misspelt key was accepted")
	}
}
