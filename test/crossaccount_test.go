package test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shipline/shipline/internal/motoserver"
)

// sampleEvent is an event as EventBridge delivers it, in the shape of the
// samples of the CloudWatch user guide ("Alarm events and EventBridge") and
// the CodeDeploy user guide ("Monitoring deployments with Amazon
// EventBridge"); a forwarded event keeps its account and resources.
func sampleEvent(kind, account, name, state string) map[string]any {
	ev := map[string]any{
		"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "time": "2026-12-01T10:00:00Z",
		"region": "eu-west-1", "account": account,
	}
	if kind == "alarm" {
		ev["source"], ev["detail-type"] = "aws.cloudwatch", "CloudWatch Alarm State Change"
		ev["resources"] = []any{"arn:aws:cloudwatch:eu-west-1:" + account + ":alarm:" + name}
		ev["detail"] = map[string]any{
			"alarmName":     name,
			"state":         map[string]any{"value": state, "reason": "Threshold Crossed", "timestamp": "2026-12-01T10:00:00.000+0000"},
			"previousState": map[string]any{"value": "OK", "reason": "", "timestamp": "2026-12-01T09:00:00.000+0000"},
		}
		return ev
	}
	ev["source"], ev["detail-type"] = "aws.codedeploy", "CodeDeploy Deployment State-change Notification"
	ev["resources"] = []any{
		"arn:aws:codedeploy:eu-west-1:" + account + ":application:myapp",
		"arn:aws:codedeploy:eu-west-1:" + account + ":deploymentgroup:myapp/" + name,
	}
	ev["detail"] = map[string]any{
		"region": "eu-west-1", "application": "myapp", "deploymentGroup": name,
		"deploymentId": "d-ABCDEF123", "instanceGroupId": "9fd2fbef-2157-40d8-91e7-6845af69e2d2", "state": state,
	}
	return ev
}

// TestCrossAccountEventPatterns: the rules of production's stack and the
// pipeline's rules for production's events match what they must and
// nothing else, as EventBridge's pattern matching (moto's) decides, on events shaped like AWS's samples; the mirrors' metric
// filters read fields those events have.
func TestCrossAccountEventPatterns(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	target := templateOf(t, r, *r.pipeline.Environments[1].Target.StackName())
	m := newMatcher(t)

	const prod, other = testTargetAccount, "333333333333"
	events := map[string]map[string]any{
		"5xx ALARM":            sampleEvent("alarm", prod, "myapp-production-target-5xx", "ALARM"),
		"unhealthy ALARM":      sampleEvent("alarm", prod, "myapp-production-unhealthy-hosts", "ALARM"),
		"5xx OK":               sampleEvent("alarm", prod, "myapp-production-target-5xx", "OK"),
		"other alarm ALARM":    sampleEvent("alarm", prod, "billing", "ALARM"),
		"other account ALARM":  sampleEvent("alarm", other, "myapp-production-target-5xx", "ALARM"),
		"deployment FAILURE":   sampleEvent("deployment", prod, "myapp-production", "FAILURE"),
		"deployment STOP":      sampleEvent("deployment", prod, "myapp-production", "STOP"),
		"deployment SUCCESS":   sampleEvent("deployment", prod, "myapp-production", "SUCCESS"),
		"other group FAILURE":  sampleEvent("deployment", prod, "myapp-staging", "FAILURE"),
		"other account FAILED": sampleEvent("deployment", other, "myapp-production", "FAILURE"),
	}
	// Rule (by description) and the events it must match; it must match no other.
	want := map[string][]string{
		// Production's account: every change of its alarms, and its
		// failed or stopped deployments (it sees events of its own account only).
		"State changes of the deployment group's alarms, to the pipeline account": {"5xx ALARM", "unhealthy ALARM", "5xx OK"},
		"Failed and stopped deployments of the group, to the pipeline account":    {"deployment FAILURE", "deployment STOP", "other account FAILED"},
		// The pipeline's account: production's events only.
		"Tells which alarm of production (account 222222222222) went into ALARM":        {"5xx ALARM", "unhealthy ALARM"},
		"Tells which deployment of production (account 222222222222) failed or stopped": {"deployment FAILURE", "deployment STOP"},
		"State changes of the alarms of production, for their mirrors":                  {"5xx ALARM", "unhealthy ALARM", "5xx OK"},
	}
	var names []string
	var evs []map[string]any
	for name, ev := range events {
		names, evs = append(names, name), append(evs, ev)
	}
	var descs, patterns []string
	for _, tmpl := range []map[string]any{target, r.tmpl} {
		for _, rule := range resourcesOf(tmpl, "AWS::Events::Rule") {
			desc, _ := rule.props()["Description"].(string)
			if _, ok := want[desc]; ok {
				descs = append(descs, desc)
				patterns = append(patterns, fullJSON(resolveAlarmArns(tmpl, rule.props()["EventPattern"])))
			}
		}
	}
	for i, row := range m.matches(t, patterns, evs) {
		for j, got := range row {
			if wanted := contains(want[descs[i]], names[j]); got != wanted {
				t.Errorf("rule %q on %s: matched %v, want %v\npattern %s", descs[i], names[j], got, wanted, patterns[i])
			}
		}
	}
	seen := len(descs)
	if seen != len(want) {
		t.Errorf("found %d of the %d rules", seen, len(want))
	}

	// The mirrors' metric filters: 1 for ALARM, 0 for any other state,
	// with the dimensions the mirror alarms select.
	for _, f := range resourcesOf(r.tmpl, "AWS::Logs::MetricFilter") {
		pattern, _ := f.props()["FilterPattern"].(string)
		tr := listOf(f.props()["MetricTransformations"])[0].(map[string]any)
		for _, name := range []string{"5xx ALARM", "5xx OK"} {
			ev := events[name]
			if jsonFilterMatches(t, pattern, ev) != (tr["MetricValue"] == map[bool]string{true: "1", false: "0"}[strings.HasSuffix(name, "ALARM")]) {
				t.Errorf("metric filter %s (value %v) on %s: wrong match", pattern, tr["MetricValue"], name)
			}
			for _, d := range listOf(tr["Dimensions"]) {
				path := d.(map[string]any)["Value"].(string)
				if v := lookup(ev, path); v == "" {
					t.Errorf("metric filter dimension %s: no value in the event", path)
				}
			}
		}
	}
}

