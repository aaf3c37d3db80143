package realhost_test

import (
	"strings"
	"testing"
	"time"
)

// TestRedeployUnderLoad deploys the next release while requests flow: the
// deployment succeeds and the host serves the new release.
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
}

// TestReleaseNeverHealthy deploys a release whose health check always fails:
// the deployment must fail.
func TestReleaseNeverHealthy(t *testing.T) {
	s := newScenario(t, "never-healthy")
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	s.deployBad(s.revision(s.release(release{Version: "v2", Unhealthy: true})), "a release that never turns healthy")
}

// TestImageCannotBePulled deploys a revision whose image is not in the
// registry: the deployment must fail.
func TestImageCannotBePulled(t *testing.T) {
	s := newScenario(t, "image-missing")
	v1 := s.release(release{Version: "v1"})
	s.mustDeploy(s.revision(v1))
	missing := v1[:strings.Index(v1, "@")] + "@sha256:" + strings.Repeat("0", 64)
	s.deployBad(s.revision(missing), "an image that is not in the registry")
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
	t.Logf("after the failed deployments the host serves %s", s.serving())
}

// TestRollbackWithRegistryStopped fails a release, stops the registry and
// redeploys the previous revision, as CodeDeploy's automatic rollback does.
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
		d := s.deploy(rev1)
		s.measure(d)
		if d.Succeeded() {
			if _, err := s.waitServing("v1", 10*time.Second); err != nil {
				t.Errorf("the rollback succeeded but: %v", err)
			}
		}
	})
	t.Logf("after the rollback the host serves %s", s.serving())
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
	s.eng.ctl(t, "start-daemon")
	restarted = true
	if d := s.deploy(rev2); !d.Succeeded() {
		t.Fatalf("the deployment after the daemon came back failed: %v\n%s", d.Err, d.Output())
	}
	s.requireServing("v2")
}

// TestHostReboot restarts the docker daemon under load: the app must come
// back by itself, without a deployment.
func TestHostReboot(t *testing.T) {
	s := newScenario(t, "reboot")
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	s.underLoad(func() {
		s.eng.ctl(t, "stop-daemon")
		s.eng.ctl(t, "start-daemon")
		_, err := s.waitServing("v1", 90*time.Second)
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
}
