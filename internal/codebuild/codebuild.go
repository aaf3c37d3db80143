// Package codebuild runs the phases of a CodeBuild buildspec (version 0.2)
// on this machine, as a CodeBuild build does with `env.shell: bash`: each
// command in its own bash, in the source directory, with the buildspec's
// env.variables under the project's environment.
package codebuild

import (
	"fmt"
	"io"
	"os/exec"
	"strings"

	"gopkg.in/yaml.v3"
)

// Spec is the part of a buildspec that a build acts on.
type Spec struct {
	Version any `yaml:"version"`
	Env     struct {
		Shell     string            `yaml:"shell"`
		Variables map[string]string `yaml:"variables"`
	} `yaml:"env"`
	Phases    map[string]Phase `yaml:"phases"`
	Artifacts struct {
		BaseDirectory string   `yaml:"base-directory"`
		Files         []string `yaml:"files"`
	} `yaml:"artifacts"`
}

// Phase is one phase of the buildspec.
type Phase struct {
	OnFailure string   `yaml:"on-failure"`
	Commands  []string `yaml:"commands"`
}

// Parse reads a buildspec; unknown keys are errors, as they are to CodeBuild.
func Parse(text string) (*Spec, error) {
	var s Spec
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("buildspec: %w", err)
	}
	if fmt.Sprint(s.Version) != "0.2" {
		return nil, fmt.Errorf("buildspec: version %v, want 0.2", s.Version)
	}
	return &s, nil
}

// Environment is the environment of the build's commands: the buildspec's
// env.variables, then env (the project's variables and the build's own),
// which wins.
func (s *Spec) Environment(env []string) []string {
	out := make([]string, 0, len(s.Env.Variables)+len(env))
	for k, v := range s.Env.Variables {
		out = append(out, k+"="+v)
	}
	return append(out, env...)
}

// RunPhase runs the commands of phase name in dir, stopping at the first
// that fails. Output goes to w. A phase the buildspec does not have is an
// error.
func (s *Spec) RunPhase(name, dir string, env []string, w io.Writer) error {
	phase, ok := s.Phases[name]
	if !ok {
		return fmt.Errorf("buildspec has no %s phase", name)
	}
	for i, c := range phase.Commands {
		cmd := exec.Command("bash", "-c", c)
		cmd.Dir = dir
		cmd.Env = s.Environment(env)
		cmd.Stdout, cmd.Stderr = w, w
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("phase %s command %d: %w", name, i+1, err)
		}
	}
	return nil
}
