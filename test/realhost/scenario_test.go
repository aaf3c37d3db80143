package realhost_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipline/shipline/internal/agentsim"
	"github.com/shipline/shipline/internal/motoserver"
)

// scenario is one simulated EC2 host with its app: parameters in the
// emulator's Parameter Store, an image repository in the test registry, a
// CodeDeploy agent (internal/agentsim) and the figures the test records.
type scenario struct {
	t         *testing.T
	eng       *engine
	name      string
	app       string // the app name: compose project, /opt/<app>, image repository
	paramPath string // /<app>/
	region    string // Region of the environment's parameters and log group
	httpPort  int
	dir       string
	host      *agentsim.Host
	fig       *Figure
	params    map[string]string // parameters under paramPath, by relative name
}

// testSettings are parameters whose values exercise quoting on the way to
// the container's environment.
var testSettings = map[string]string{
	"HEALTH_CHECK_PATH":  "/health",
	"DB_PASSWORD":        `p@ss word's "x" $HOME \n`,
	"feature-flags.beta": "a=b#c",
	"GREETING":           "héllo, wörld ✓",
	"SPACES":             "  leading and trailing  ",
	"NEWLINES":           "line 1\nline 2\n\n",
	"CONTROL":            "tab\there\r\nbell\x07",
	"DOLLARS":            "$HOME ${HOME} $$ \\$",
	"BACKSLASH_END":      `C:\path\`,
	"QUOTE_END":          "ends with '",
	"BIG":                strings.Repeat("0123456789abcdef", 256), // 4 KB, the Standard tier's largest value
}

// newScenario sets up a fresh host for the test: its app is named after it.
func newScenario(t *testing.T, name string) *scenario {
	t.Helper()
	eng := requireEngine(t)
	s := &scenario{t: t, eng: eng, name: name, app: "sl-" + name, dir: t.TempDir(), region: testRegion}
	s.paramPath = "/" + s.app + "/"
	s.httpPort = freePort(t)
	s.fig = figures.add(name)
	root := filepath.Join(s.dir, "root")
	s.host = &agentsim.Host{
		Root:            root,
		AgentDir:        filepath.Join(root, "opt", "codedeploy-agent", "deployment-root"),
		Env:             append(s.baseEnv(), "SHIPLINE_DEPLOY_ROOT="+filepath.Join(root, "opt")),
		ApplicationName: s.app,
		GroupName:       s.app + "-production",
		GroupID:         "4b5d3f0e-1c2a-4e8b-9f6d-" + fmt.Sprintf("%012d", s.httpPort),
		Bundle:          agentsim.S3Revision{Bucket: bundleBucket, Key: s.app + "/bundle.zip", ETag: "0"},
		Logf:            t.Logf,
	}
	t.Cleanup(s.cleanup)
	// Few parameters: the hooks read them one by one.
	s.setParams(map[string]string{"APP_PORT": "8080", "HTTP_PORT": fmt.Sprint(s.httpPort)})
	return s
}

// setParams writes parameters under the app's path, keyed by their name
// relative to it.
func (s *scenario) setParams(params map[string]string) {
	s.t.Helper()
	if s.params == nil {
		s.params = map[string]string{}
	}
	for rel, v := range params {
		s.putParameter(rel, v)
		s.params[rel] = v
	}
}

func (s *scenario) putParameter(rel, value string) {
	s.t.Helper()
	typ := "String"
	if strings.Contains(strings.ToLower(rel), "password") {
		typ = "SecureString"
	}
	if err := s.eng.moto.PutParameterIn(s.region, s.paramPath+rel, typ, value); err != nil {
		s.t.Fatal(err)
	}
}

// moveTo puts the environment in another Region than the build's: its
// parameters move there, and the log groups it creates from then on are
// there.
func (s *scenario) moveTo(region string) {
	s.t.Helper()
	for rel := range s.params {
		if err := s.eng.moto.DeleteParameterIn(s.region, s.paramPath+rel); err != nil {
			s.t.Fatal(err)
		}
	}
	s.region = region
	for rel, v := range s.params {
		s.putParameter(rel, v)
	}
}

// baseEnv is the environment of the agent (and of the build): the test
// bed's engine and the emulator's endpoint, nothing else of this process's
// AWS or Docker settings.
func (s *scenario) baseEnv() []string {
	home := filepath.Join(s.dir, "home")
	_ = os.MkdirAll(home, 0o755)
	path := os.Getenv("PATH")
	if d := motoserver.AWSCLIDir(); d != "" {
		path = d + string(os.PathListSeparator) + path
	}
	return []string{
		"PATH=" + path,
		"HOME=" + home,
		"LANG=C.UTF-8",
		"DOCKER_HOST=" + os.Getenv("DOCKER_HOST"),
		"DOCKER_CONFIG=" + os.Getenv("DOCKER_CONFIG"),
		"AWS_ENDPOINT_URL=" + s.eng.moto.Endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	}
}

// cleanup removes the scenario's containers, networks, images and
// parameters from the shared engine and emulator. Its compose projects are
// the app's and any named <app>-* (the hooks may run a release as a project
// of its own).
func (s *scenario) cleanup() {
	out, err := s.eng.docker("ps", "--all", "--format", `{{.Label "com.docker.compose.project"}}`)
	if err != nil {
		s.t.Logf("cleanup: %v", err)
	}
	projects := map[string]bool{s.app: true}
	for _, p := range strings.Fields(out) {
		if strings.HasPrefix(p, s.app+"-") {
			projects[p] = true
		}
	}
	if s.t.Failed() {
		s.logContainers(slices.Sorted(maps.Keys(projects)))
	}
	// The app's own project last: the others use its networks.
	for _, p := range append(slices.DeleteFunc(slices.Sorted(maps.Keys(projects)), func(p string) bool { return p == s.app }), s.app) {
		if out, err := s.eng.docker("compose", "--project-name", p, "down", "--volumes", "--remove-orphans", "--timeout", "5"); err != nil {
			s.t.Logf("cleanup: %v\n%s", err, out)
		}
	}
	if out, err := s.eng.docker("image", "ls", "--format", "{{.Repository}}@{{.Digest}}", s.eng.registry+"/"+s.app); err == nil {
		for _, ref := range strings.Fields(out) {
			_, _ = s.eng.docker("image", "rm", "--force", ref)
		}
	}
	for k := range s.params {
		_ = s.eng.moto.DeleteParameterIn(s.region, s.paramPath+k)
	}
}

// logContainers puts the state and the last log lines of the projects'
// containers into the test's log, for a failed scenario.
func (s *scenario) logContainers(projects []string) {
	for _, p := range projects {
		out, _ := s.eng.docker("ps", "--all", "--filter", "label=com.docker.compose.project="+p,
			"--format", "{{.ID}} {{.Names}} {{.Image}} {{.Status}} {{.Networks}} {{.Ports}}")
		s.t.Logf("containers of project %s:\n%s", p, out)
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if id, _, ok := strings.Cut(line, " "); ok {
				ips, _ := s.eng.docker("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}", id)
				s.t.Logf("addresses: %s", ips)
				logs, _ := s.eng.docker("logs", "--tail", "30", id)
				s.t.Logf("last log lines of %s:\n%s", line, logs)
			}
		}
	}
}

// release builds and pushes a release image of the app; it returns the
// image pinned by digest.
func (s *scenario) release(r release) string {
	s.t.Helper()
	ref, err := s.eng.pushRelease(s.app, r)
	if err != nil {
		s.t.Fatal(err)
	}
	return ref
}

// revision renders a revision for image with the scenario's defaults.
func (s *scenario) revision(image string) string {
	s.t.Helper()
	return s.render(image, nil, nil)
}

// deploy runs a deployment of the revision on the host and returns its
// record; it fails nothing by itself.
func (s *scenario) deploy(rev string) *agentsim.Deployment {
	s.t.Helper()
	d := s.host.Deploy(rev)
	if d.Err != nil {
		s.t.Logf("deployment %s failed after %.1fs: %v", d.ID, d.Duration().Seconds(), d.Err)
	} else {
		s.t.Logf("deployment %s succeeded in %.1fs", d.ID, d.Duration().Seconds())
	}
	return d
}

// mustDeploy deploys and fails the test unless every hook succeeded.
func (s *scenario) mustDeploy(rev string) *agentsim.Deployment {
	s.t.Helper()
	d := s.deploy(rev)
	if !d.Succeeded() {
		s.t.Fatalf("deployment failed: %v\n%s", d.Err, d.Output())
	}
	return d
}

// url is the app's address through the proxy on the host's HTTP port.
func (s *scenario) url(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", s.httpPort, path)
}

var client = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// get returns the body of a GET through the proxy; a non-200 is an error.
func (s *scenario) get(path string) (string, error) {
	resp, err := client.Get(s.url(path))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}

// version is the release that answers on the host's HTTP port now.
func (s *scenario) version() (string, error) {
	body, err := s.get("/")
	return strings.TrimSpace(body), err
}

// requireServing fails the test unless the host serves want now.
func (s *scenario) requireServing(want string) {
	s.t.Helper()
	got, err := s.version()
	if err != nil || got != want {
		s.t.Fatalf("the host serves %q (%v), want release %s", got, err, want)
	}
}

// waitServing waits up to timeout for the host to serve want and returns
// how long it took.
func (s *scenario) waitServing(want string, timeout time.Duration) (time.Duration, error) {
	start := time.Now()
	for {
		got, err := s.version()
		if err == nil && got == want {
			return time.Since(start), nil
		}
		if time.Since(start) > timeout {
			return 0, fmt.Errorf("after %s the host serves %q (%v), want release %s", timeout, got, err, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// containerEnv is the app container's environment, as the app reports it.
func (s *scenario) containerEnv() map[string]string {
	s.t.Helper()
	body, err := s.get("/env")
	if err != nil {
		s.t.Fatal(err)
	}
	env := map[string]string{}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		s.t.Fatalf("/env: %v: %s", err, body)
	}
	return env
}

// settingKey is the variable a parameter becomes in the app's environment.
func settingKey(rel string) string {
	return strings.ToUpper(strings.NewReplacer("/", "_", "-", "_", ".", "_").Replace(rel))
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// loadTail is how long the load loop keeps going after the action under
// load, so that an outage right at the end is seen.
const loadTail = 2 * time.Second

// underLoad runs action while a load loop requests / on the host's HTTP
// port, adds the load figures to the scenario's and returns them.
func (s *scenario) underLoad(action func()) LoadResult {
	s.t.Helper()
	l := startLoad(s.url("/"))
	action()
	time.Sleep(loadTail)
	r := l.Stop()
	s.fig.AddLoad(r)
	s.t.Logf("load: %d requests, %d failed, longest outage %.1fs; answers %v; errors %v",
		r.Sent, r.Failed, r.LongestOutage.Seconds(), r.Bodies, r.Errors)
	return r
}

// measure records a deployment's outcome and times as the scenario's main
// deployment: its duration, and when it failed, the time to the failure.
func (s *scenario) measure(d *agentsim.Deployment) {
	s.fig.Deploy = d.Duration()
	s.fig.Outcome = "succeeded"
	if !d.Succeeded() {
		s.fig.Outcome = "failed at " + d.Failed
		s.fig.TimeToFail = d.Duration()
	}
}

// deployBad deploys, under load, a revision whose deployment must fail (what
// says why it must), as the scenario's main deployment.
func (s *scenario) deployBad(rev, what string) *agentsim.Deployment {
	s.t.Helper()
	var d *agentsim.Deployment
	s.underLoad(func() {
		d = s.deploy(rev)
		s.measure(d)
	})
	if d.Succeeded() {
		s.t.Errorf("the deployment of %s succeeded", what)
	}
	s.t.Logf("after the failed deployment the host serves %s", s.serving())
	return d
}

// serving reports what the host serves now, for the log of a scenario
// whose outcome is not asserted yet.
func (s *scenario) serving() string {
	v, err := s.version()
	if err != nil {
		return "nothing (" + err.Error() + ")"
	}
	return "release " + v
}