// matcher runs EventBridge pattern matching as moto implements it (the
// emulator's TestEventPattern API is a stub; its rules use this matcher).
type matcher struct{ python string }

// newMatcher finds a Python that imports moto: moto_server's own, then
// python3. Without one the test is skipped, or failed in CI.
func newMatcher(t *testing.T) matcher {
	t.Helper()
	var candidates []string
	if out, err := exec.Command("pyenv", "which", "moto_server").Output(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "python"))
	}
	if path, err := exec.LookPath("moto_server"); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(path), "python"))
	}
	candidates = append(candidates, "python3")
	for _, py := range candidates {
		cmd := exec.Command(py, "-c", "import moto.events.models")
		cmd.Dir = os.TempDir()
		if cmd.Run() == nil {
			return matcher{py}
		}
	}
	if motoserver.CI() {
		t.Fatal("no Python with moto: install moto[server]")
	}
	t.Skip("no Python with moto; install moto[server] to run this test")
	return matcher{}
}

// matches tells, for each pattern and each event, whether the pattern
// matches the event (one Python process for all).
func (m matcher) matches(t *testing.T, patterns []string, events []map[string]any) [][]bool {
	t.Helper()
	const script = `import json, sys
from moto.events.models import EventPattern
req = json.load(sys.stdin)
json.dump([[EventPattern.load(p).matches_event(e) for e in req["events"]] for p in req["patterns"]], sys.stdout)`
	cmd := exec.Command(m.python, "-c", script)
	cmd.Dir = os.TempDir()
	cmd.Stdin = strings.NewReader(fullJSON(map[string]any{"patterns": patterns, "events": events}))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("moto's pattern matcher: %v", err)
	}
	var res [][]bool
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(patterns) {
		t.Fatalf("moto's pattern matcher answered %s: %v", out, err)
	}
	return res
}

// resolveAlarmArns replaces the Arn of an alarm of the template by the ARN
// its AlarmName gives it in production's account.
func resolveAlarmArns(tmpl map[string]any, v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = resolveAlarmArns(tmpl, item)
		}
		return out
	case map[string]any:
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" && typeOf(tmpl, ga[0].(string)) == "AWS::CloudWatch::Alarm" {
			return fmt.Sprintf("arn:aws:cloudwatch:eu-west-1:%s:alarm:%v", testTargetAccount, resourcesByID(tmpl)[ga[0].(string)].props()["AlarmName"])
		}
		out := map[string]any{}
		for k, val := range x {
			out[k] = resolveAlarmArns(tmpl, val)
		}
		return out
	}
	return v
}

// jsonFilterMatches evaluates the one form of CloudWatch Logs JSON filter
// pattern the mirrors use: { $.a.b = "v" } or { $.a.b != "v" }.
func jsonFilterMatches(t *testing.T, pattern string, ev map[string]any) bool {
	t.Helper()
	m := regexp.MustCompile(`^\{ (\$\.[\w.-]+) (!?=) "([^"]*)" \}$`).FindStringSubmatch(pattern)
	if m == nil {
		t.Fatalf("metric filter pattern %q: not of the form this test reads", pattern)
	}
	return (lookup(ev, m[1]) == m[3]) == (m[2] == "=")
}

// lookup is the string at a JSON path such as $.detail.state.value.
func lookup(v any, path string) string {
	for _, k := range strings.Split(strings.TrimPrefix(path, "$."), ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
