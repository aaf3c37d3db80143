package realhost_test

import (
	"strings"
	"testing"
	"time"
)

// TestEnvironmentInAnotherRegion deploys to a host of an environment in
// another Region than the build's: its parameters, and its log group, exist
// only in that Region of the emulator. With REGIONS naming the host's
// deployment group, AfterInstall reads the parameters there (the app serves
// on the HTTP_PORT read there) and the containers log to the group there.
// The next release, built without REGIONS, looks in the build's Region,
// finds nothing and fails at AfterInstall; the live release keeps serving.
func TestEnvironmentInAnotherRegion(t *testing.T) {
	const region = "eu-west-1"
	s := newScenario(t, "other-region")
	s.setParams(map[string]string{"GREETING": "from " + region})
	s.moveTo(region)
	vars := map[string]string{"REGIONS": s.app + "-staging=" + testRegion + " " + s.host.GroupName + "=" + region}
	group := ""
	if s.eng.ownDaemon {
		group = "/shipline/" + s.app + "/production"
		s.createLogGroup(group)
		vars["LOG_GROUPS"] = s.host.GroupName + "=" + group
		// A test hook: hosts use the regional endpoint.
		s.host.Env = append(s.host.Env, "SHIPLINE_LOGS_ENDPOINT="+s.eng.moto.Endpoint)
	} else {
		t.Logf("the engine at %s was not started by the tests, so its daemon has no credentials for the emulator's CloudWatch Logs: not checking the logs (SHIPLINE_TEST_ENGINE=own does)", s.eng.dockerHost)
	}

	d := s.mustDeploy(s.render(s.release(release{Version: "v1"}), vars, nil))
	s.fig.Deploy, s.fig.Outcome = d.Duration(), "succeeded; parameters read in "+region
	if want := "reading parameters under " + s.paramPath + " in " + region; !strings.Contains(d.Hook("AfterInstall").Output, want) {
		t.Errorf("AfterInstall does not say %q:\n%s", want, d.Output())
	}
	s.requireServing("v1")
	if got := s.containerEnv()["GREETING"]; got != "from "+region {
		t.Errorf("the app has GREETING=%q, want the parameter of %s", got, region)
	}
	if group != "" {
		s.waitLogLine(group, "", "release v1 listening", 60*time.Second)
	}

	delete(vars, "REGIONS")
	d = s.deploy(s.render(s.release(release{Version: "v2"}), vars, nil))
	if want := "no parameters under " + s.paramPath + " in " + testRegion; d.Succeeded() || d.Failed != "AfterInstall" || !strings.Contains(d.Output(), want) {
		t.Errorf("the release built without REGIONS: failed at %q, want AfterInstall with %q:\n%s", d.Failed, want, d.Output())
	}
	s.requireServing("v1")
}
