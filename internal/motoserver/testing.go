package motoserver

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// CI reports whether the tests run in CI (CI=true), where a missing tool
// fails the test instead of skipping it.
func CI() bool { return os.Getenv("CI") == "true" }

var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Shared returns the test binary's emulator, starting it on first use so
// that tests needing none stay fast. When it cannot start, the test is
// skipped, or failed under CI. Call StopShared from TestMain.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.once.Do(func() { shared.srv, shared.err = Start() })
	if shared.err != nil {
		msg := "AWS emulator not available (" + shared.err.Error() + "); install moto[server] to run this test"
		if CI() {
			t.Fatal("the AWS emulator is required in CI: " + msg)
		}
		t.Skip(msg)
	}
	return shared.srv
}

// StopShared stops the emulator Shared started, if any.
func StopShared() { shared.srv.Stop() }

// RequireAWSCLI skips the test (fails it under CI) when the aws CLI is not
// on PATH.
func RequireAWSCLI(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if CI() {
			t.Fatal("the aws CLI is required in CI (pip install awscli)")
		}
		t.Skip("aws CLI not on PATH; install awscli to run this test")
	}
}

// AWSCLIDir returns the directory of the real aws executable when it sits
// behind a pyenv shim ("" otherwise): putting it first on PATH saves the
// shim's extra processes on every call.
func AWSCLIDir() string {
	out, err := exec.Command("pyenv", "which", "aws").Output()
	if err != nil {
		return ""
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}
