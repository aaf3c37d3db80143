package bundle_test

// Fast tests of the hooks against stub docker/curl and the AWS emulator: the
// checks and errors that a real engine cannot show (missing tools, denied
// permissions, bad release files). What happens to containers (the switch,
// draining, failing releases, rollback, restarts) is tested on a real engine
// in test/realhost.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplicationStopNeverFails(t *testing.T) {
	cases := []struct {
		name  string
		live  string // state/live; "" for none
		env   []string
		wants string
	}{
		{"first deployment", "", nil, "nothing to report"},
		{"release live", "blue " + strings.Repeat("a", 64), nil, "keeps serving"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			h.writeRevision(defaultRelease())
			if tc.live != "" {
				h.install()
				writeFile(t, filepath.Join(h.deployDir, "state", "live"), tc.live+"\n")
			}
			r := h.run("application-stop.sh", tc.env...)
			if r.code != 0 || !strings.Contains(r.out, tc.wants) {
				t.Fatalf("exit %d, want 0 with %q", r.code, tc.wants)
			}
			for _, c := range h.calls() {
				if strings.Contains(c, " stop") || strings.Contains(c, " down") || strings.Contains(c, " rm") {
					t.Errorf("ApplicationStop stopped something: %s", c)
				}
			}
		})
	}
}

