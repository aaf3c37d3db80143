package realhost_test

import (
	"strings"
	"testing"
)

// TestFirstDeployment deploys a release on a fresh host: ApplicationStop is
// skipped, the app serves the release through the proxy on HTTP_PORT, and
// every parameter reaches the container's environment byte for byte, and
// a build secret under the app's path does not.
func TestFirstDeployment(t *testing.T) {
	s := newScenario(t, "first")
	s.setParams(testSettings)
	// A build secret under the app's path never reaches the app.
	const buildSecret = "build/NPM_TOKEN"
	if err := s.eng.moto.PutParameter(s.paramPath+buildSecret, "SecureString", "s3cr3t-build-token"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.eng.moto.DeleteParameter(s.paramPath + buildSecret) })
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
	for k, v := range env {
		if strings.Contains(v, "s3cr3t-build-token") {
			t.Errorf("the build secret %s reached the app as %s", s.paramPath+buildSecret, k)
		}
	}
}
