package main

import (
	"time"

	"github.com/shipline/shipline/internal/motogap"
)

const codedeployTarget = "CodeDeploy_20141006."

// fillDeploymentGaps registers the CodeDeploy operations moto 5.2 lacks:
// deployments read from moto get the status the test scripted (moto leaves
// every deployment "Created"), and the instance targets the test recorded.
// Calls go on to moto as their caller, in the caller's account.
func (w *world) fillDeploymentGaps() {
	w.gap.HandleCaller(codedeployTarget+"CreateDeployment", func(auth string, body map[string]any) (any, error) {
		out, err := w.gap.ForwardAs(auth, codedeployTarget+"CreateDeployment", body)
		if err != nil {
			return nil, err
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		id := out["deploymentId"].(string)
		w.created = append(w.created, id)
		if w.next != nil {
			w.statuses[id], w.next = w.next, nil
			w.targets[id], w.nextTargets = w.nextTargets, nil
		}
		return out, nil
	})
	w.gap.HandleCaller(codedeployTarget+"GetDeployment", func(auth string, body map[string]any) (any, error) {
		out, err := w.gap.ForwardAs(auth, codedeployTarget+"GetDeployment", body)
		if err != nil {
			return nil, err
		}
		if d, ok := out["deploymentInfo"].(map[string]any); ok {
			w.applyState(d, true)
		}
		return out, nil
	})
	w.gap.HandleCaller(codedeployTarget+"BatchGetDeployments", func(auth string, body map[string]any) (any, error) {
		out, err := w.gap.ForwardAs(auth, codedeployTarget+"BatchGetDeployments", body)
		if err != nil {
			return nil, err
		}
		list, _ := out["deploymentsInfo"].([]any)
		for _, d := range list {
			if d, ok := d.(map[string]any); ok {
				w.applyState(d, false)
			}
		}
		return out, nil
	})
	w.gap.Handle(codedeployTarget+"ListDeploymentTargets", func(body map[string]any) (any, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		ids := []string{}
		for _, t := range w.targets[body["deploymentId"].(string)] {
			ids = append(ids, t["targetId"].(string))
		}
		return map[string]any{"targetIds": ids}, nil
	})
	w.gap.Handle(codedeployTarget+"BatchGetDeploymentTargets", func(body map[string]any) (any, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		want := map[string]bool{}
		for _, id := range body["targetIds"].([]any) {
			want[id.(string)] = true
		}
		out := []any{}
		for _, t := range w.targets[body["deploymentId"].(string)] {
			if want[t["targetId"].(string)] {
				out = append(out, map[string]any{"deploymentTargetType": "InstanceTarget", "instanceTarget": t})
			}
		}
		return map[string]any{"deploymentTargets": out}, nil
	})
}

// fillMissingGroupGap makes ListDeployments fail, as on AWS, for an
// application or group that does not exist (moto 5.2 lists no deployments).
// Not in every world: a forwarded call is not signed again, so it fails
// where moto checks signatures (EnforceAuth).
func (w *world) fillMissingGroupGap() {
	w.gap.HandleCaller(codedeployTarget+"ListDeployments", func(auth string, body map[string]any) (any, error) {
		if _, err := w.gap.ForwardAs(auth, codedeployTarget+"GetDeploymentGroup", map[string]any{
			"applicationName": body["applicationName"], "deploymentGroupName": body["deploymentGroupName"]}); err != nil {
			return nil, err
		}
		return w.gap.ForwardAs(auth, codedeployTarget+"ListDeployments", body)
	})
}

// applyState puts the scripted state on a deployment moto returned; advance
// moves to the next scripted state (each GetDeployment is one look).
func (w *world) applyState(d map[string]any, advance bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// moto writes times as ISO strings; the API (and the SDK) use epoch seconds.
	for _, k := range []string{"createTime", "startTime", "completeTime"} {
		if s, ok := d[k].(string); ok {
			if t, err := time.Parse("2006-01-02T15:04:05.000Z", s); err == nil {
				d[k] = float64(t.UnixMilli()) / 1000
			}
		}
		if d[k] == nil {
			delete(d, k)
		}
	}
	id, _ := d["deploymentId"].(string)
	states := w.statuses[id]
	if len(states) == 0 {
		return
	}
	s := states[0]
	if advance && len(states) > 1 {
		w.statuses[id] = states[1:]
	}
	d["status"] = s.status
	overview := map[string]any{}
	for k, v := range s.overview {
		overview[k] = v
	}
	d["deploymentOverview"] = overview
	if s.err != "" {
		d["errorInformation"] = map[string]any{"code": "HEALTH_CONSTRAINTS", "message": s.err}
	}
}

const pipelineTarget = "CodePipeline_20150709."

// fillGetPipelineGap mends moto's GetPipeline, whose metadata times are
// strings where the API has epoch seconds (the SDK rejects the answer).
func (w *world) fillGetPipelineGap() {
	w.gap.HandleCaller(pipelineTarget+"GetPipeline", func(auth string, body map[string]any) (any, error) {
		out, err := w.gap.ForwardAs(auth, pipelineTarget+"GetPipeline", body)
		if err != nil {
			return nil, &motogap.Error{Status: 400, Code: "PipelineNotFoundException", Msg: err.Error()}
		}
		if m, ok := out["metadata"].(map[string]any); ok {
			for k, v := range m {
				if s, ok := v.(string); ok {
					if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
						m[k] = float64(t.UnixMilli()) / 1000
					}
				}
			}
		}
		return out, nil
	})
}