func TestApplicationStopUnrenderedRevision(t *testing.T) {
	h := newHost(t)
	if err := writeRaw(h.archive); err != nil {
		t.Fatal(err)
	}
	if r := h.run("application-stop.sh"); r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
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

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// settingValue reads KEY from a settings file with the hooks' own reader.
func (h *host) settingValue(file, key string) (string, bool) {
	h.t.Helper()
	cmd := exec.Command("bash", "-c", `source "$1"; dotenv_get "$2" "$3"`, "bash",
		filepath.Join(h.archive, "scripts", "lib.sh"), file, key)
	out, err := cmd.Output()
	return string(out), err == nil
}

// releaseDir is where AfterInstall keeps the release of testDigest.
func (h *host) releaseDir() string {
	return filepath.Join(h.deployDir, "state", "releases", strings.TrimPrefix(testDigest, "sha256:"))
}

func TestAfterInstall(t *testing.T) {
	requireMoto(t)
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install()
	live := "APP_PORT=\"8080\"\nIMAGE_URI=\"the live release\"\n"
	writeFile(t, filepath.Join(h.deployDir, ".env"), live)
	r := h.run("after-install.sh")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	image := testRepoURI + "@" + testDigest
	assertOrder(t, h.calls(),
		"docker image inspect "+image,
		"docker login --username AWS --password-stdin "+testAccount+".dkr.ecr."+testRegion+".amazonaws.com",
		"docker-login-password-bytes ",
		"docker pull --quiet "+image,
		"docker image inspect --format {{.Architecture}} "+image,
		"docker compose --project-name web --project-directory "+h.deployDir+" --file "+h.deployDir+
			"/docker-compose.yml --env-file "+h.releaseDir()+"/settings.env config --services")

	settings := filepath.Join(h.releaseDir(), "settings.env")
	info, err := os.Stat(settings)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("settings.env mode %v, want 0600", info.Mode().Perm())
	}
	data := readFile(t, settings)
	want := map[string]string{"IMAGE_URI": image}
	for _, p := range seededParams {
		if strings.HasPrefix(p.name, "/web/") && p.key != "" {
			want[p.key] = p.value
		}
	}
	for k, v := range want {
		if got, ok := h.settingValue(settings, k); !ok || got != v {
			t.Errorf("settings %s = %q, want %q", k, got, v)
		}
	}
	if n := strings.Count(data, "\n") - 1; n != len(want) {
		t.Errorf("settings.env has %d variables, want %d:\n%s", n, len(want), data)
	}
	if strings.Contains(data, "s3cr3t-build-token") {
		t.Errorf("a build secret reached the app's settings:\n%s", data)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(h.deployDir, "state", "next"))); got != strings.TrimPrefix(testDigest, "sha256:") {
		t.Errorf("state/next = %q, want the release id", got)
	}
	if got := readFile(t, filepath.Join(h.deployDir, ".env")); got != live {
		t.Errorf("AfterInstall changed the live release's .env:\n%s", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(h.releaseDir(), "*.*.*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestAfterInstallOfflineWithoutKeptSettings: a release never deployed on
// the host cannot fall back on kept settings when Parameter Store does not
// answer. (The fallback itself is a real-engine scenario: a rollback with
// neither registry nor Parameter Store.)
func TestAfterInstallOfflineWithoutKeptSettings(t *testing.T) {
	requireMoto(t)
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install()
	r := h.run("after-install.sh", "STUB_IMAGE_LOCAL=1", "AWS_ENDPOINT_URL=http://localhost:1", "AWS_MAX_ATTEMPTS=1")
	assertFailed(t, r, "could not read parameters under /web/", "ssm:GetParametersByPath")
	for _, c := range h.calls() {
		if strings.HasPrefix(c, "docker login") || strings.HasPrefix(c, "docker pull") {
			t.Errorf("registry used for an image already on the host: %s", c)
		}
	}
}

// TestAfterInstallEnvironment: one build serves every environment. A host
// reads the parameter path and the Region of its own deployment group
// (PARAMETER_PATHS, REGIONS), else the build's PARAMETER_PATH and AWS_REGION.
// The settings read show which Region answered: /small/ holds other values
// in otherRegion.
func TestAfterInstallEnvironment(t *testing.T) {
	requireMoto(t)
	cases := []struct {
		name           string
		paths, regions string // PARAMETER_PATHS, REGIONS
		group          string // DEPLOYMENT_GROUP_NAME
		path, region   string // want the parameters read there
		settings       map[string]string
		absent         []string // settings that must not be read
	}{
		{"group's path", "staging=/web/ prod=/small/", "", "prod", "/small/", testRegion,
			map[string]string{"APP_PORT": "8080"}, []string{"DB_PASSWORD", "REGION"}},
		{"group without a path", "staging=/web/ prod=/small/", "", "other", "/web/", testRegion,
			map[string]string{"HTTP_PORT": "8081"}, []string{"REGION"}},
		{"group's Region", "prod=/small/", "staging=us-west-2 prod=" + otherRegion, "prod", "/small/", otherRegion,
			map[string]string{"APP_PORT": "8443", "REGION": otherRegion}, nil},
		{"another group's Region", "prod=/small/", "staging=" + otherRegion, "prod", "/small/", testRegion,
			map[string]string{"APP_PORT": "8080"}, []string{"REGION"}},
		{"no deployment group", "prod=/small/", "prod=" + otherRegion, "", "/web/", testRegion,
			map[string]string{"HTTP_PORT": "8081"}, []string{"REGION"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			rel := defaultRelease()
			rel["PARAMETER_PATHS"], rel["REGIONS"] = tc.paths, tc.regions
			h.writeRevision(rel)
			h.install()
			r := h.run("after-install.sh", "DEPLOYMENT_GROUP_NAME="+tc.group)
			if want := "reading parameters under " + tc.path + " in " + tc.region + "\n"; r.code != 0 || !strings.Contains(r.out, want) {
				t.Fatalf("exit %d, want 0 and %q", r.code, want)
			}
			settings := filepath.Join(h.releaseDir(), "settings.env")
			if head := "# Written by the AfterInstall hook from " + tc.path + " in " + tc.region + "."; !strings.HasPrefix(readFile(t, settings), head) {
				t.Errorf("settings.env does not start with %q", head)
			}
			for k, v := range tc.settings {
				if got, ok := h.settingValue(settings, k); !ok || got != v {
					t.Errorf("settings %s = %q, want %q", k, got, v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := h.settingValue(settings, k); ok {
					t.Errorf("settings hold %s, read from another path or Region", k)
				}
			}
		})
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
		{"required settings missing", func(r map[string]string) { r["REQUIRED_SETTINGS"] = "APP_PORT SMTP_HOST DB_PASSWORD API_KEY" }, nil,
			[]string{"required settings missing under /web/: SMTP_HOST API_KEY:", "create them in Parameter Store"}},
		{"bad health timeout", func(r map[string]string) { r["HEALTH_TIMEOUT"] = "1m" }, nil,
			[]string{"HEALTH_TIMEOUT", "'1m'", "from 1 to 480"}},
		{"health timeout beyond the hook's", func(r map[string]string) { r["HEALTH_TIMEOUT"] = "900" }, nil,
			[]string{"HEALTH_TIMEOUT", "'900'", "from 1 to 480"}},
		{"no proxy service", nil, []string{"STUB_COMPOSE_SERVICES=app worker"},
			[]string{"has no service 'nginx'", "README"}},
		{"bad log group", func(r map[string]string) { r["LOG_GROUPS"] = "web-production=app:logs" }, []string{"DEPLOYMENT_GROUP_NAME=web-production"},
			[]string{"log group for deployment group 'web-production' is 'app:logs'", "LOG_GROUPS"}},
		{"bad Region", func(r map[string]string) { r["REGIONS"] = "web-staging=us-east-1 web-production=eu-west" }, []string{"DEPLOYMENT_GROUP_NAME=web-production"},
			[]string{"the Region for deployment group 'web-production' is 'eu-west', not an AWS Region like eu-west-1", "fix REGIONS"}},
		{"no build Region", func(r map[string]string) { delete(r, "AWS_REGION") }, nil,
			[]string{"the Region for deployment group '' is ''", "AWS_DEFAULT_REGION"}},
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
			if _, err := os.Stat(filepath.Join(h.deployDir, "state", "next")); err == nil {
				t.Errorf("release recorded as ready despite the failure")
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
		{"no Parameter Store access", moto.ecrOnly, []string{"could not read parameters under /web/", "ssm:GetParametersByPath"}},
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

func TestApplicationStartWithoutRelease(t *testing.T) {
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install()
	r := h.run("application-start.sh")
	assertFailed(t, r, "no release prepared", "AfterInstall")
	for _, c := range h.calls() {
		if strings.HasPrefix(c, "docker ") {
			t.Errorf("docker called without a prepared release: %s", c)
		}
	}
}

// deployed returns a host with a live release whose settings are dotEnv.
func deployed(t *testing.T, dotEnv string) *host {
	t.Helper()
	h := newHost(t)
	h.writeRevision(defaultRelease())
	h.install()
	writeFile(t, filepath.Join(h.deployDir, ".env"), dotEnv)
	return h
}

func TestValidateService(t *testing.T) {
	h := deployed(t, "HTTP_PORT=\"8081\"\nHEALTH_CHECK_PATH=\"/healthz\"\nIMAGE_URI=\"x\"\n")
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
	h := deployed(t, "IMAGE_URI=\"x\"\n")
	r := h.run("validate-service.sh")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0", r.code)
	}
	assertOrder(t, h.calls(), "curl --globoff --fail --silent --show-error --output /dev/null --max-time 5 http://localhost:80/health")
}

func TestValidateServiceNeverHealthy(t *testing.T) {
	h := deployed(t, "IMAGE_URI=\"x\"\n")
	r := h.run("validate-service.sh", "STUB_CURL_FAIL_TIMES=100000", "SHIPLINE_VALIDATE_INTERVAL=0.1", "SHIPLINE_VALIDATE_TIMEOUT=1")
	assertFailed(t, r, "http://localhost:80/health did not answer", "within 1s", "Connection refused", "docker compose -p web logs nginx")
}
