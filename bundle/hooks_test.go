package bundle_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplicationStopFirstDeployment(t *testing.T) {
	h := newHost(t)
	h.writeRevision(defaultRelease())
	r := h.run("application-stop.sh")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 on a host with no previous deployment", r.code)
	}
	if !strings.Contains(r.out, "nothing to stop") {
		t.Errorf("output does not say there is nothing to stop:\n%s", r.out)
	}
	if c := strings.Join(h.calls(), "\n"); strings.Contains(c, "docker") {
		t.Errorf("docker called on a first deployment:\n%s", c)
	}
}

func TestApplicationStopRedeployment(t *testing.T) {
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install() // the previous revision is in place and running
	if err := os.WriteFile(filepath.Join(h.deployDir, ".env"), []byte("IMAGE_URI='x'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := h.run("application-stop.sh", "SHIPLINE_STOP_TIMEOUT=12")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	want := "docker compose --project-name web --project-directory " + h.deployDir +
		" --file " + h.deployDir + "/docker-compose.yml --env-file " + h.deployDir + "/.env down --timeout 12 --remove-orphans"
	assertOrder(t, h.calls(), want)
}

func TestApplicationStopToleratesBrokenProject(t *testing.T) {
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install() // no .env: the compose file does not load
	r := h.run("application-stop.sh", "STUB_COMPOSE_DOWN_FAIL=file")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 after stopping the project by name", r.code)
	}
	assertOrder(t, h.calls(), "docker compose --project-name web --project-directory",
		"docker compose --project-name web down --timeout 30")
}

func TestApplicationStopFailure(t *testing.T) {
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install()
	r := h.run("application-stop.sh", "STUB_COMPOSE_DOWN_FAIL=all")
	assertFailed(t, r, "could not stop project 'web'", "docker compose -p web down")
}

func TestApplicationStopUnrenderedRevision(t *testing.T) {
	h := newHost(t)
	if err := writeRaw(h.archive); err != nil {
		t.Fatal(err)
	}
	r := h.run("application-stop.sh")
	if r.code != 0 || !strings.Contains(r.out, "never rendered") {
		t.Fatalf("exit %d, want 0 with a warning about the unrendered name", r.code)
	}
}

func TestBeforeInstall(t *testing.T) {
	cases := []struct {
		name  string
		env   []string
		wants []string // empty: success
	}{
		{"ok", nil, nil},
		{"compose plugin missing", []string{"STUB_COMPOSE_MISSING=1"}, []string{"compose plugin is missing", "install"}},
		{"daemon down", []string{"STUB_DOCKER_DAEMON_DOWN=1"}, []string{"docker daemon does not answer", "systemctl enable --now docker"}},
		{"disk full", []string{"SHIPLINE_MIN_FREE_MB=999999999"}, []string{"MiB free", "docker image prune -a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			// Only the hook itself: Install has not copied anything yet.
			if err := os.MkdirAll(filepath.Join(h.archive, "scripts"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeRendered(t, filepath.Join(h.dir, "full"), testApp)
			data, err := os.ReadFile(filepath.Join(h.dir, "full", "scripts", "before-install.sh"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(h.archive, "scripts", "before-install.sh"), data, 0o755); err != nil {
				t.Fatal(err)
			}
			r := h.run("before-install.sh", tc.env...)
			if len(tc.wants) == 0 {
				if r.code != 0 || !strings.Contains(r.out, "preflight ok") {
					t.Fatalf("exit %d, want 0 with 'preflight ok'", r.code)
				}
				return
			}
			assertFailed(t, r, tc.wants...)
		})
	}
}

func TestBeforeInstallWithoutDocker(t *testing.T) {
	if _, err := os.Stat("/usr/bin/docker"); err == nil {
		t.Skip("docker is installed in /usr/bin: cannot hide it")
	}
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.env = append(h.env, "PATH=/usr/bin:/bin")
	r := h.run("before-install.sh")
	assertFailed(t, r, "docker is not installed", "install Docker Engine")
}

// parseDotEnv reads a .env written by the hook the way Compose reads
// single-quoted values: literal, with \' standing for a quote.
func parseDotEnv(t *testing.T, data string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimRight(data, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
			t.Fatalf(".env line %q is not KEY='value'", line)
		}
		got[k] = strings.ReplaceAll(v[1:len(v)-1], `\'`, `'`)
	}
	return got
}

func TestAfterInstall(t *testing.T) {
	requireMoto(t)
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install()
	r := h.run("after-install.sh")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	image := testRepoURI + "@" + testDigest
	calls := h.calls()
	assertOrder(t, calls,
		"docker login --username AWS --password-stdin "+testAccount+".dkr.ecr."+testRegion+".amazonaws.com",
		"docker-login-password-bytes ",
		"docker pull --quiet "+image,
		"docker image inspect --format {{.Architecture}} "+image)

	envFile := filepath.Join(h.deployDir, ".env")
	info, err := os.Stat(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf(".env mode %v, want 0600", info.Mode().Perm())
	}
	data, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	got := parseDotEnv(t, string(data))
	want := map[string]string{"IMAGE_URI": image}
	for _, p := range seededParams {
		if strings.HasPrefix(p.name, "/web/") {
			want[p.key] = p.value
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf(".env %s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf(".env has %d variables, want %d:\n%s", len(got), len(want), data)
	}
	leftovers, _ := filepath.Glob(filepath.Join(h.deployDir, ".env.*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestAfterInstallFailures(t *testing.T) {
	requireMoto(t)
	cases := []struct {
		name    string
		release func(map[string]string)
		env     []string
		wants   []string
	}{
		{"pull fails", nil, []string{"STUB_DOCKER_PULL_FAIL=1"},
			[]string{"could not pull " + testRepoURI + "@" + testDigest, "manifest unknown", "ecr:BatchGetImage"}},
		{"wrong architecture", nil, []string{"STUB_IMAGE_ARCH=arm64", "STUB_UNAME_M=x86_64"},
			[]string{"linux/arm64", "x86_64 (linux/amd64)", "IMAGE_PLATFORM", "exec format error"}},
		{"wrong architecture on arm host", nil, []string{"STUB_IMAGE_ARCH=amd64", "STUB_UNAME_M=aarch64"},
			[]string{"linux/amd64", "aarch64 (linux/arm64)"}},
		{"empty parameter path", func(r map[string]string) { r["PARAMETER_PATH"] = "/empty/" }, nil,
			[]string{"no parameters under /empty/", "/empty/APP_PORT"}},
		{"image not pinned", func(r map[string]string) { r["IMAGE_URI"] = testRepoURI + ":latest" }, nil,
			[]string{"not an image pinned by digest"}},
		{"no release.env", func(r map[string]string) { clear(r) }, nil,
			[]string{"release.env is missing", "shipline buildspec"}},
		{"docker login fails", nil, []string{"STUB_DOCKER_LOGIN_FAIL=1"},
			[]string{"docker login to " + testAccount + ".dkr.ecr", "login attempt failed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			rel := defaultRelease()
			if tc.release != nil {
				tc.release(rel)
			}
			if len(rel) == 0 {
				rel = nil
			}
			h.writeRevision(rel)
			h.install()
			r := h.run("after-install.sh", tc.env...)
			assertFailed(t, r, tc.wants...)
			if _, err := os.Stat(filepath.Join(h.deployDir, ".env")); err == nil {
				t.Errorf(".env written despite the failure")
			}
		})
	}
}

func TestAfterInstallAccessDenied(t *testing.T) {
	requireMoto(t)
	cases := []struct {
		name  string
		key   iamKey
		wants []string
	}{
		{"no permissions", moto.denied, []string{"could not get an ECR login token", "ecr:GetAuthorizationToken", "/root/.aws/credentials"}},
		{"no Parameter Store access", moto.ecrOnly, []string{"could not list parameters under /web/", "ssm:GetParametersByPath"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			h.writeRevision(defaultRelease())
			h.install()
			enforceAuth(t)
			r := h.run("after-install.sh", "AWS_ACCESS_KEY_ID="+tc.key.id, "AWS_SECRET_ACCESS_KEY="+tc.key.secret)
			assertFailed(t, r, tc.wants...)
		})
	}
}

// deployed returns a host where AfterInstall has run (without the emulator:
// .env is written by the test).
func deployed(t *testing.T, dotEnv string) *host {
	t.Helper()
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install()
	if err := os.WriteFile(filepath.Join(h.deployDir, ".env"), []byte(dotEnv), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestApplicationStart(t *testing.T) {
	h := deployed(t, "IMAGE_URI='x'\n")
	r := h.run("application-start.sh", "SHIPLINE_START_TIMEOUT=42")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	assertOrder(t, h.calls(), "docker compose --project-name web --project-directory "+h.deployDir+
		" --file "+h.deployDir+"/docker-compose.yml --env-file "+h.deployDir+"/.env up --detach --wait --wait-timeout 42 --remove-orphans")
	if strings.Contains(r.out, "Container web-app-1 Started") {
		t.Errorf("compose output reached the agent's stdout:\n%s", r.out)
	}
	logData, err := os.ReadFile(filepath.Join(h.deployDir, "logs", "application-start.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logData), "Container web-app-1 Started") {
		t.Errorf("compose output not in the log file:\n%s", logData)
	}
}

func TestApplicationStartFailures(t *testing.T) {
	t.Run("unhealthy", func(t *testing.T) {
		h := deployed(t, "IMAGE_URI='x'\n")
		r := h.run("application-start.sh", "STUB_COMPOSE_UP_FAIL=1")
		assertFailed(t, r, "docker compose up did not get every service running", "application-start.log", "docker compose -p web logs")
		if !strings.Contains(r.out, "container web-app-1 is unhealthy") {
			t.Errorf("the log's tail is not shown:\n%s", r.out)
		}
	})
	t.Run("no .env", func(t *testing.T) {
		h := newHost(t)
		h.writeRevision(defaultRelease())
		h.install()
		r := h.run("application-start.sh")
		assertFailed(t, r, ".env is missing", "AfterInstall")
	})
}

func TestValidateService(t *testing.T) {
	h := deployed(t, "HTTP_PORT='8081'\nHEALTH_CHECK_PATH='/healthz'\nIMAGE_URI='x'\n")
	r := h.run("validate-service.sh", "STUB_CURL_FAIL_TIMES=2", "SHIPLINE_VALIDATE_INTERVAL=0.05", "SHIPLINE_VALIDATE_TIMEOUT=10")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0 once the check passes", r.code)
	}
	calls := h.calls()
	if len(calls) != 3 {
		t.Errorf("%d curl calls, want 3 (two failures, one success):\n%s", len(calls), strings.Join(calls, "\n"))
	}
	for _, c := range calls {
		if !strings.HasSuffix(c, " http://localhost:8081/healthz") {
			t.Errorf("curl call %q does not target http://localhost:8081/healthz", c)
		}
	}
}

func TestValidateServiceDefaults(t *testing.T) {
	h := deployed(t, "IMAGE_URI='x'\n")
	r := h.run("validate-service.sh")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	assertOrder(t, h.calls(), "curl --fail --silent --show-error --output /dev/null --max-time 5 http://localhost:80/health")
}

func TestValidateServiceNeverHealthy(t *testing.T) {
	h := deployed(t, "IMAGE_URI='x'\n")
	r := h.run("validate-service.sh", "STUB_CURL_FAIL_TIMES=100000", "SHIPLINE_VALIDATE_INTERVAL=0.1", "SHIPLINE_VALIDATE_TIMEOUT=1")
	assertFailed(t, r, "http://localhost:80/health did not answer", "within 1s", "Connection refused", "docker compose -p web logs")
}

// TestHooksInOrder runs a first deployment and a redeployment through every
// hook, in CodeDeploy's order.
func TestHooksInOrder(t *testing.T) {
	requireMoto(t)
	h := newHost(t)
	release := defaultRelease()
	release["PARAMETER_PATH"] = "/small/"
	for i, first := range []bool{true, false} {
		h.clearCalls()
		h.writeRevision(release)
		if !first {
			r := h.run("application-stop.sh")
			if r.code != 0 {
				t.Fatalf("deployment %d: ApplicationStop exit %d", i+1, r.code)
			}
		}
		if r := h.run("before-install.sh"); r.code != 0 {
			t.Fatalf("deployment %d: BeforeInstall exit %d", i+1, r.code)
		}
		h.install()
		for _, s := range []string{"after-install.sh", "application-start.sh", "validate-service.sh"} {
			if r := h.run(s); r.code != 0 {
				t.Fatalf("deployment %d: %s exit %d", i+1, s, r.code)
			}
		}
		want := []string{"docker compose version", "docker info", "docker login", "docker pull",
			"docker image inspect", "docker compose --project-name web", "curl "}
		if !first {
			want = append([]string{"docker compose --project-name web --project-directory " + h.deployDir + " --file " +
				h.deployDir + "/docker-compose.yml --env-file " + h.deployDir + "/.env down"}, want...)
		}
		assertOrder(t, h.calls(), want...)
	}
}
