package realhost_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// logScenario is a scenario whose containers log through Docker's awslogs
// driver to endpoint (the emulator's CloudWatch Logs, or an address where
// nothing answers), in group.
func logScenario(t *testing.T, name, endpoint string) (*scenario, string) {
	t.Helper()
	s := newScenario(t, name)
	if !s.eng.ownDaemon {
		t.Skipf("the engine at %s was not started by the tests, so its daemon has no credentials for the emulator's CloudWatch Logs: run with SHIPLINE_TEST_ENGINE=own (CI does)", s.eng.dockerHost)
	}
	if endpoint == "" {
		endpoint = s.eng.moto.Endpoint
	}
	// A test hook: hosts use the regional endpoint.
	s.host.Env = append(s.host.Env, "SHIPLINE_LOGS_ENDPOINT="+endpoint)
	return s, "/shipline/" + s.app + "/production"
}

// createLogGroup creates group in the emulator, in the environment's Region,
// as the stack does, for the scenario's time.
func (s *scenario) createLogGroup(group string) {
	s.t.Helper()
	region := s.region
	if _, err := s.eng.moto.JSONIn(region, "logs", "Logs_20140328.CreateLogGroup", map[string]string{"logGroupName": group}); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		_, _ = s.eng.moto.JSONIn(region, "logs", "Logs_20140328.DeleteLogGroup", map[string]string{"logGroupName": group})
	})
}

// logEvent is an event of a log group, as FilterLogEvents returns it.
type logEvent struct {
	LogStreamName string `json:"logStreamName"`
	Message       string `json:"message"`
}

