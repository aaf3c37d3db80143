package ops

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
)

// Environment is one environment of a stack deployed with `environments`,
// as its outputs name it: each output key ends with the environment's name
// in the stack's suffix form ("staging-eu" gives DeploymentGroupNameStagingEu).
type Environment struct {
	Name string `json:"name"`
	// Account is the environment's own account when it is not the stack's,
	// and Region its own Region when it is not the stack's (output
	// DeployRegion<Suffix>): its deployment group, hosts, settings and logs
	// are there.
	Account         string `json:"account,omitempty"`
	Region          string `json:"region,omitempty"`
	Application     string `json:"application,omitempty"`
	DeploymentGroup string `json:"deploymentGroup"`
	HostPolicyARN   string `json:"hostPolicyArn,omitempty"`
	// HostProfile is the instance profile of an environment in another
	// account or Region (its target stack creates it).
	HostProfile  string `json:"hostProfile,omitempty"`
	HostInstance string `json:"hostInstance,omitempty"`
	LogGroup     string `json:"logGroup,omitempty"`
	suffix       string
}

// CrossAccount tells whether the environment lives in another account.
func (e *Environment) CrossAccount() bool { return e != nil && e.Account != "" }

// Remote tells whether the environment lives in another account or Region
// than the stack, where the stack's own resources are out of its reach.
func (e *Environment) Remote() bool { return e.CrossAccount() || (e != nil && e.Region != "") }

// Place says where an environment lives when it is not with the stack:
// "account 222222222222, region eu-central-1", "account 222222222222" or
// "region eu-central-1"; "" when it is with the stack.
func Place(account, region string) string {
	var p []string
	if account != "" {
		p = append(p, "account "+account)
	}
	if region != "" {
		p = append(p, "region "+region)
	}
	return strings.Join(p, ", ")
}

// inRegion is " in <region>" for the environment s is selected for when it
// is in another Region, for messages about its resources; "" otherwise.
func (s *Stack) inRegion() string {
	if s.Env == nil || s.Env.Region == "" {
		return ""
	}
	return " in " + s.Env.Region
}

// elsewhere is " in account 222222222222, region eu-central-1" (or the one
// of the two that applies) for the environment s is selected for when it is
// not with the stack, for messages about resources not found there.
func (s *Stack) elsewhere() string {
	if s.Env == nil || !s.Env.Remote() {
		return ""
	}
	return " in " + Place(s.Env.Account, s.Env.Region)
}

// regionFlag is the --region an AWS CLI command needs for the environment's
// resources; "" when the user's (the stack's) Region is theirs.
func (s *Stack) regionFlag() string {
	if s.Env == nil || s.Env.Region == "" {
		return ""
	}
	return " --region " + s.Env.Region
}

// Output is one output of a stack.
type Output struct{ Key, Value, Description string }

// groupDescription is how the stack describes an environment's deployment
// group output: "CodeDeploy deployment group of staging", with
// " (account 222222222222)", " (account 222222222222, region eu-central-1)"
// or " (region eu-central-1)" for an environment elsewhere. The Region is
// read from the DeployRegion<Suffix> output, not from here.
var (
	groupDescription = regexp.MustCompile(`group of ([a-z][a-z0-9-]*)(?: \((.*)\))?$`)
	accountOf        = regexp.MustCompile(`\baccount (\d{12})\b`)
)

// EnvironmentsOf reads the environments from a stack's outputs, one per
// DeploymentGroupName<Suffix> output, in name order.
func EnvironmentsOf(outputs []Output) []Environment {
	byKey := map[string]Output{}
	for _, o := range outputs {
		byKey[o.Key] = o
	}
	var envs []Environment
	for _, o := range outputs {
		suffix, ok := strings.CutPrefix(o.Key, "DeploymentGroupName")
		if !ok || suffix == "" {
			continue
		}
		e := Environment{Name: nameOfSuffix(suffix), DeploymentGroup: o.Value, suffix: suffix}
		if m := groupDescription.FindStringSubmatch(o.Description); m != nil {
			e.Name = m[1]
			if a := accountOf.FindStringSubmatch(m[2]); a != nil {
				e.Account = a[1]
			}
		}
		for key, field := range map[string]*string{
			"DeployApplicationName": &e.Application, "HostPolicyArn": &e.HostPolicyARN,
			"HostProfileName": &e.HostProfile, "HostInstanceId": &e.HostInstance, "AppLogGroupName": &e.LogGroup,
			"DeployRegion": &e.Region,
		} {
			*field = byKey[key+suffix].Value
		}
		envs = append(envs, e)
	}
	slices.SortFunc(envs, func(a, b Environment) int { return strings.Compare(a.Name, b.Name) })
	return envs
}

