package bundle_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/shipline/shipline/bundle"
)

type appspecHook struct {
	Location string `yaml:"location"`
	Timeout  *int   `yaml:"timeout"`
	Runas    string `yaml:"runas"`
}

type appspecDoc struct {
	Version any    `yaml:"version"`
	OS      string `yaml:"os"`
	Files   []struct {
		Source      string `yaml:"source"`
		Destination string `yaml:"destination"`
	} `yaml:"files"`
	FileExistsBehavior string `yaml:"file_exists_behavior"`
	Permissions        []struct {
		Object  string   `yaml:"object"`
		Pattern string   `yaml:"pattern"`
		Owner   string   `yaml:"owner"`
		Group   string   `yaml:"group"`
		Mode    any      `yaml:"mode"`
		Type    []string `yaml:"type"`
	} `yaml:"permissions"`
	Hooks map[string][]appspecHook `yaml:"hooks"`
}

// The lifecycle hooks of an EC2/on-premises in-place deployment that run
// scripts, in order (Install itself is not scriptable).
var ec2Hooks = []string{"ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"}

// Hooks that also exist for deployments behind a load balancer.
var lbHooks = []string{"BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"}

func parseAppspec(t *testing.T) appspecDoc {
	t.Helper()
	var doc appspecDoc
	dec := yaml.NewDecoder(strings.NewReader(readBundle(t, "appspec.yml")))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("appspec.yml: %v", err)
	}
	return doc
}

func TestAppspec(t *testing.T) {
	doc := parseAppspec(t)
	if v, ok := doc.Version.(float64); !ok || v != 0.0 {
		t.Errorf("version %#v, want 0.0", doc.Version)
	}
	if doc.OS != "linux" {
		t.Errorf("os %q, want linux", doc.OS)
	}
	if len(doc.Files) != 1 || doc.Files[0].Source != "/" || doc.Files[0].Destination != "/opt/"+bundle.AppNamePlaceholder {
		t.Errorf("files %+v, want / to /opt/%s", doc.Files, bundle.AppNamePlaceholder)
	}
	if !slices.Contains([]string{"DISALLOW", "OVERWRITE", "RETAIN"}, doc.FileExistsBehavior) || doc.FileExistsBehavior != "OVERWRITE" {
		t.Errorf("file_exists_behavior %q, want OVERWRITE", doc.FileExistsBehavior)
	}
	for _, p := range doc.Permissions {
		if !strings.HasPrefix(p.Object, doc.Files[0].Destination) {
			t.Errorf("permissions object %q is outside the destination", p.Object)
		}
	}
	for _, name := range ec2Hooks {
		if len(doc.Hooks[name]) == 0 {
			t.Errorf("hook %s missing", name)
		}
	}
	for name, scripts := range doc.Hooks {
		if !slices.Contains(ec2Hooks, name) && !slices.Contains(lbHooks, name) {
			t.Errorf("hook %q is not an EC2/on-premises lifecycle event", name)
		}
		total := 0
		for _, s := range scripts {
			if s.Timeout == nil || *s.Timeout < 1 || *s.Timeout > 3600 {
				t.Errorf("hook %s: timeout %v, want 1..3600 seconds", name, s.Timeout)
			} else {
				total += *s.Timeout
			}
			if s.Runas != "root" {
				t.Errorf("hook %s: runas %q, want root", name, s.Runas)
			}
			loc := strings.TrimPrefix(s.Location, "/")
			info, err := fs.Stat(bundle.Files(), loc)
			if err != nil {
				t.Errorf("hook %s: script %s is not in the bundle", name, s.Location)
				continue
			}
			if info.IsDir() || bundle.FileMode(loc)&0o111 == 0 {
				t.Errorf("hook %s: %s is not an executable file", name, s.Location)
			}
		}
		if total > 3600 {
			t.Errorf("hook %s: timeouts add up to %d s; CodeDeploy allows 3600 per event", name, total)
		}
	}
}

// TestHooksBeforeInstallReadNoBundleFile: ApplicationStop runs the previous
// revision and BeforeInstall runs before Install copies the files, so neither
// may use another file of the bundle: on a first deployment, or after the
// bundle changed, that file is missing or is the previous revision's.
func TestHooksBeforeInstallReadNoBundleFile(t *testing.T) {
	doc := parseAppspec(t)
	others := []string{"release.env"} // written by the build into the revision
	_ = fs.WalkDir(bundle.Files(), ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			others = append(others, name)
		}
		return nil
	})
	for _, hook := range []string{"ApplicationStop", "BeforeInstall"} {
		for _, s := range doc.Hooks[hook] {
			body := readBundle(t, s.Location)
			if strings.Contains(body, "BASH_SOURCE") || strings.Contains(body, "$0") || regexp.MustCompile(`(?m)^\s*(source|\.)\s`).MatchString(body) {
				t.Errorf("%s (%s) locates or sources files next to itself", hook, s.Location)
			}
			for _, o := range others {
				if o == s.Location {
					continue
				}
				if strings.Contains(body, path.Base(o)) && o != "docker-compose.yml" {
					t.Errorf("%s (%s) refers to bundle file %s", hook, s.Location, o)
				}
			}
		}
	}
}

