package diffreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Stack is one stack of a cloud assembly, as the comment shows it.
type Stack struct {
	// Name is the CloudFormation stack name.
	Name string
	// Account and Region are where the stack goes; empty when the app
	// leaves them to the CLI.
	Account, Region string
	// Template is the synthesized template file.
	Template string
	// Environment is the environment the stack deploys, for the stack of
	// an environment in another account; empty for the pipeline's stack.
	Environment string
	// Environments are the pipeline's environments in order; set on the
	// pipeline's stack, whose resources and stages belong to them.
	Environments []string
}

// Stage names of an environment, as constructs/releasepipeline makes them
// (DeployStagePrefix, ApproveStagePrefix).
const (
	deployStagePrefix  = "Deploy-"
	approveStagePrefix = "Approve-"
)

// ReadAssembly lists the stacks of the cloud assembly in dir (cdk.out) in
// pipeline order: the stack holding the pipeline first, then the stacks of
// environments in other accounts in the order the pipeline deploys to them
// (found by the name of the deployment group each one defines), then any
// other stack in the assembly's order.
func ReadAssembly(dir string) ([]Stack, error) {
	stacks, err := manifestStacks(dir)
	if err != nil {
		return nil, err
	}
	var pipeline *Stack
	var stages []stage
	for i := range stacks {
		t, err := readTemplate(stacks[i].Template, false)
		if err != nil {
			return nil, err
		}
		if s := pipelineStages(t); len(s) > 0 {
			pipeline, stages = &stacks[i], s
			break
		}
	}
	if pipeline == nil {
		return stacks, nil
	}
	for _, s := range stages {
		if env, ok := strings.CutPrefix(s.name, deployStagePrefix); ok {
			pipeline.Environments = append(pipeline.Environments, env)
		}
	}
	first := pipeline.Name // pipeline points into stacks, which the sort moves
	position := func(st Stack) int {
		if st.Name == first {
			return -1
		}
		if st.Environment == "" {
			return len(stages)
		}
		if i := slices.IndexFunc(stages, func(s stage) bool { return s.name == deployStagePrefix+st.Environment }); i >= 0 {
			return i
		}
		return len(stages)
	}
	for i := range stacks {
		if &stacks[i] == pipeline {
			continue
		}
		t, _ := readTemplate(stacks[i].Template, false)
		stacks[i].Environment = environmentDeployedTo(t, stages)
	}
	slices.SortStableFunc(stacks, func(a, b Stack) int { return position(a) - position(b) })
	return stacks, nil
}

// manifestStacks reads the stacks of manifest.json in the order it lists
// them.
func manifestStacks(dir string) ([]Stack, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("not a cloud assembly (run cdk synth first): %w", err)
	}
	var m struct {
		Artifacts orderedArtifacts `json:"artifacts"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	var out []Stack
	for _, a := range m.Artifacts {
		if a.Type != "aws:cloudformation:stack" {
			continue
		}
		s := Stack{Name: a.ID, Template: filepath.Join(dir, a.Properties.TemplateFile)}
		if a.Properties.StackName != "" {
			s.Name = a.Properties.StackName
		}
		if rest, ok := strings.CutPrefix(a.Environment, "aws://"); ok {
			account, region, _ := strings.Cut(rest, "/")
			if !strings.HasPrefix(account, "unknown-") {
				s.Account = account
			}
			if !strings.HasPrefix(region, "unknown-") {
				s.Region = region
			}
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no stack", filepath.Join(dir, "manifest.json"))
	}
	return out, nil
}

type artifact struct {
	ID          string `json:"-"`
	Type        string `json:"type"`
	Environment string `json:"environment"`
	Properties  struct {
		TemplateFile string `json:"templateFile"`
		StackName    string `json:"stackName"`
	} `json:"properties"`
}

// orderedArtifacts keeps the manifest's artifacts in the order they are
// written (a Go map would lose it).
type orderedArtifacts []artifact

func (o *orderedArtifacts) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		var a artifact
		if err := dec.Decode(&a); err != nil {
			return err
		}
		a.ID, _ = key.(string)
		*o = append(*o, a)
	}
	return nil
}

// stage is a pipeline stage: its name and the deployment groups its
// actions name literally (groups of stacks in other accounts).
type stage struct {
	name   string
	groups []string
}

// pipelineStages are the stages of the template's pipeline, in order; nil
// without a pipeline.
func pipelineStages(t map[string]any) []stage {
	var out []stage
	for _, s := range rawStages(t) {
		st := stage{}
		st.name, _ = s["Name"].(string)
		actions, _ := s["Actions"].([]any)
		for _, av := range actions {
			a, _ := av.(map[string]any)
			cfg, _ := a["Configuration"].(map[string]any)
			if g, ok := cfg["DeploymentGroupName"].(string); ok {
				st.groups = append(st.groups, g)
			}
		}
		out = append(out, st)
	}
	return out
}

// environmentDeployedTo is the environment whose deploy stage names a
// deployment group of template t; "" when none does.
func environmentDeployedTo(t map[string]any, stages []stage) string {
	res, _ := t["Resources"].(map[string]any)
	for _, s := range stages {
		env, ok := strings.CutPrefix(s.name, deployStagePrefix)
		if !ok {
			continue
		}
		for _, r := range res {
			rm, _ := r.(map[string]any)
			props, _ := rm["Properties"].(map[string]any)
			if rm["Type"] == "AWS::CodeDeploy::DeploymentGroup" && slices.Contains(s.groups, fmt.Sprint(props["DeploymentGroupName"])) {
				return env
			}
		}
	}
	return ""
}
