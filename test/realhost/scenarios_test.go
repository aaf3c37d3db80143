package realhost_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRedeployUnderLoad deploys the next release while requests flow: the
// deployment succeeds, the host serves the new release and no request fails.
func TestRedeployUnderLoad(t *testing.T) {
	s := newScenario(t, "redeploy")
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	s.requireServing("v1")
	rev2 := s.revision(s.release(release{Version: "v2"}))
	r := s.underLoad(func() { s.measure(s.mustDeploy(rev2)) })
	s.requireServing("v2")
	if r.Bodies["v2"] == 0 {
		t.Errorf("the load loop never got an answer from v2: %v", r.Bodies)
	}
	if r.Failed > 0 {
		t.Errorf("%d of %d requests failed during the redeploy: %v", r.Failed, r.Sent, r.Errors)
	}
}

// requireNoFailedRequest fails the test when a request of the scenario's
// load loops failed.
func (s *scenario) requireNoFailedRequest() {
	s.t.Helper()
	if s.fig.Failed > 0 {
		s.t.Errorf("%d of %d requests failed", s.fig.Failed, s.fig.Sent)
	}
}

// TestReleaseNeverHealthy deploys a release whose health check always fails:
// the deployment fails within the health timeout plus 15 s, saying which
// timeout applied and showing that release's log, and the live release keeps
// serving every request.
func TestReleaseNeverHealthy(t *testing.T) {
	const timeout = 20 * time.Second
	s := newScenario(t, "never-healthy")
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	bad := s.render(s.release(release{Version: "v2", Unhealthy: true}),
		map[string]string{"HEALTH_TIMEOUT": fmt.Sprint(timeout.Seconds())}, nil)
	d := s.deployBad(bad, "a release that never turns healthy")
	s.requireNoFailedRequest()
	s.requireServing("v1")
	h := d.Hook("ApplicationStart")
	if d.Failed != "ApplicationStart" || h == nil {
		t.Fatalf("the deployment failed at %q, want ApplicationStart", d.Failed)
	}
	if took := h.End.Sub(h.Start); took > timeout+15*time.Second {
		t.Errorf("ApplicationStart failed after %.1fs, want within the health timeout (%s) plus 15 s", took.Seconds(), timeout)
	}
	if want := fmt.Sprintf("within %.0fs (HEALTH_TIMEOUT", timeout.Seconds()); !strings.Contains(h.Output, want) {
		t.Errorf("the failure does not state the timeout that applied (%q):\n%s", want, h.Output)
	}
	if !strings.Contains(h.Output, "release v2 listening") || strings.Contains(h.Output, "release v1") {
		t.Errorf("the hook's output does not show the failed release's own log lines:\n%s", h.Output)
	}
}

// TestImageCannotBePulled deploys a revision whose image is not in the
// registry: the deployment must fail.
func TestImageCannotBePulled(t *testing.T) {
	s := newScenario(t, "image-missing")
	v1 := s.release(release{Version: "v1"})
	s.mustDeploy(s.revision(v1))
	missing := v1[:strings.Index(v1, "@")] + "@sha256:" + strings.Repeat("0", 64)
	s.deployBad(s.revision(missing), "an image that is not in the registry")
	s.requireNoFailedRequest()
	s.requireServing("v1")
}

// TestSettingsMissingOrUnreadable deploys a release whose parameter path
// holds nothing, then one the host may not read: both deployments must fail.
func TestSettingsMissingOrUnreadable(t *testing.T) {
	s := newScenario(t, "settings")
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	v2 := s.release(release{Version: "v2"})
	empty := s.render(v2, map[string]string{"PARAMETER_PATH": "/" + s.app + "-nothing-here/"}, nil)
	readable := s.revision(v2)
	denied, err := s.eng.moto.CreateUser(s.app+"-ecr-only",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	s.underLoad(func() {
		d := s.deploy(empty)
		s.measure(d)
		if d.Succeeded() {
			t.Errorf("a deployment with no parameters under its path succeeded")
		}
		env := s.host.Env
		s.host.Env = append(append([]string{}, env...), "AWS_ACCESS_KEY_ID="+denied.ID, "AWS_SECRET_ACCESS_KEY="+denied.Secret)
		defer func() { s.host.Env = env }()
		if err := s.eng.moto.EnforceAuth(true); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := s.eng.moto.EnforceAuth(false); err != nil {
				t.Error(err)
			}
		}()
		if d := s.deploy(readable); d.Succeeded() {
			t.Errorf("a deployment whose host may not read Parameter Store succeeded")
		} else if d.Failed != "AfterInstall" {
			t.Errorf("the deployment without Parameter Store access failed at %s, want AfterInstall", d.Failed)
		}
	})
	s.requireNoFailedRequest()
	s.requireServing("v1")
}

