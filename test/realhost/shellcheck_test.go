package realhost_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shipline/shipline/internal/motoserver"
)

// TestScriptsShellcheck lints the test bed's scripts and the compose plugin
// builder.
func TestScriptsShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		if motoserver.CI() {
			t.Fatal("shellcheck is required in CI (apt-get install shellcheck)")
		}
		t.Skip("shellcheck not on PATH")
	}
	scripts, _ := filepath.Glob(filepath.Join(repoRoot, "test", "engine", "*.sh"))
	scripts = append(scripts, filepath.Join(repoRoot, "tools", "compose", "plugin.sh"), filepath.Join(repoRoot, ".ci", "run"))
	if len(scripts) < 5 {
		t.Fatalf("found only %v", scripts)
	}
	cmd := exec.Command(sc, append([]string{"--external-sources", "--severity=style"}, scripts...)...)
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}
