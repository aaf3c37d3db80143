package agentsim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// HookRun is the record of one hook script run.
type HookRun struct {
	Event    string
	Script   string // the appspec location
	Archive  string // the revision it ran from
	Output   string // stdout and stderr, interleaved
	ExitCode int
	TimedOut bool
	Start    time.Time
	End      time.Time
}

// killWait is how long the agent waits for a killed script's output to end.
const killWait = 5 * time.Second

func (h *Host) runHooks(d *Deployment, event, archive string) error {
	spec, err := ReadAppSpec(archive)
	if err != nil {
		return err
	}
	for _, s := range spec.Hooks[event] {
		run := h.runScript(d, event, archive, s)
		d.Hooks = append(d.Hooks, run)
		h.logf("%s %s (deployment %s) exit %d in %.1fs:\n%s", event, s.Location, d.ID, run.ExitCode,
			run.End.Sub(run.Start).Seconds(), run.Output)
		switch {
		case run.TimedOut:
			return fmt.Errorf("script at specified location: %s failed to complete in %d seconds", s.Location, timeout(s))
		case run.ExitCode != 0:
			return fmt.Errorf("script at specified location: %s run as user %s failed with exit code %d", s.Location, runAs(s), run.ExitCode)
		}
	}
	return nil
}

func timeout(s Script) int {
	if s.Timeout <= 0 {
		return maxTimeout
	}
	return s.Timeout
}

func runAs(s Script) string {
	if s.RunAs == "" {
		return "root"
	}
	return s.RunAs
}

func (h *Host) runScript(d *Deployment, event, archive string, s Script) HookRun {
	run := HookRun{Event: event, Script: s.Location, Archive: archive, Start: time.Now()}
	run.exec(h, d, scriptPath(archive, s), s)
	run.End = time.Now()
	return run
}

func scriptPath(archive string, s Script) string {
	return filepath.Join(archive, filepath.FromSlash(s.Location))
}

func (run *HookRun) exec(h *Host, d *Deployment, path string, s Script) {
	info, err := os.Stat(path)
	if err != nil {
		run.ExitCode, run.Output = -1, fmt.Sprintf("script does not exist at specified location: %s\n", path)
		return
	}
	if info.Mode().Perm()&0o100 == 0 {
		// The agent makes a script executable before it runs it.
		_ = os.Chmod(path, info.Mode().Perm()|0o111)
	}
	cmd := h.command(path, s)
	cmd.Dir = "/"
	cmd.Env = append(append([]string{}, h.Env...), h.agentEnv(d, run.Event)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// The agent reads the script's output until it ends: a process that keeps
	// it open holds the hook until the timeout, as it holds the agent.
	pr, pw, err := os.Pipe()
	if err != nil {
		run.ExitCode, run.Output = -1, err.Error()+"\n"
		return
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		run.ExitCode, run.Output = -1, err.Error()+"\n"
		return
	}
	var out bytes.Buffer
	eof := make(chan struct{})
	go func() { _, _ = io.Copy(&out, pr); close(eof) }()
	var timedOut atomic.Bool
	timer := time.AfterFunc(time.Duration(timeout(s))*time.Second, func() {
		timedOut.Store(true)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		time.AfterFunc(killWait, func() { pr.Close() })
	})
	err = cmd.Wait()
	<-eof
	timer.Stop()
	pr.Close()
	run.Output, run.TimedOut = out.String(), timedOut.Load()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		run.ExitCode = exit.ExitCode()
	case err != nil:
		run.ExitCode = -1
		run.Output += err.Error() + "\n"
	}
}

// command runs the script directly when runas is the current user, else
// through su as the agent does.
func (h *Host) command(path string, s Script) *exec.Cmd {
	if u, err := user.Current(); err == nil && (s.RunAs == "" || s.RunAs == u.Username) {
		return exec.Command(path)
	}
	return exec.Command("su", s.RunAs, "-c", path)
}

func (h *Host) agentEnv(d *Deployment, event string) []string {
	env := []string{
		"LIFECYCLE_EVENT=" + event,
		"DEPLOYMENT_ID=" + d.ID,
		"APPLICATION_NAME=" + h.ApplicationName,
		"DEPLOYMENT_GROUP_NAME=" + h.GroupName,
		"DEPLOYMENT_GROUP_ID=" + h.GroupID,
	}
	if b := h.Bundle; b.Bucket != "" {
		env = append(env, "BUNDLE_BUCKET="+b.Bucket, "BUNDLE_KEY="+b.Key,
			"BUNDLE_VERSION="+b.Version, "BUNDLE_ETAG="+b.ETag)
	}
	return env
}