// TestRollbackWithRegistryStopped fails a release, stops the registry, cuts
// the host off Parameter Store and redeploys the previous revision, as
// CodeDeploy's automatic rollback does: the host kept its image and settings,
// so the rollback succeeds without a failed request.
func TestRollbackWithRegistryStopped(t *testing.T) {
	s := newScenario(t, "rollback-offline")
	rev1 := s.revision(s.release(release{Version: "v1"}))
	s.mustDeploy(rev1)
	bad := s.revision(s.release(release{Version: "v2", Unhealthy: true}))
	s.underLoad(func() {
		if d := s.deploy(bad); d.Succeeded() {
			t.Fatalf("the deployment of a release that never turns healthy succeeded")
		}
		s.eng.ctl(t, "stop-registry")
		defer s.eng.ctl(t, "start-registry")
		if resp, err := client.Get("http://" + s.eng.registry + "/v2/"); err == nil {
			resp.Body.Close()
			t.Fatalf("the registry still answers after it was stopped")
		}
		env := s.host.Env
		s.host.Env = append(append([]string{}, env...), fmt.Sprintf("AWS_ENDPOINT_URL=http://localhost:%d", freePort(t)))
		d := s.deploy(rev1)
		s.host.Env = env
		s.measure(d)
		if !d.Succeeded() {
			t.Fatalf("the rollback without registry and Parameter Store failed: %v\n%s", d.Err, d.Output())
		}
		if out := d.Hook("AfterInstall").Output; !strings.Contains(out, "using the settings kept with this release") {
			t.Errorf("AfterInstall did not say it used the kept settings:\n%s", out)
		}
	})
	s.requireNoFailedRequest()
	s.requireServing("v1")
}

// TestDaemonStoppedBeforeApplicationStop deploys while the docker daemon is
// down, then again once it is back: that deployment must succeed.
func TestDaemonStoppedBeforeApplicationStop(t *testing.T) {
	s := newScenario(t, "daemon-down")
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	rev2 := s.revision(s.release(release{Version: "v2"}))
	s.eng.ctl(t, "stop-daemon")
	restarted := false
	defer func() {
		if !restarted {
			s.eng.ctl(t, "start-daemon")
		}
	}()
	d := s.deploy(rev2)
	s.measure(d)
	t.Logf("with the daemon down the deployment %s", s.fig.Outcome)
	if h := d.Hook("ApplicationStop"); h == nil || h.ExitCode != 0 || d.Failed == "ApplicationStop" {
		t.Errorf("ApplicationStop blocked the deployment with the daemon down (failed at %q):\n%s", d.Failed, d.Output())
	}
	s.eng.ctl(t, "start-daemon")
	restarted = true
	if d := s.deploy(rev2); !d.Succeeded() {
		t.Fatalf("the deployment after the daemon came back failed: %v\n%s", d.Err, d.Output())
	}
	s.requireServing("v2")
}

// TestHostReboot restarts the docker daemon under load after a switch: the
// live release and the proxy come back by themselves, without a deployment,
// and the proxy sends requests to the release that was live.
func TestHostReboot(t *testing.T) {
	s := newScenario(t, "reboot")
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	s.mustDeploy(s.revision(s.release(release{Version: "v2"})))
	s.underLoad(func() {
		s.eng.ctl(t, "stop-daemon")
		s.eng.ctl(t, "start-daemon")
		_, err := s.waitServing("v2", 90*time.Second)
		if err != nil {
			t.Errorf("the app did not come back after the daemon restarted: %v", err)
			s.fig.Outcome = "did not come back"
			return
		}
		s.fig.Outcome = "came back"
	})
}

// TestSameRevisionTwice deploys the same revision twice in a row: both
// deployments succeed and the release keeps serving.
func TestSameRevisionTwice(t *testing.T) {
	s := newScenario(t, "same-twice")
	rev := s.revision(s.release(release{Version: "v1"}))
	s.mustDeploy(rev)
	s.underLoad(func() { s.measure(s.mustDeploy(rev)) })
	s.requireServing("v1")
	s.requireNoFailedRequest()
}
