package realhost_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProxyStandIn checks the nginx stand-in on what the bundle relies on:
// a template rendered with the environment (nginx's own variables left
// alone), wget inside, and `nginx -s reload` switching to a new
// configuration while it keeps serving.
func TestProxyStandIn(t *testing.T) {
	e := requireEngine(t)
	dir := t.TempDir()
	if err := writeFile(filepath.Join(dir, "templates", "extra.conf.template"),
		"server {\n    listen 81;\n    location / { return 200 \"${GREETING} $request_method\\n\"; }\n}\n", 0o644); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("shipline-test-proxy-%d", os.Getpid())
	port := freePort(t)
	// The test bed's engine has no default bridge: a network of the test's own.
	if _, err := e.docker("network", "create", name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = e.docker("network", "rm", name) })
	if _, err := e.docker("run", "--detach", "--name", name, "--network", name, "--publish", fmt.Sprintf("127.0.0.1:%d:80", port),
		"--env", "GREETING=hello",
		"--volume", filepath.Join(dir, "templates")+":/etc/nginx/templates:ro",
		e.proxyImage); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = e.docker("rm", "--force", name) })
	exec := func(args ...string) string {
		t.Helper()
		out, err := e.docker(append([]string{"exec", name}, args...)...)
		if err != nil {
			logs, _ := e.docker("logs", name)
			t.Fatalf("%v\nlogs:\n%s", err, logs)
		}
		return out
	}
	waitFor(t, func() bool {
		_, err := e.docker("exec", name, "wget", "-q", "-O", "-", "http://127.0.0.1:81/")
		return err == nil
	})
	if got := exec("wget", "-q", "-O", "-", "http://127.0.0.1:81/"); got != "hello GET\n" {
		t.Errorf("the template rendered to %q, want %q", got, "hello GET\n")
	}
	if got := exec("cat", "/etc/nginx/conf.d/extra.conf"); !strings.Contains(got, "$request_method") {
		t.Errorf("nginx's own variables were substituted:\n%s", got)
	}
	hostGet := func(when string) {
		t.Helper()
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err != nil {
			logs, _ := e.docker("logs", name)
			ps, _ := e.docker("port", name)
			t.Fatalf("%s the published port does not answer: %v\nports: %s\n%s", when, err, ps, logs)
		}
		resp.Body.Close()
	}
	hostGet("before the reload")
	exec("nginx", "-t")
	exec("sh", "-c", `sed -i 's/listen 81;/listen 82;/' /etc/nginx/conf.d/extra.conf`)
	exec("nginx", "-s", "reload")
	waitFor(t, func() bool {
		_, err := e.docker("exec", name, "wget", "-q", "-O", "-", "http://127.0.0.1:82/")
		return err == nil
	})
	for _, url := range []string{"http://127.0.0.1:82/", "http://127.0.0.1:80/"} {
		if _, err := e.docker("exec", name, "wget", "-q", "-O", "-", url); err != nil {
			t.Errorf("after the reload %s does not answer: %v", url, err)
		}
	}
	hostGet("after the reload")
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); !ok(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("timed out")
		}
	}
}
