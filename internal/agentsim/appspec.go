package agentsim

import (
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Events are the lifecycle events of an in-place deployment without a load
// balancer, in the agent's order. DownloadBundle and Install run no scripts.
var Events = []string{"ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart", "ValidateService"}

// maxTimeout is the longest timeout the agent accepts for a script.
const maxTimeout = 3600

// AppSpec is the part of appspec.yml the agent acts on.
type AppSpec struct {
	Version            any                 `yaml:"version"`
	OS                 string              `yaml:"os"`
	Files              []FileMapping       `yaml:"files"`
	FileExistsBehavior string              `yaml:"file_exists_behavior"`
	Permissions        []Permission        `yaml:"permissions"`
	Hooks              map[string][]Script `yaml:"hooks"`
}

// FileMapping is one entry of the files section.
type FileMapping struct {
	Source      string `yaml:"source"`
	Destination string `yaml:"destination"`
}

// Permission is one entry of the permissions section.
type Permission struct {
	Object  string   `yaml:"object"`
	Pattern string   `yaml:"pattern"`
	Except  []string `yaml:"except"`
	Owner   string   `yaml:"owner"`
	Group   string   `yaml:"group"`
	Mode    string   `yaml:"mode"`
	Type    []string `yaml:"type"`
}

// Script is one hook script.
type Script struct {
	Location string `yaml:"location"`
	Timeout  int    `yaml:"timeout"`
	RunAs    string `yaml:"runas"`
}

// ReadAppSpec reads appspec.yml (or appspec.yaml) at the root of a revision.
func ReadAppSpec(dir string) (*AppSpec, error) {
	var data []byte
	var err error
	for _, name := range []string{"appspec.yml", "appspec.yaml"} {
		if data, err = os.ReadFile(filepath.Join(dir, name)); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("the revision has no appspec.yml: %w", err)
	}
	var spec AppSpec
	if err := yaml.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("appspec.yml: %w", err)
	}
	if fmt.Sprint(spec.Version) != "0" && fmt.Sprint(spec.Version) != "0.0" {
		return nil, fmt.Errorf("appspec.yml: version %v, the agent accepts 0.0", spec.Version)
	}
	for event, scripts := range spec.Hooks {
		for _, s := range scripts {
			if s.Timeout > maxTimeout {
				return nil, fmt.Errorf("appspec.yml: %s script %s: timeout %d s is over the agent's limit of %d s", event, s.Location, s.Timeout, maxTimeout)
			}
		}
	}
	return &spec, nil
}
