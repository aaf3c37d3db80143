package realhost_test

import (
	"fmt"
	"strings"
	"testing"
)

// Scenarios of how a release moves through a host: settings, the services
// of an app's own compose file, the host's release bookkeeping.

// TestAfterInstallWithManyParameters deploys an app with 100 parameters and
// records how long AfterInstall took: it reads them in one call.
func TestAfterInstallWithManyParameters(t *testing.T) {
	s := newScenario(t, "params-100")
	params := map[string]string{}
	for i := len(s.params); i < 100; i++ {
		params[fmt.Sprintf("SETTING_%03d", i)] = fmt.Sprintf("value %d with 'quotes', spaces and $x", i)
	}
	s.setParams(params)
	d := s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	h := d.Hook("AfterInstall")
	took := h.End.Sub(h.Start)
	s.fig.Deploy = d.Duration()
	s.fig.Outcome = fmt.Sprintf("succeeded; AfterInstall %.1f s with %d parameters", took.Seconds(), len(s.params))
	t.Logf("AfterInstall with %d parameters: %.1fs", len(s.params), took.Seconds())
	env := s.containerEnv()
	for rel, want := range s.params {
		if got := env[settingKey(rel)]; got != want {
			t.Errorf("%s: the container has %q, want %q", rel, got, want)
		}
	}
}

// ownCompose is an app's own compose file: a worker on the release's image
// and a stateful service on a volume beside the switched app service, behind
// the proxy as the README describes.
const ownCompose = `services:
  app:
    image: ${IMAGE_URI}
    env_file: .env
    restart: unless-stopped
    networks: [default, back]
    volumes: [uploads:/uploads]
  worker:
    image: ${IMAGE_URI}
    environment: {APP_PORT: "9090"}
    restart: unless-stopped
    networks: [back]
  db:
    image: ${DB_IMAGE}
    environment: {APP_PORT: "5432"}
    restart: unless-stopped
    networks: [back]
    volumes: [dbdata:/data]
  nginx:
    image: ${PROXY_IMAGE}
    ports: ["${HTTP_PORT}:80"]
    volumes:
      - ./state/proxy/conf.d:/etc/nginx/conf.d:ro
      - ./state/proxy/upstream:/etc/nginx/shipline:ro
    restart: unless-stopped
networks:
  back: {}
volumes:
  uploads: {}
  dbdata: {}
`

// TestOwnComposeFile deploys two releases of an app with its own compose
// file under load: the app switches without a failed request, the worker
// follows the release, and the stateful service and the proxy, whose
// definitions did not change, keep running untouched.
func TestOwnComposeFile(t *testing.T) {
	s := newScenario(t, "own-compose")
	db := s.release(release{Version: "db"})
	s.setParams(map[string]string{"DB_IMAGE": db})
	repo := map[string]string{"docker-compose.yml": ownCompose}
	s.mustDeploy(s.render(s.release(release{Version: "v1"}), nil, repo))
	s.requireServing("v1")
	before := s.containerIDs()
	rev2 := s.render(s.release(release{Version: "v2"}), nil, repo)
	r := s.underLoad(func() { s.measure(s.mustDeploy(rev2)) })
	s.requireServing("v2")
	if r.Failed > 0 {
		t.Errorf("%d of %d requests failed during the switch", r.Failed, r.Sent)
	}
	after := s.containerIDs()
	for _, svc := range []string{"db", "nginx"} {
		if before[svc] == "" || before[svc] != after[svc] {
			t.Errorf("service %s was recreated (%s, then %s): its definition did not change", svc, before[svc], after[svc])
		}
	}
	if before["worker"] == after["worker"] {
		t.Errorf("the worker still runs the previous release's container %s", after["worker"])
	}
	if n := strings.Count(s.projectContainers(s.app+"-"), "\n"); n != 1 {
		t.Errorf("%d app containers run after the switch, want 1:\n%s", n, s.projectContainers(s.app+"-"))
	}
}

// containerIDs maps the services of the app's main project to their
// running containers.
func (s *scenario) containerIDs() map[string]string {
	s.t.Helper()
	out, err := s.eng.docker("ps", "--filter", "label=com.docker.compose.project="+s.app,
		"--format", `{{.Label "com.docker.compose.service"}} {{.ID}}`)
	if err != nil {
		s.t.Fatal(err)
	}
	ids := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if svc, id, ok := strings.Cut(line, " "); ok {
			ids[svc] = id
		}
	}
	return ids
}

// projectContainers lists the running containers whose compose project
// starts with prefix, one per line.
func (s *scenario) projectContainers(prefix string) string {
	s.t.Helper()
	out, err := s.eng.docker("ps", "--format", `{{.Label "com.docker.compose.project"}} {{.Names}}`)
	if err != nil {
		s.t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// TestRequiredSettingsMissing deploys a release whose required settings are
// not all in Parameter Store: AfterInstall names every missing one at once,
// and the live release keeps serving.
func TestRequiredSettingsMissing(t *testing.T) {
	s := newScenario(t, "required")
	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
	rev := s.render(s.release(release{Version: "v2"}), map[string]string{"REQUIRED_SETTINGS": "APP_PORT SMTP_HOST API_KEY"}, nil)
	r := s.underLoad(func() {
		d := s.deploy(rev)
		s.measure(d)
		if d.Succeeded() || d.Failed != "AfterInstall" {
			t.Fatalf("the deployment failed at %q, want AfterInstall", d.Failed)
		}
		if out := d.Hook("AfterInstall").Output; !strings.Contains(out, "required settings missing under "+s.paramPath+": SMTP_HOST API_KEY") {
			t.Errorf("AfterInstall does not name both missing settings:\n%s", out)
		}
	})
	if r.Failed > 0 {
		t.Errorf("%d of %d requests failed", r.Failed, r.Sent)
	}
	s.requireServing("v1")
}