func requireShellcheck(t *testing.T) string {
	t.Helper()
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if ciMode() {
			t.Fatal("shellcheck is required in CI: install the Debian package shellcheck (apt-get install -y shellcheck)")
		}
		t.Skip("shellcheck not installed (apt-get install -y shellcheck); skipping")
	}
	return sc
}

func TestScriptsShellcheck(t *testing.T) {
	sc := requireShellcheck(t)
	dir := t.TempDir()
	if err := bundle.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	scripts, err := fs.Glob(bundle.Files(), "scripts/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, s := range scripts {
		cmd := exec.Command(sc, "--severity=style", "--external-sources", "--shell=bash", path.Base(s))
		cmd.Dir = dir + "/scripts"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("shellcheck %s:\n%s", s, out)
		}
		body := readBundle(t, s)
		if path.Base(s) != "lib.sh" {
			if !strings.HasPrefix(body, "#!/usr/bin/env bash\n") {
				t.Errorf("%s does not start with #!/usr/bin/env bash", s)
			}
			if !strings.Contains(body, "\nset -euo pipefail\n") {
				t.Errorf("%s does not set -euo pipefail", s)
			}
		}
	}
}

func TestWriteToModes(t *testing.T) {
	dir := t.TempDir()
	// An existing file keeps its mode under os.WriteFile: WriteTo must fix it.
	if err := os.MkdirAll(dir+"/scripts", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/scripts/after-install.sh", []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := bundle.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	err := fs.WalkDir(bundle.Files(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := os.Stat(dir + "/" + name)
		if err != nil {
			return err
		}
		want := fs.FileMode(0o644)
		if strings.HasPrefix(name, "scripts/") && strings.HasSuffix(name, ".sh") {
			want = 0o755
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", name, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"appspec.yml", "docker-compose.yml", "nginx/conf.d/nginx.conf", "scripts/lib.sh"} {
		if _, err := os.Stat(dir + "/" + want); err != nil {
			t.Errorf("%s not written: %v", want, err)
		}
	}
	if err := bundle.WriteTo(""); err == nil {
		t.Error("WriteTo(\"\") succeeded")
	}
}

func TestDefaultCompose(t *testing.T) {
	var doc struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			EnvFile     any               `yaml:"env_file"`
			Restart     string            `yaml:"restart"`
			Ports       []string          `yaml:"ports"`
			Volumes     []string          `yaml:"volumes"`
			Healthcheck map[string]any    `yaml:"healthcheck"`
			Environment map[string]string `yaml:"environment"`
			Container   string            `yaml:"container_name"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal([]byte(readBundle(t, "docker-compose.yml")), &doc); err != nil {
		t.Fatal(err)
	}
	app, nginx := doc.Services["app"], doc.Services["nginx"]
	if !strings.HasPrefix(app.Image, "${IMAGE_URI") || app.EnvFile != ".env" || app.Restart != "unless-stopped" {
		t.Errorf("app service %+v: want image ${IMAGE_URI}, env_file .env, restart unless-stopped", app)
	}
	// Two colours of the app run side by side: neither may claim a host port
	// or a fixed container name.
	if len(app.Ports) > 0 || app.Container != "" {
		t.Errorf("app service publishes ports %v or names its container %q", app.Ports, app.Container)
	}
	if nginx.Restart != "unless-stopped" || !slices.Contains(nginx.Ports, "${HTTP_PORT:-80}:80") {
		t.Errorf("nginx service %+v: want restart unless-stopped and port ${HTTP_PORT:-80}:80", nginx)
	}
	// Only directories the hooks own: Install recreates the ones it copies.
	if !slices.Equal(nginx.Volumes, []string{"./state/proxy/conf.d:/etc/nginx/conf.d:ro", "./state/proxy/upstream:/etc/nginx/shipline:ro"}) {
		t.Errorf("nginx mounts %v, want state/proxy/conf.d and state/proxy/upstream", nginx.Volumes)
	}
	// healthCheckPath is a value of the user's: it must reach the check as one
	// argument, never through a shell.
	test, _ := nginx.Healthcheck["test"].([]any)
	if len(test) == 0 || test[0] != "CMD" {
		t.Errorf("nginx health check %v: want the exec form [\"CMD\", ...], not a shell", nginx.Healthcheck["test"])
	}
	conf := readBundle(t, "nginx/conf.d/nginx.conf")
	if !strings.Contains(conf, "include /etc/nginx/shipline/upstream.conf;") || !strings.Contains(conf, "proxy_pass http://$shipline_app;") {
		t.Errorf("nginx.conf does not proxy to the upstream the hooks write:\n%s", conf)
	}
}
