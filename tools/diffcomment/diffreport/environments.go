package diffreport

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// StageChange is a pipeline stage added, changed or removed.
type StageChange struct {
	Op    Op
	Stage string
	// Environment is the environment the stage deploys or approves; empty
	// for Source, Build and the other stages of no environment.
	Environment string
}

// environmentOfStage names the environment of a stage "Deploy-<env>" or
// "Approve-<env>" among envs.
func environmentOfStage(name string, envs []string) string {
	for _, prefix := range []string{deployStagePrefix, approveStagePrefix} {
		if env, ok := strings.CutPrefix(name, prefix); ok && slices.Contains(envs, env) {
			return env
		}
	}
	return ""
}

// environmentOfPath names the environment a resource of the pipeline's
// stack belongs to, by a part of its construct path: Environment-<env>
// (its deployment group and host policy) or Environment-<env>-<what> (the
// events of an environment in another account), DeploymentTarget-<env>, or
// a stage of the environment (the roles of that stage's actions).
func environmentOfPath(path string, envs []string) string {
	for _, part := range strings.Split(path, "/") {
		for _, prefix := range []string{"Environment-", "DeploymentTarget-"} {
			if rest, ok := strings.CutPrefix(part, prefix); ok {
				if env := longestEnvironment(rest, envs); env != "" {
					return env
				}
			}
		}
		if env := environmentOfStage(part, envs); env != "" {
			return env
		}
	}
	return ""
}

// longestEnvironment is the longest of envs that s is, or that s starts
// with before a "-" ("staging-eu-Events" is staging-eu's, not staging's).
func longestEnvironment(s string, envs []string) string {
	best := ""
	for _, env := range envs {
		if (s == env || strings.HasPrefix(s, env+"-")) && len(env) > len(best) {
			best = env
		}
	}
	return best
}

// stageChanges compares the stages of the pipelines of two templates, by
// stage name, in the synthesized order (removed stages last).
func stageChanges(deployed, synthesized map[string]any, envs []string) []StageChange {
	old, cur := stagesByName(deployed), stagesByName(synthesized)
	var out []StageChange
	for _, name := range stageOrder(synthesized) {
		switch before, ok := old[name]; {
		case !ok:
			out = append(out, StageChange{Op: OpAdd, Stage: name})
		case before != cur[name]:
			out = append(out, StageChange{Op: OpUpdate, Stage: name})
		}
	}
	for _, name := range stageOrder(deployed) {
		if _, ok := cur[name]; !ok {
			out = append(out, StageChange{Op: OpRemove, Stage: name})
		}
	}
	for i := range out {
		out[i].Environment = environmentOfStage(out[i].Stage, envs)
	}
	return out
}

// stagesByName maps each stage of the template's pipelines to its JSON.
func stagesByName(t map[string]any) map[string]string {
	out := map[string]string{}
	for _, s := range rawStages(t) {
		name, _ := s["Name"].(string)
		b, _ := json.Marshal(s)
		out[name] = string(b)
	}
	return out
}

func stageOrder(t map[string]any) []string {
	var out []string
	for _, s := range rawStages(t) {
		name, _ := s["Name"].(string)
		out = append(out, name)
	}
	return out
}

// rawStages are the stages of the template's pipelines (one, in a shipline
// app), in order.
func rawStages(t map[string]any) []map[string]any {
	res, _ := t["Resources"].(map[string]any)
	var out []map[string]any
	for _, id := range slices.Sorted(maps.Keys(res)) {
		r, _ := res[id].(map[string]any)
		if r["Type"] != "AWS::CodePipeline::Pipeline" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		list, _ := props["Stages"].([]any)
		for _, sv := range list {
			if s, ok := sv.(map[string]any); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
