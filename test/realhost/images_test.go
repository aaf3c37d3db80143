package realhost_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/shipline/shipline/bundle"
)

// release describes a test app image.
type release struct {
	Version string
	// Unhealthy makes /health answer 503: a release that never turns healthy.
	Unhealthy bool
	// ExitCode, when not 0, makes the app exit at start.
	ExitCode int
	// Healthcheck adds a Docker HEALTHCHECK running the app's own probe
	// (without one, only the proxy's health check sees the app).
	Healthcheck bool
}

func (r release) file() string {
	s := "version=" + r.Version + "\n"
	if r.Unhealthy {
		s += "health=fail\n"
	}
	if r.ExitCode != 0 {
		s += fmt.Sprintf("exit=%d\n", r.ExitCode)
	}
	return s
}

func (r release) dockerfile() string {
	s := "FROM scratch\nCOPY app /app\nCOPY release /release\nEXPOSE 8080\n"
	if r.Healthcheck {
		s += `HEALTHCHECK --interval=2s --timeout=3s --retries=3 CMD ["/app", "-check"]` + "\n"
	}
	return s + `ENTRYPOINT ["/app"]` + "\n"
}

// buildImages builds the test app binary and the proxy stand-in once per run.
func (e *engine) buildImages() error {
	e.appBin = filepath.Join(e.state, "testapp")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", e.appBin, "./test/realhost/testapp")
	build.Dir = repoRoot
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the test app: %v\n%s", err, out)
	}
	var err error
	if e.proxyImage, err = e.buildProxy(); err != nil {
		return fmt.Errorf("building the nginx stand-in: %w", err)
	}
	return e.tagDefaultProxyNames()
}

// pushRelease builds r into repo (a repository of the test registry), pushes
// it and returns it pinned by digest, as the build hands it to CodeDeploy.
// The local tag is removed: the host pulls the image like one that was built
// elsewhere.
func (e *engine) pushRelease(repo string, r release) (string, error) {
	ctx, err := os.MkdirTemp(e.state, "release-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(ctx)
	data, err := os.ReadFile(e.appBin)
	if err != nil {
		return "", err
	}
	files := map[string]string{"app": string(data), "release": r.file(), "Dockerfile": r.dockerfile()}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(ctx, name), []byte(body), 0o755); err != nil {
			return "", err
		}
	}
	return e.buildAndPush(ctx, e.registry+"/"+repo+":"+r.Version, true)
}

// buildAndPush builds the context, pushes the tag and returns repo@digest.
func (e *engine) buildAndPush(ctx, tag string, untag bool) (string, error) {
	if _, err := e.docker("build", "--quiet", "--tag", tag, ctx); err != nil {
		return "", err
	}
	if _, err := e.docker("push", "--quiet", tag); err != nil {
		return "", err
	}
	out, err := e.docker("image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", tag)
	if err != nil {
		return "", err
	}
	repo := tag[:strings.LastIndex(tag, ":")]
	var ref string
	for _, l := range strings.Fields(out) {
		if strings.HasPrefix(l, repo+"@sha256:") {
			ref = l
		}
	}
	if ref == "" {
		return "", fmt.Errorf("no digest of %s in the registry after the push: %s", tag, out)
	}
	if untag {
		if _, err := e.docker("image", "rm", tag); err != nil {
			return "", err
		}
	}
	return ref, nil
}

// tagDefaultProxyNames gives the stand-in the proxy image names the bundle's
// compose file defaults to (nothing is pulled from Docker Hub here), unless
// the engine already has that image.
func (e *engine) tagDefaultProxyNames() error {
	data, err := fs.ReadFile(bundle.Files(), "docker-compose.yml")
	if err != nil {
		return err
	}
	for _, name := range regexp.MustCompile(`\bnginx:[A-Za-z0-9._-]+`).FindAllString(string(data), -1) {
		if _, err := e.docker("image", "inspect", name); err == nil {
			continue
		}
		if _, err := e.docker("tag", e.proxyImage, name); err != nil {
			return err
		}
		e.localTags = append(e.localTags, name)
	}
	return nil
}
