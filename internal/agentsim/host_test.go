package agentsim_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shipline/shipline/internal/agentsim"
)

// revision writes a revision whose hooks append "<event> <name> <env>" to
// $TRACE; failAt names an event whose script exits 1, extra adds files.
func revision(t *testing.T, name, failAt string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	appspec := "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /opt/app\nfile_exists_behavior: OVERWRITE\n" +
		"permissions:\n  - object: /opt/app/scripts\n    pattern: \"*.sh\"\n    mode: 750\n    type: [file]\nhooks:\n"
	for _, ev := range []string{"ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"} {
		appspec += fmt.Sprintf("  %s:\n    - location: scripts/%s.sh\n      timeout: 30\n", ev, ev)
		body := "#!/bin/sh\necho \"$LIFECYCLE_EVENT " + name + " $DEPLOYMENT_ID $APPLICATION_NAME $DEPLOYMENT_GROUP_NAME $DEPLOYMENT_GROUP_ID $(pwd)\" >>\"$TRACE\"\n"
		if ev == failAt {
			body += "echo failing; exit 1\n"
		}
		write(t, filepath.Join(dir, "scripts", ev+".sh"), body, 0o644)
	}
	write(t, filepath.Join(dir, "appspec.yml"), appspec, 0o644)
	for p, body := range extra {
		write(t, filepath.Join(dir, p), body, 0o644)
	}
	return dir
}

func write(t *testing.T, p, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

func newHost(t *testing.T) (*agentsim.Host, string) {
	t.Helper()
	dir := t.TempDir()
	trace := filepath.Join(dir, "trace")
	return &agentsim.Host{
		Root: filepath.Join(dir, "root"), AgentDir: filepath.Join(dir, "agent"),
		Env:             []string{"PATH=/usr/bin:/bin", "TRACE=" + trace},
		ApplicationName: "app", GroupName: "prod", GroupID: "g-1",
		Logf: t.Logf,
	}, trace
}

// events returns the trace lines written since the last call, without IDs.
func events(t *testing.T, trace string) []string {
	t.Helper()
	data, err := os.ReadFile(trace)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	_ = os.Remove(trace)
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if f := strings.Fields(l); len(f) >= 2 {
			out = append(out, f[0]+" "+f[1])
		}
	}
	return out
}

func TestDeployOrderAndApplicationStopSource(t *testing.T) {
	h, trace := newHost(t)
	steps := []struct {
		name, failAt string
		wantFailed   string
		want         []string
	}{
		{"r1", "", "", []string{"BeforeInstall r1", "AfterInstall r1", "ApplicationStart r1", "ValidateService r1"}},
		// Install finished before AfterInstall failed: r2 becomes the revision ApplicationStop runs from.
		{"r2", "AfterInstall", "AfterInstall", []string{"ApplicationStop r1", "BeforeInstall r2", "AfterInstall r2"}},
		// BeforeInstall fails before Install: r2 stays the last installed.
		{"r3", "BeforeInstall", "BeforeInstall", []string{"ApplicationStop r2", "BeforeInstall r3"}},
		{"r4", "", "", []string{"ApplicationStop r2", "BeforeInstall r4", "AfterInstall r4", "ApplicationStart r4", "ValidateService r4"}},
	}
	for _, s := range steps {
		d := h.Deploy(revision(t, s.name, s.failAt, nil))
		if d.Failed != s.wantFailed {
			t.Errorf("%s: failed at %q (%v), want %q", s.name, d.Failed, d.Err, s.wantFailed)
		}
		if got := events(t, trace); strings.Join(got, ", ") != strings.Join(s.want, ", ") {
			t.Errorf("%s: hooks ran\n  %s\nwant\n  %s", s.name, strings.Join(got, ", "), strings.Join(s.want, ", "))
		}
	}
}

func TestHookEnvironment(t *testing.T) {
	h, trace := newHost(t)
	d := h.Deploy(revision(t, "r1", "", nil))
	if !d.Succeeded() {
		t.Fatal(d.Err)
	}
	data, _ := os.ReadFile(trace)
	first := strings.Fields(strings.Split(string(data), "\n")[0])
	if want := []string{"BeforeInstall", "r1", d.ID, "app", "prod", "g-1", "/"}; strings.Join(first, " ") != strings.Join(want, " ") {
		t.Errorf("hook saw %q, want %q", first, want)
	}
	if !strings.HasPrefix(d.ID, "d-") || len(d.ID) != 11 {
		t.Errorf("deployment ID %q, want d- and 9 characters", d.ID)
	}
}

func TestInstallCopiesFilesAndRemovesThePreviousOnes(t *testing.T) {
	h, _ := newHost(t)
	if d := h.Deploy(revision(t, "r1", "", map[string]string{"old.txt": "1", "conf/a.conf": "a"})); !d.Succeeded() {
		t.Fatal(d.Err)
	}
	app := filepath.Join(h.Root, "opt", "app")
	write(t, filepath.Join(app, ".env"), "written by a hook", 0o600)
	if d := h.Deploy(revision(t, "r2", "", map[string]string{"conf/a.conf": "b"})); !d.Succeeded() {
		t.Fatal(d.Err)
	}
	for p, want := range map[string]string{"conf/a.conf": "b", ".env": "written by a hook", "old.txt": ""} {
		got, err := os.ReadFile(filepath.Join(app, p))
		if want == "" {
			if err == nil {
				t.Errorf("%s of the previous revision is still installed", p)
			}
			continue
		}
		if string(got) != want {
			t.Errorf("%s = %q (%v), want %q", p, got, err, want)
		}
	}
	info, err := os.Stat(filepath.Join(app, "scripts", "BeforeInstall.sh"))
	if err != nil || info.Mode().Perm() != 0o750 {
		t.Errorf("permissions section not applied: %v %v", info.Mode(), err)
	}
}

func TestHookTimeoutKillsTheProcessGroup(t *testing.T) {
	h, _ := newHost(t)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "appspec.yml"), "version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: hang.sh\n      timeout: 1\n", 0o644)
	// The background child keeps the output open, as a daemon started by a
	// careless hook does.
	pidFile := filepath.Join(dir, "child.pid")
	write(t, filepath.Join(dir, "hang.sh"), "#!/bin/sh\nsleep 60 &\necho $! >"+pidFile+"\necho started\nwait\n", 0o755)
	start := time.Now()
	d := h.Deploy(dir)
	if d.Failed != "BeforeInstall" || !d.Hooks[0].TimedOut {
		t.Fatalf("failed at %q, timed out %v; want a BeforeInstall timeout", d.Failed, d.Hooks[0].TimedOut)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the timeout of 1 s ended the hook after %s", took)
	}
	if !strings.Contains(d.Err.Error(), "failed to complete in 1 seconds") || !strings.Contains(d.Hooks[0].Output, "started") {
		t.Errorf("err %v, output %q", d.Err, d.Hooks[0].Output)
	}
	pid, _ := os.ReadFile(pidFile)
	stat := "/proc/" + strings.TrimSpace(string(pid)) + "/stat"
	for end := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		data, err := os.ReadFile(stat)
		if err != nil || strings.Contains(string(data), ") Z") {
			break // gone, or dead and waiting for its new parent to reap it
		}
		if time.Now().After(end) {
			t.Errorf("the hook's child %s survived the timeout: %s", pid, data)
			break
		}
	}
}
