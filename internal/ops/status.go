package ops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	cptypes "github.com/aws/aws-sdk-go-v2/service/codepipeline/types"
)

// Status is the state of the pipeline and, per environment, of the hosts.
type Status struct {
	Stack        *Stack              `json:"stack"`
	Pipeline     PipelineStatus      `json:"pipeline"`
	Environments []EnvironmentStatus `json:"environments"`
}

// EnvironmentStatus is what each host of one environment runs.
type EnvironmentStatus struct {
	// Name is empty for a stack without environments.
	Name    string          `json:"name,omitempty"`
	Account string          `json:"account,omitempty"`
	Region  string          `json:"region,omitempty"`
	Group   string          `json:"deploymentGroup"`
	Hosts   []HostStatus    `json:"hosts"`
	Last    *DeploymentInfo `json:"lastDeployment,omitempty"`
	// Problem says why the environment could not be read (another account
	// or Region the credentials do not reach); the other fields are then
	// empty.
	Problem string `json:"problem,omitempty"`
}

// Reach returns the clients that reach an environment's deployments, hosts
// and logs: c itself in the stack's account and Region; for an environment
// in another account or Region, clients of that account in that Region, or
// an error saying how to get them.
type Reach func(ctx context.Context, env *Stack) (*Clients, error)

// PipelineStatus is the last execution and each stage's latest state.
type PipelineStatus struct {
	Name          string        `json:"name"`
	LastExecution *Execution    `json:"lastExecution,omitempty"`
	Stages        []StageStatus `json:"stages"`
}

// Execution is one run of the pipeline.
type Execution struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Commit    string    `json:"commit,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	StartedAt time.Time `json:"startedAt"`
}

// StageStatus is a stage's latest execution.
type StageStatus struct {
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	ChangedAt time.Time `json:"changedAt,omitzero"`
	Message   string    `json:"message,omitempty"`
}

// HostStatus is the release a host runs and how its latest deployment went.
type HostStatus struct {
	Instance string `json:"instance"`
	// Release is the release of the newest deployment that succeeded on
	// the host; nil when none of the recent ones did.
	Release *Release  `json:"release,omitempty"`
	Since   time.Time `json:"since,omitzero"`
	// Healthy is true when the host's latest deployment succeeded on it.
	Healthy bool   `json:"healthy"`
	Health  string `json:"health"`
}

// DeploymentInfo is a deployment's outcome.
type DeploymentInfo struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"createdAt"`
	Creator   string    `json:"creator,omitempty"`
	Error     string    `json:"error,omitempty"`
}

// hostScan bounds the deployments read to find what each host runs.
const hostScan = 10

// GetStatus reads the pipeline's state and, per host, its release: in the
// environment s is selected for, or else in each of its environments, in
// pipeline order. An environment reach cannot read gets a Problem instead.
func GetStatus(ctx context.Context, c *Clients, s *Stack, reach Reach) (*Status, error) {
	if err := s.require(&s.Pipeline); err != nil {
		return nil, err
	}
	st := &Status{Stack: s, Environments: []EnvironmentStatus{}}
	var err error
	if st.Pipeline, err = pipelineStatus(ctx, c, s.Pipeline); err != nil {
		return nil, err
	}
	for _, env := range s.each() {
		es, err := environmentStatus(ctx, c, env, reach)
		if err != nil {
			return nil, err
		}
		st.Environments = append(st.Environments, es)
	}
	return st, nil
}

// each is s for the environment it is selected for (or a stack without
// environments), else s selected for each environment in turn.
func (s *Stack) each() []*Stack {
	if s.Env != nil || len(s.Environments) == 0 {
		return []*Stack{s}
	}
	out := make([]*Stack, len(s.Environments))
	for i, e := range s.Environments {
		out[i] = s.with(e)
	}
	return out
}

func environmentStatus(ctx context.Context, c *Clients, s *Stack, reach Reach) (EnvironmentStatus, error) {
	es := EnvironmentStatus{Group: s.DeploymentGroup, Hosts: []HostStatus{}}
	if s.Env != nil {
		es.Name, es.Account, es.Region = s.Env.Name, s.Env.Account, s.Env.Region
	}
	if err := s.require(&s.Application, &s.DeploymentGroup); err != nil {
		return es, err
	}
	// Another account's or Region's failures are the environment's problem,
	// not the whole status's: the other environments still show.
	problem := func(err error) (EnvironmentStatus, error) {
		if !s.Env.Remote() {
			return es, err
		}
		es.Problem = err.Error()
		return es, nil
	}
	ec, err := reach(ctx, s)
	if err != nil {
		return problem(err)
	}
	deps, err := deployments(ctx, ec, s)
	if err != nil {
		return problem(err)
	}
	if len(deps) > 0 {
		es.Last = deploymentInfo(deps[0])
	}
	recent := deps[:min(hostScan, len(deps))]
	releases, err := releasesOf(ctx, ec, recent)
	if err != nil {
		return problem(err)
	}
	if es.Hosts, err = hostStatuses(ctx, ec, recent, releases); err != nil {
		return problem(err)
	}
	return es, nil
}

func deploymentInfo(d types.DeploymentInfo) *DeploymentInfo {
	info := &DeploymentInfo{ID: deref(d.DeploymentId), Status: string(d.Status), CreatedAt: timeOf(d.CreateTime), Creator: string(d.Creator)}
	if e := d.ErrorInformation; e != nil && e.Message != nil {
		info.Error = fmt.Sprintf("%s: %s", e.Code, *e.Message)
	}
	return info
}