// nameOfSuffix guesses the name from its suffix form when the output's
// description does not give it: "StagingEu" gives "staging-eu".
func nameOfSuffix(suffix string) string {
	var b strings.Builder
	for i, r := range suffix {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// orderByPipeline puts the environments in the order of the pipeline's
// "Deploy-<name>" stages, the order a release moves through them. Best
// effort: without the pipeline, they stay in name order.
func orderByPipeline(ctx context.Context, c *Clients, pipeline string, envs []Environment) {
	if len(envs) < 2 || pipeline == "" {
		return
	}
	out, err := c.CodePipeline.GetPipeline(ctx, &codepipeline.GetPipelineInput{Name: &pipeline})
	if err != nil || out.Pipeline == nil {
		return
	}
	var stages []string
	for _, s := range out.Pipeline.Stages {
		stages = append(stages, deref(s.Name))
	}
	sortByStages(envs, stages)
}

// sortByStages orders envs as their "Deploy-<name>" stages come; an
// environment without one goes last.
func sortByStages(envs []Environment, stages []string) {
	pos := func(e Environment) int {
		if i := slices.Index(stages, "Deploy-"+e.Name); i >= 0 {
			return i
		}
		return len(stages)
	}
	slices.SortStableFunc(envs, func(a, b Environment) int { return cmp.Compare(pos(a), pos(b)) })
}

// EnvironmentNames lists the stack's environments, in pipeline order.
func (s *Stack) EnvironmentNames() []string {
	names := make([]string, len(s.Environments))
	for i, e := range s.Environments {
		names[i] = e.Name
	}
	return names
}

// EnvironmentError is the error of Select: a command that acts on one
// environment is not told which, or is told a name the stack lacks.
type EnvironmentError struct{ msg string }

func (e *EnvironmentError) Error() string { return e.msg }

func environmentError(format string, a ...any) error {
	return &EnvironmentError{fmt.Sprintf(format, a...)}
}

// Select returns the stack as seen by a command acting on one environment:
// its deployment group, application, host policy and log group are those
// of the environment named (an empty name is fine when there is one).
func (s *Stack) Select(name string) (*Stack, error) {
	names := strings.Join(s.EnvironmentNames(), ", ")
	switch {
	case len(s.Environments) == 0 && name == "":
		return s, nil
	case len(s.Environments) == 0:
		return nil, environmentError("stack %s has no environments (its config sets none), so --env %s does not apply: drop it", s.Name, name)
	case name == "" && len(s.Environments) == 1:
		name = s.Environments[0].Name
	case name == "":
		return nil, environmentError("stack %s has %d environments (%s): name one with --env", s.Name, len(s.Environments), names)
	}
	i := slices.IndexFunc(s.Environments, func(e Environment) bool { return e.Name == name })
	if i < 0 {
		return nil, environmentError("stack %s has no environment %q: want one of %s", s.Name, name, names)
	}
	return s.with(s.Environments[i]), nil
}

// with is a copy of s whose per-environment fields are e's.
func (s *Stack) with(e Environment) *Stack {
	out := *s
	out.Env = &e
	out.Application, out.DeploymentGroup, out.HostPolicyARN = e.Application, e.DeploymentGroup, e.HostPolicyARN
	// A stack made before each environment had its own log group keeps the
	// one of the stack, which is of no use in another account or Region.
	if e.LogGroup != "" || e.Remote() {
		out.LogGroup = e.LogGroup
	}
	return &out
}

// outputKey names the output a field of the stack was read from.
func (e *Environment) outputKey(key string) string {
	if e == nil {
		return key
	}
	return key + e.suffix
}
