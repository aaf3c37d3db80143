package realhost_test

import (
	"testing"
)

// TestFirstDeployment deploys a release on a fresh host: ApplicationStop is
// skipped, the app serves the release through the proxy on HTTP_PORT, and
// every parameter reaches the container's environment byte for byte.
func TestFirstDeployment(t *testing.T) {
	s := newScenario(t, "first")
	s.setParams(testSettings)
	rev := s.revision(s.release(release{Version: "v1"}))
	d := s.mustDeploy(rev)
	s.fig.Deploy, s.fig.Outcome = d.Duration(), "succeeded"
	if h := d.Hook("ApplicationStop"); h != nil {
		t.Errorf("ApplicationStop ran on the first deployment (from %s)", h.Archive)
	}
	s.requireServing("v1")
	env := s.containerEnv()
	for rel, want := range s.params {
		if got, ok := env[settingKey(rel)]; !ok || got != want {
			t.Errorf("parameter %s: the container has %s=%q (set: %v), want %q", s.paramPath+rel, settingKey(rel), got, ok, want)
		}
	}
}
