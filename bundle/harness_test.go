package bundle_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/bundle"
)

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// stubDocker records its calls in $STUB_LOG and fails on demand.
const stubDocker = `#!/usr/bin/env bash
printf 'docker %s\n' "$*" >>"$STUB_LOG"
fail() { printf '%s\n' "$1" >&2; exit 1; }
case "$1" in
login)
	pw=$(cat)
	[ -n "$pw" ] || fail "stub: empty password on stdin"
	printf 'docker-login-password-bytes %s\n' "${#pw}" >>"$STUB_LOG"
	[ -z "${STUB_DOCKER_LOGIN_FAIL:-}" ] || fail "Error response from daemon: login attempt failed"
	echo "Login Succeeded" ;;
pull)
	[ -z "${STUB_DOCKER_PULL_FAIL:-}" ] || fail "Error response from daemon: manifest unknown"
	touch "$STUB_DIR/pulled" ;;
image)
	# image inspect [--format F] REF: only images pulled (or STUB_IMAGE_LOCAL) exist.
	[ -n "${STUB_IMAGE_LOCAL:-}" ] || [ -f "$STUB_DIR/pulled" ] || fail "Error: No such image: ${!#}"
	[ "$3" != --format ] || echo "${STUB_IMAGE_ARCH:-amd64}" ;;
ps) ;;
run)
	case " $* " in
	*" --log-driver awslogs "*) [ -z "${STUB_DOCKER_AWSLOGS_FAIL:-}" ] || fail "docker: Error response from daemon: $STUB_DOCKER_AWSLOGS_FAIL." ;;
	esac ;;
info)
	[ -z "${STUB_DOCKER_DAEMON_DOWN:-}" ] || fail "Cannot connect to the Docker daemon at unix:///var/run/docker.sock"
	echo "${STUB_DOCKER_ROOT:-/}" ;;
compose)
	case " $* " in
	*" version "*)
		[ -z "${STUB_COMPOSE_MISSING:-}" ] || fail "docker: 'compose' is not a docker command."
		echo "Docker Compose version v2.29.7" ;;
	*" config --services"*)
		printf '%s\n' ${STUB_COMPOSE_SERVICES:-app nginx} ;;
	*" config --images"*) ;;
	*" up "*)
		echo "Container web-app-1 Started"
		[ -z "${STUB_COMPOSE_UP_FAIL:-}" ] || fail "container web-app-1 is unhealthy" ;;
	*" down "*)
		case "${STUB_COMPOSE_DOWN_FAIL:-}:$*" in
		all:*) fail "stub: down failed" ;;
		file:*--file*) fail "stub: invalid compose project" ;;
		esac ;;
	esac ;;
buildx)
	case "$2" in
	inspect) [ "${3:-}" != shipline ] || [ -f "$STUB_DIR/builder" ] || exit 1 ;;
	create) touch "$STUB_DIR/builder" ;;
	build)
		meta=
		prev=
		for a in "$@"; do
			[ "$prev" != --metadata-file ] || meta=$a
			prev=$a
		done
		for id in ${BUILD_SECRET_IDS:-}; do
			if [ -n "${!id:-}" ]; then printf 'buildx-secret-env %s set\n' "$id" >>"$STUB_LOG"; fi
		done
		[ -z "${STUB_BUILDX_FAIL:-}" ] || fail "ERROR: failed to solve: process did not complete successfully"
		if [ -n "$meta" ] && [ -z "${STUB_BUILDX_NO_DIGEST:-}" ]; then
			printf '{\n  "buildx.build.ref": "shipline/shipline0/x",\n  "containerimage.digest": "%s"\n}\n' "$STUB_DIGEST" >"$meta"
		fi ;;
	esac ;;
esac
exit 0
`

const stubCurl = `#!/usr/bin/env bash
printf 'curl %s\n' "$*" >>"$STUB_LOG"
n=$(( $(cat "$STUB_DIR/curl-count" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$STUB_DIR/curl-count"
if [ "$n" -le "${STUB_CURL_FAIL_TIMES:-0}" ]; then
	echo "curl: (7) Failed to connect to localhost port 80: Connection refused" >&2
	exit 7
fi
exit 0
`

const stubUname = `#!/usr/bin/env bash
if [ "${1:-}" = -m ]; then echo "${STUB_UNAME_M:-x86_64}"; exit 0; fi
exec /usr/bin/env -u STUB_UNAME_M PATH=/usr/bin:/bin uname "$@"
`

// host is a simulated EC2 host: a CodeDeploy deployment archive (the revision
// the agent runs the hooks from), a deploy root standing in for /opt, stub
// docker/curl/uname on PATH and the emulator's endpoint.
type host struct {
	t         *testing.T
	dir       string
	archive   string // the revision, as the agent unpacks it
	root      string // SHIPLINE_DEPLOY_ROOT
	deployDir string // root/web
	stubDir   string
	stubLog   string
	env       []string
}

