package realhost_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipline/shipline/internal/motoserver"
)

// engine is the test bed shared by the scenarios: brought up on first use,
// torn down by TestMain.
type engine struct {
	state      string // up.sh's state directory
	dockerHost string
	registry   string // 127.0.0.1:PORT
	ownDaemon  bool
	moto       *motoserver.Server
	appBin     string // the test app, built once
	proxyImage string // the nginx stand-in in the registry, by digest
	// localTags are image names this run added to the engine (the stand-in
	// under the bundle's default proxy image names); removed at the end.
	localTags []string
}

var bed struct {
	once sync.Once
	eng  *engine
	err  error
}

// repoRoot is the module root: the tests run in test/realhost.
var repoRoot = func() string {
	wd, _ := os.Getwd()
	return filepath.Clean(filepath.Join(wd, "..", ".."))
}()

func TestMain(m *testing.M) {
	code := m.Run()
	if bed.eng != nil {
		bed.eng.down()
	}
	motoserver.StopShared()
	if err := figures.write(); err != nil {
		fmt.Fprintln(os.Stderr, "figures:", err)
		code = 1
	}
	os.Exit(code)
}

// requireEngine returns the test bed, bringing it up on first use. Without
// its prerequisites the test is skipped, or failed under CI.
func requireEngine(t *testing.T) *engine {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the real-engine tests need Linux")
	}
	moto := motoserver.Shared(t)
	motoserver.RequireAWSCLI(t)
	bed.once.Do(func() { bed.eng, bed.err = up(moto) })
	if bed.err != nil {
		if motoserver.CI() {
			t.Fatalf("the real-engine test bed is required in CI: %v", bed.err)
		}
		t.Skipf("real-engine test bed not available: %v", bed.err)
	}
	return bed.eng
}

func up(moto *motoserver.Server) (*engine, error) {
	start := time.Now()
	cmd := exec.Command(filepath.Join(repoRoot, "test", "engine", "up.sh"), "--owner", fmt.Sprint(os.Getpid()))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("test/engine/up.sh: %v\n%s", err, stderr.String())
	}
	e := &engine{state: strings.TrimSpace(string(out)), moto: moto}
	env, err := readEnvFile(filepath.Join(e.state, "engine.env"))
	if err != nil {
		return nil, err
	}
	e.dockerHost, e.registry, e.ownDaemon = env["DOCKER_HOST"], env["REGISTRY"], env["OWN_DAEMON"] == "yes"
	// Every docker command of the tests and of the hooks goes to this engine
	// and finds the compose plugin in this config.
	os.Setenv("DOCKER_HOST", e.dockerHost)
	os.Setenv("DOCKER_CONFIG", env["DOCKER_CONFIG"])
	os.Setenv("DOCKER_BUILDKIT", "0") // FROM scratch images need no BuildKit
	fmt.Fprint(os.Stderr, stderr.String())
	if err := e.buildImages(); err != nil {
		e.down()
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "realhost: test bed up in %.1fs\n", time.Since(start).Seconds())
	return e, nil
}

func (e *engine) down() {
	for _, tag := range e.localTags {
		_, _ = e.docker("image", "rm", tag)
	}
	cmd := exec.Command(filepath.Join(repoRoot, "test", "engine", "down.sh"), e.state)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "realhost: test/engine/down.sh %s: %v\n", e.state, err)
	}
}

// docker runs the docker CLI against the test bed's engine.
func (e *engine) docker(args ...string) (string, error) {
	var out bytes.Buffer
	cmd := exec.Command("docker", args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// ctl stops or starts a part of the test bed (test/engine/ctl.sh); the
// daemon only when the test bed started it, else the test is skipped.
func (e *engine) ctl(t *testing.T, action string) {
	t.Helper()
	if strings.HasSuffix(action, "-daemon") && !e.ownDaemon {
		t.Skipf("the engine at %s was already running: this scenario stops the daemon, which is not done to someone's own engine", e.dockerHost)
	}
	out, err := exec.Command(filepath.Join(repoRoot, "test", "engine", "ctl.sh"), e.state, action).CombinedOutput()
	t.Logf("ctl.sh %s:\n%s", action, out)
	if err != nil {
		t.Fatalf("test/engine/ctl.sh %s: %v", action, err)
	}
}

func readEnvFile(name string) (map[string]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env, sc.Err()
}
