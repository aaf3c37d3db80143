package smoketest_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shipline/shipline/constructs/smoketest"
)

// server answers 503 to the first failures requests, then 200.
func server(t *testing.T, failures int32) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= failures {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// runScript runs the check as CodeBuild does (sh, one command), with real
// curl against a local server.
func runScript(t *testing.T, env ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is not on PATH; CI must install it")
		}
		t.Skip("curl is not on PATH")
	}
	cmd := exec.Command("sh", "-c", smoketest.Script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), append([]string{"CHECK_INTERVAL=0", "CHECK_TIMEOUT=5"}, env...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestScript(t *testing.T) {
	tests := []struct {
		name      string
		failures  int32
		attempts  string
		command   string
		wantErr   bool
		wantCalls int32
		wantOut   []string
		notOut    string
	}{
		{"healthy at once", 0, "3", "", false, 1, []string{"answered 200 (attempt 1 of 3)"}, ""},
		{"healthy after retries", 2, "3", "", false, 3, []string{"answered 503 (attempt 1 of 3)", "answered 200 (attempt 3 of 3)"}, ""},
		{"never healthy", 5, "3", "", true, 3, []string{"failed:", "did not answer 2xx or 3xx in 3 attempts"}, ""},
		{"command runs against the URL", 0, "1", `test -n "$CHECK_URL" && echo "smoke against $CHECK_URL"`, false, 1, []string{"smoke against http://127.0.0.1:"}, ""},
		{"command fails", 0, "1", "exit 7", true, 1, []string{"'exit 7' exited with status 7"}, ""},
		{"no command after a failed URL", 5, "2", "echo should-not-run", true, 2, []string{"in 2 attempts"}, "running"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := server(t, tc.failures)
			env := []string{"CHECK_URL=" + srv.URL + "/health", "CHECK_ATTEMPTS=" + tc.attempts}
			if tc.command != "" {
				env = append(env, "CHECK_COMMAND="+tc.command)
			}
			out, err := runScript(t, env...)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error: got %v, want error %v; output:\n%s", err, tc.wantErr, out)
			}
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("requests: got %d, want %d", got, tc.wantCalls)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("want %q in output:\n%s", w, out)
				}
			}
			if tc.notOut != "" && strings.Contains(out, tc.notOut) {
				t.Errorf("want no %q in output:\n%s", tc.notOut, out)
			}
		})
	}
}

// TestScriptCommandRunsInRepository: the command runs from the working
// directory CodeBuild starts in, the checked-out repository.
func TestScriptCommandRunsInRepository(t *testing.T) {
	srv, _ := server(t, 0)
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not on PATH")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "smoke.sh"), []byte("#!/bin/sh\necho repo-script-ran\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", smoketest.Script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CHECK_URL="+srv.URL, "CHECK_ATTEMPTS=1", "CHECK_INTERVAL=1", "CHECK_COMMAND=./smoke.sh")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "repo-script-ran") {
		t.Fatalf("got %v:\n%s", err, out)
	}
}