// stageRun is a stage's scripted latest execution.
type stageRun struct {
	status, message string
}

// fillPipelineGaps answers GetPipelineState and ListPipelineExecutions, which
// moto 5.2 lacks: stage names come from the pipeline moto holds (so a missing
// pipeline is moto's own error), states from the test.
func (w *world) fillPipelineGaps(stages map[string]stageRun, commit, summary string) {
	w.gap.Handle(pipelineTarget+"GetPipelineState", func(body map[string]any) (any, error) {
		p, err := w.gap.Forward("codepipeline", pipelineTarget+"GetPipeline", map[string]any{"name": body["name"]})
		if err != nil {
			return nil, &motogap.Error{Status: 400, Code: "PipelineNotFoundException", Msg: err.Error()}
		}
		var states []any
		for _, s := range p["pipeline"].(map[string]any)["stages"].([]any) {
			name := s.(map[string]any)["name"].(string)
			run, ok := stages[name]
			if !ok {
				states = append(states, map[string]any{"stageName": name})
				continue
			}
			action := map[string]any{"status": run.status, "lastStatusChange": float64(time.Now().Unix())}
			if run.message != "" {
				action["errorDetails"] = map[string]any{"code": "JobFailed", "message": run.message}
			}
			states = append(states, map[string]any{
				"stageName":       name,
				"latestExecution": map[string]any{"pipelineExecutionId": "e-1", "status": run.status},
				"actionStates":    []any{map[string]any{"actionName": name, "latestExecution": action}},
			})
		}
		return map[string]any{"pipelineName": body["name"], "stageStates": states}, nil
	})
	w.gap.Handle(pipelineTarget+"ListPipelineExecutions", func(body map[string]any) (any, error) {
		return map[string]any{"pipelineExecutionSummaries": []any{map[string]any{
			"pipelineExecutionId": "e-1", "status": "Failed", "startTime": float64(time.Now().Add(-time.Hour).Unix()),
			"sourceRevisions": []any{map[string]any{"actionName": "GitHub", "revisionId": commit, "revisionSummary": summary}},
		}}}, nil
	})
}

// fillDoctorGaps answers what moto 5.2 cannot: the GitHub connection's
// status (no CodeConnections), the hosts' Systems Manager registration (no
// DescribeInstanceInformation), and what the probe printed on each host (Run
// Command runs nothing; moto keeps the command, its output comes from here).
func (w *world) fillDoctorGaps(connection string, online []string, printed map[string]string) {
	w.gap.Handle("CodeConnections_20231201.GetConnection", func(body map[string]any) (any, error) {
		return map[string]any{"Connection": map[string]any{"ConnectionName": "web-github", "ConnectionArn": body["ConnectionArn"],
			"ConnectionStatus": connection, "ProviderType": "GitHub"}}, nil
	})
	w.gap.Handle("AmazonSSM.DescribeInstanceInformation", func(body map[string]any) (any, error) {
		var list []any
		for _, id := range online {
			list = append(list, map[string]any{"InstanceId": id, "PingStatus": "Online", "AgentVersion": "3.3.1142.0"})
		}
		return map[string]any{"InstanceInformationList": list}, nil
	})
	// moto adds every instance of the region to a command sent without
	// targets: record what the command asked for. Both go on to moto as
	// their caller, in the caller's account and Region.
	w.gap.HandleCaller("AmazonSSM.SendCommand", func(auth string, body map[string]any) (any, error) {
		w.mu.Lock()
		w.sent = append(w.sent, body)
		w.mu.Unlock()
		return w.gap.ForwardAs(auth, "AmazonSSM.SendCommand", body)
	})
	w.gap.HandleCaller("AmazonSSM.GetCommandInvocation", func(auth string, body map[string]any) (any, error) {
		out, err := w.gap.ForwardAs(auth, "AmazonSSM.GetCommandInvocation", body)
		if err != nil {
			return nil, err
		}
		out["StandardOutputContent"] = printed[body["InstanceId"].(string)]
		return out, nil
	})
}