// logEvents are the events of group in the emulator's CloudWatch Logs, in
// the environment's Region.
func (s *scenario) logEvents(group string) ([]logEvent, error) {
	var all []logEvent
	token := ""
	for {
		req := map[string]any{"logGroupName": group}
		if token != "" {
			req["nextToken"] = token
		}
		body, err := s.eng.moto.JSONIn(s.region, "logs", "Logs_20140328.FilterLogEvents", req)
		if err != nil {
			return nil, err
		}
		var page struct {
			Events    []logEvent `json:"events"`
			NextToken string     `json:"nextToken"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Events...)
		if page.NextToken == "" || page.NextToken == token {
			return all, nil
		}
		token = page.NextToken
	}
}

// waitLogLine waits up to timeout for a line holding want in a stream of
// group whose name ends with streamSuffix; it returns the wait and the
// stream.
func (s *scenario) waitLogLine(group, streamSuffix, want string, timeout time.Duration) (time.Duration, string) {
	s.t.Helper()
	start := time.Now()
	for {
		events, err := s.logEvents(group)
		for _, e := range events {
			if strings.HasSuffix(e.LogStreamName, streamSuffix) && strings.Contains(e.Message, want) {
				return time.Since(start), e.LogStreamName
			}
		}
		if time.Since(start) > timeout {
			s.t.Fatalf("after %s no line with %q in a stream *%s of %s (last error %v); events: %v", timeout, want, streamSuffix, group, err, events)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestLogsReachCloudWatch deploys two releases whose containers log to the
// emulator's CloudWatch Logs: the app's lines and the proxy's access log
// arrive in the stack's group, a stream per host and service (per release
// for the app), docker logs still shows them, and the second release goes
// out under load without a failed request or a new proxy.
func TestLogsReachCloudWatch(t *testing.T) {
	s, group := logScenario(t, "logs", "")
	s.createLogGroup(group)
	vars := map[string]string{"LOG_GROUPS": s.host.GroupName + "=" + group + " " + s.app + "-staging=/shipline/" + s.app + "/staging"}
	d := s.mustDeploy(s.render(s.release(release{Version: "v1"}), vars, nil))
	if !strings.Contains(d.Output(), "the services log to CloudWatch Logs group "+group) {
		t.Errorf("AfterInstall does not say where the logs go:\n%s", d.Output())
	}
	s.requireServing("v1")
	proxy := s.containerOf(s.app, "nginx")
	s.requireLogDriver(proxy, "awslogs")

	probe := fmt.Sprintf("/?probe=%d", time.Now().UnixNano())
	if _, err := s.get(probe); err != nil {
		t.Fatal(err)
	}
	access, stream := s.waitLogLine(group, "/nginx", "GET "+probe, 60*time.Second)
	t.Logf("the proxy's access line reached CloudWatch Logs (stream %s) %.1fs after the request", stream, access.Seconds())
	_, appStream := s.waitLogLine(group, "", "release v1 listening", 60*time.Second)
	if strings.Count(appStream, "/") != 2 || !strings.Contains(appStream, "/app/") {
		t.Errorf("the app logs to stream %s, want <host>/app/<release>", appStream)
	}
	if logs, err := s.eng.docker("logs", proxy); err != nil || !strings.Contains(logs, probe) {
		t.Errorf("docker logs of the proxy lacks the request %s (%v):\n%s", probe, err, logs)
	}

	rev2 := s.render(s.release(release{Version: "v2"}), vars, nil)
	r := s.underLoad(func() { s.measure(s.mustDeploy(rev2)) })
	s.requireServing("v2")
	if r.Failed > 0 {
		t.Errorf("%d of %d requests failed during the redeploy: %v", r.Failed, r.Sent, r.Errors)
	}
	if got := s.containerOf(s.app, "nginx"); got != proxy {
		t.Errorf("the proxy was recreated by the second release (%s, was %s): its logging must not change between releases", got, proxy)
	}
	_, v2Stream := s.waitLogLine(group, "", "release v2 listening", 60*time.Second)
	if v2Stream == appStream {
		t.Errorf("releases v1 and v2 share the stream %s", v2Stream)
	}
	s.fig.Outcome = fmt.Sprintf("succeeded; access line in CloudWatch %.1f s after the request", access.Seconds())
}

// TestLogsCloudWatchUnreachable deploys with CloudWatch Logs unreachable
// (nothing listens on the endpoint): the awslogs driver's non-blocking mode
// keeps the containers starting and serving, so the deployments succeed,
// no request fails, and docker logs still shows the app's lines.
func TestLogsCloudWatchUnreachable(t *testing.T) {
	s, group := logScenario(t, "logs-unreachable", fmt.Sprintf("http://127.0.0.1:%d", freePort(t)))
	vars := map[string]string{"LOG_GROUP": group}
	d := s.mustDeploy(s.render(s.release(release{Version: "v1"}), vars, nil))
	if !strings.Contains(d.Output(), "the services log to CloudWatch Logs group "+group) {
		t.Fatalf("the release does not log to CloudWatch Logs:\n%s", d.Output())
	}
	s.requireServing("v1")
	rev2 := s.render(s.release(release{Version: "v2"}), vars, nil)
	r := s.underLoad(func() { s.measure(s.mustDeploy(rev2)) })
	s.requireServing("v2")
	if r.Failed > 0 {
		t.Errorf("%d of %d requests failed while CloudWatch Logs was unreachable: %v", r.Failed, r.Sent, r.Errors)
	}
	app := s.containerOf(s.app+"-green", "app")
	s.requireLogDriver(app, "awslogs")
	if logs, err := s.eng.docker("logs", app); err != nil || !strings.Contains(logs, "release v2 listening") {
		t.Errorf("docker logs of the app lacks its start line (%v):\n%s", err, logs)
	}
	s.fig.Outcome = "succeeded with CloudWatch Logs unreachable"
}

// requireLogDriver fails the test unless container logs through driver.
func (s *scenario) requireLogDriver(container, driver string) {
	s.t.Helper()
	out, err := s.eng.docker("inspect", "--format", "{{.HostConfig.LogConfig.Type}}", container)
	if err != nil || strings.TrimSpace(out) != driver {
		s.t.Errorf("container %s logs through %q (%v), want %s", container, strings.TrimSpace(out), err, driver)
	}
}

// containerOf is the id of the running container of a compose service.
func (s *scenario) containerOf(project, service string) string {
	s.t.Helper()
	out, err := s.eng.docker("ps", "--quiet", "--filter", "label=com.docker.compose.project="+project, "--filter", "label=com.docker.compose.service="+service)
	if err != nil || strings.TrimSpace(out) == "" {
		s.t.Fatalf("no running %s container in project %s (%v)", service, project, err)
	}
	return strings.TrimSpace(out)
}

// TestLogsSwitchedOn deploys a release with a log group after one without
// (an upgrade, or a stack that gained a group): the proxy's definition
// changes, so compose recreates it once; the deployment succeeds and every
// service logs through the awslogs driver from then on. The requests that
// fail while the proxy restarts are the figure.
func TestLogsSwitchedOn(t *testing.T) {
	s, group := logScenario(t, "logs-on", "")
	s.createLogGroup(group)
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	s.requireLogDriver(s.containerOf(s.app, "nginx"), "json-file")
	rev2 := s.render(s.release(release{Version: "v2"}), map[string]string{"LOG_GROUP": group}, nil)
	s.underLoad(func() { s.measure(s.mustDeploy(rev2)) })
	s.requireServing("v2")
	s.requireLogDriver(s.containerOf(s.app, "nginx"), "awslogs")
	s.requireLogDriver(s.containerOf(s.app+"-green", "app"), "awslogs")
	s.waitLogLine(group, "", "release v2 listening", 60*time.Second)
	s.fig.Outcome = "succeeded; the proxy was recreated once"
}