func pipelineStatus(ctx context.Context, c *Clients, name string) (PipelineStatus, error) {
	ps := PipelineStatus{Name: name}
	state, err := c.CodePipeline.GetPipelineState(ctx, &codepipeline.GetPipelineStateInput{Name: &name})
	if err != nil {
		if errorCode(err) == "PipelineNotFoundException" {
			return ps, fmt.Errorf("pipeline %q (stack output PipelineName) does not exist: was it deleted outside CloudFormation?", name)
		}
		return ps, explain(err)
	}
	for _, stage := range state.StageStates {
		ss := StageStatus{Name: deref(stage.StageName), Status: "never run"}
		if e := stage.LatestExecution; e != nil {
			ss.Status = string(e.Status)
		}
		for _, a := range stage.ActionStates {
			if a.LatestExecution == nil {
				continue
			}
			if t := timeOf(a.LatestExecution.LastStatusChange); t.After(ss.ChangedAt) {
				ss.ChangedAt = t
			}
			if a.LatestExecution.Status == cptypes.ActionExecutionStatusFailed && a.LatestExecution.ErrorDetails != nil {
				ss.Message = deref(a.LatestExecution.ErrorDetails.Message)
			}
		}
		ps.Stages = append(ps.Stages, ss)
	}
	execs, err := c.CodePipeline.ListPipelineExecutions(ctx, &codepipeline.ListPipelineExecutionsInput{PipelineName: &name, MaxResults: ptr(int32(1))})
	if err != nil {
		return ps, explain(err)
	}
	if len(execs.PipelineExecutionSummaries) > 0 {
		e := execs.PipelineExecutionSummaries[0]
		ps.LastExecution = &Execution{ID: deref(e.PipelineExecutionId), Status: string(e.Status), StartedAt: timeOf(e.StartTime)}
		for _, r := range e.SourceRevisions {
			ps.LastExecution.Commit = deref(r.RevisionId)
			ps.LastExecution.Summary = firstLine(deref(r.RevisionSummary))
		}
	}
	return ps, nil
}

// hostStatuses walks the deployments newest first: a host's health is its
// outcome in the newest deployment that targeted it, and its release is
// that of the newest deployment that succeeded on it.
func hostStatuses(ctx context.Context, c *Clients, deps []types.DeploymentInfo, releases []Release) ([]HostStatus, error) {
	byBundle := map[string]*Release{}
	for i := range releases {
		byBundle[releases[i].Bundle.id()] = &releases[i]
	}
	hosts := map[string]*HostStatus{}
	for _, d := range deps {
		targets, err := instanceTargets(ctx, c, deref(d.DeploymentId))
		if err != nil {
			return nil, err
		}
		b, _ := bundleOf(d.Revision)
		for _, t := range targets {
			id := instanceID(t)
			h, seen := hosts[id]
			if !seen {
				h = &HostStatus{Instance: id}
				h.Healthy, h.Health = health(d, t)
				hosts[id] = h
			}
			if h.Release == nil && t.Status == types.TargetStatusSucceeded {
				h.Release = byBundle[b.id()]
				h.Since = timeOf(t.LastUpdatedAt)
			}
		}
	}
	out := make([]HostStatus, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b HostStatus) int { return strings.Compare(a.Instance, b.Instance) })
	return out, nil
}

func instanceTargets(ctx context.Context, c *Clients, deployment string) ([]types.InstanceTarget, error) {
	var ids []string
	in := &codedeploy.ListDeploymentTargetsInput{DeploymentId: &deployment}
	for {
		page, err := c.CodeDeploy.ListDeploymentTargets(ctx, in)
		if err != nil {
			return nil, explain(err)
		}
		ids = append(ids, page.TargetIds...)
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	var out []types.InstanceTarget
	for chunk := range slices.Chunk(ids, 25) {
		got, err := c.CodeDeploy.BatchGetDeploymentTargets(ctx, &codedeploy.BatchGetDeploymentTargetsInput{DeploymentId: &deployment, TargetIds: chunk})
		if err != nil {
			return nil, explain(err)
		}
		for _, t := range got.DeploymentTargets {
			if t.InstanceTarget != nil {
				out = append(out, *t.InstanceTarget)
			}
		}
	}
	return out, nil
}

func instanceID(t types.InstanceTarget) string {
	if id := deref(t.TargetId); id != "" {
		return id
	}
	arn := deref(t.TargetArn)
	return arn[strings.LastIndex(arn, "/")+1:]
}

// health describes the host's outcome in deployment d.
func health(d types.DeploymentInfo, t types.InstanceTarget) (bool, string) {
	id := deref(d.DeploymentId)
	switch t.Status {
	case types.TargetStatusSucceeded:
		return true, "healthy (" + id + " succeeded)"
	case types.TargetStatusFailed:
		return false, "failed " + id + failedEvent(t.LifecycleEvents)
	case types.TargetStatusInProgress, types.TargetStatusPending:
		return false, "deploying " + id
	}
	return false, strings.ToLower(string(t.Status)) + " in " + id
}

// failedEvent names the failed lifecycle event and its message.
func failedEvent(events []types.LifecycleEvent) string {
	for _, e := range events {
		if e.Status != types.LifecycleEventStatusFailed {
			continue
		}
		msg := ""
		if e.Diagnostics != nil {
			msg = firstLine(deref(e.Diagnostics.Message))
		}
		return " at " + deref(e.LifecycleEventName) + ": " + msg
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func ptr[T any](v T) *T { return &v }