func newHost(t *testing.T) *host {
	t.Helper()
	dir := t.TempDir()
	h := &host{
		t:       t,
		dir:     dir,
		archive: filepath.Join(dir, "deployment-archive"),
		root:    filepath.Join(dir, "opt"),
		stubDir: filepath.Join(dir, "stubs"),
	}
	h.deployDir = filepath.Join(h.root, testApp)
	h.stubLog = filepath.Join(h.stubDir, "calls.log")
	for _, d := range []string{h.root, h.stubDir, filepath.Join(dir, "home"), filepath.Join(dir, "docker-root")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeStub(t, h.stubDir, "docker", stubDocker)
	writeStub(t, h.stubDir, "curl", stubCurl)
	writeStub(t, h.stubDir, "uname", stubUname)
	if err := os.WriteFile(h.stubLog, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path := h.stubDir + string(os.PathListSeparator)
	if awsDir != "" {
		path += awsDir + string(os.PathListSeparator)
	}
	h.env = []string{
		"PATH=" + path + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"LANG=C.UTF-8",
		"TMPDIR=" + dir,
		"STUB_LOG=" + h.stubLog,
		"STUB_DIR=" + h.stubDir,
		"STUB_DIGEST=" + testDigest,
		"STUB_DOCKER_ROOT=" + filepath.Join(dir, "docker-root"),
		"SHIPLINE_DEPLOY_ROOT=" + h.root,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "home", "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "home", "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
	if moto.endpoint != "" {
		h.env = append(h.env, "AWS_ENDPOINT_URL="+moto.endpoint)
	}
	return h
}

func writeStub(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// writeRevision writes the bundle into the deployment archive, rendered for
// the test app as the buildspec does, with a release.env.
func (h *host) writeRevision(release map[string]string) {
	h.t.Helper()
	writeRendered(h.t, h.archive, testApp)
	if release != nil {
		var b strings.Builder
		for _, k := range releaseKeys {
			if v, ok := release[k]; ok {
				b.WriteString(k + "=" + v + "\n")
			}
		}
		if err := os.WriteFile(filepath.Join(h.archive, "release.env"), []byte(b.String()), 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
}

// releaseKeys are the keys of release.env, in the buildspec's order.
var releaseKeys = []string{"IMAGE_URI", "APP_NAME", "AWS_REGION", "PARAMETER_PATH", "COMMIT",
	"HEALTH_TIMEOUT", "KEEP_RELEASES", "REQUIRED_SETTINGS", "PROXY_IMAGE", "PARAMETER_PATHS", "LOG_GROUP", "LOG_GROUPS", "REGIONS"}

func defaultRelease() map[string]string {
	return map[string]string{
		"IMAGE_URI":      testRepoURI + "@" + testDigest,
		"APP_NAME":       testApp,
		"AWS_REGION":     testRegion,
		"PARAMETER_PATH": "/web/",
		"COMMIT":         "0123456789abcdef0123456789abcdef01234567",
	}
}

// writeRendered writes the bundle into dir with the app name rendered.
func writeRendered(t *testing.T, dir, app string) {
	t.Helper()
	if err := bundle.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if filepath.Base(p) != "appspec.yml" && filepath.Ext(p) != ".sh" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, bytes.ReplaceAll(data, []byte(bundle.AppNamePlaceholder), []byte(app)), 0o755)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// install copies the revision to the deploy directory, as CodeDeploy's
// Install step does (overwriting, keeping files it did not install).
func (h *host) install() {
	h.t.Helper()
	err := filepath.WalkDir(h.archive, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(h.archive, p)
		target := filepath.Join(h.deployDir, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

type result struct {
	out  string // stdout and stderr
	code int
}

// run runs a hook script of the revision as the agent would: bash, from the
// deployment archive, with no stdin.
func (h *host) run(script string, env ...string) result {
	h.t.Helper()
	cmd := exec.Command("bash", filepath.Join(h.archive, "scripts", script))
	cmd.Dir = h.dir
	cmd.Env = append(append([]string{}, h.env...), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	res := result{out: out.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			h.t.Fatalf("running %s: %v", script, err)
		}
		res.code = ee.ExitCode()
	}
	h.t.Logf("%s exit %d:\n%s", script, res.code, res.out)
	return res
}

// calls returns the stub calls logged so far, one per line.
func (h *host) calls() []string {
	h.t.Helper()
	data, err := os.ReadFile(h.stubLog)
	if err != nil {
		h.t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
}

func (h *host) clearCalls() {
	h.t.Helper()
	if err := os.WriteFile(h.stubLog, nil, 0o644); err != nil {
		h.t.Fatal(err)
	}
	_ = os.Remove(filepath.Join(h.stubDir, "curl-count"))
}

// assertOrder checks that calls with the given prefixes happened in order.
func assertOrder(t *testing.T, calls []string, prefixes ...string) {
	t.Helper()
	i := 0
	for _, c := range calls {
		if i < len(prefixes) && strings.HasPrefix(c, prefixes[i]) {
			i++
		}
	}
	if i < len(prefixes) {
		t.Errorf("calls out of order or missing %q (from #%d):\n%s", prefixes[i], i, strings.Join(calls, "\n"))
	}
}

// assertFailed checks a non-zero exit with one ERROR line containing each want.
func assertFailed(t *testing.T, r result, wants ...string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("exit 0, want a failure; output:\n%s", r.out)
	}
	var errLine string
	for _, l := range strings.Split(r.out, "\n") {
		if strings.HasPrefix(l, "ERROR") {
			errLine = l
		}
	}
	if errLine == "" {
		t.Fatalf("no ERROR line in the output:\n%s", r.out)
	}
	for _, w := range wants {
		if !strings.Contains(errLine, w) {
			t.Errorf("ERROR line %q does not mention %q", errLine, w)
		}
	}
}
