package agentsim

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Host is one EC2 instance of a deployment group, as its agent sees it.
type Host struct {
	// Root stands in for the host's /: an appspec destination /opt/app is
	// written to Root/opt/app.
	Root string
	// AgentDir stands in for /opt/codedeploy-agent/deployment-root.
	AgentDir string
	// Env is the agent's own environment, which every hook inherits.
	Env []string
	// ApplicationName, GroupName and GroupID name the deployment group.
	ApplicationName, GroupName, GroupID string
	// Bundle describes the S3 revision (BUNDLE_* variables); empty when unset.
	Bundle S3Revision
	// Logf receives each hook's output; nil discards it.
	Logf func(format string, args ...any)

	// last is the archive of the most recent deployment whose Install
	// finished, the one ApplicationStop runs from.
	last string
	// installed lists the files the last Install copied, which the next
	// Install removes first.
	installed []string
}

// S3Revision is where an S3 revision came from.
type S3Revision struct{ Bucket, Key, Version, ETag string }

// Deployment is the record of one deployment on the host.
type Deployment struct {
	ID       string
	Revision string // the revision directory deployed
	Archive  string // its copy under AgentDir
	Hooks    []HookRun
	// Failed is the lifecycle event that failed, "" when the deployment
	// succeeded; Err says why.
	Failed     string
	Err        error
	Start, End time.Time
}

// Succeeded reports whether every lifecycle event succeeded.
func (d *Deployment) Succeeded() bool { return d.Err == nil }

// Duration is the time from the first lifecycle event to the deployment's end.
func (d *Deployment) Duration() time.Duration { return d.End.Sub(d.Start) }

// Hook returns the first run of event's scripts, nil when none ran.
func (d *Deployment) Hook(event string) *HookRun {
	for i := range d.Hooks {
		if d.Hooks[i].Event == event {
			return &d.Hooks[i]
		}
	}
	return nil
}

// Output is the output of every hook script run, in order, each headed by
// its event and script.
func (d *Deployment) Output() string {
	var s string
	for _, h := range d.Hooks {
		s += fmt.Sprintf("== %s %s (exit %d)\n%s", h.Event, h.Script, h.ExitCode, h.Output)
	}
	return s
}

// LastInstalled is the archive ApplicationStop of the next deployment runs
// from, "" when no Install has finished on this host yet.
func (h *Host) LastInstalled() string { return h.last }

// Deploy runs the revision in dir (an unpacked bundle with appspec.yml at its
// root) through every lifecycle event and returns the deployment's record.
func (h *Host) Deploy(dir string) *Deployment {
	d := &Deployment{ID: newDeploymentID(), Revision: dir, Start: time.Now()}
	defer func() { d.End = time.Now() }()
	for _, event := range Events {
		if err := h.runEvent(d, event); err != nil {
			d.Failed, d.Err = event, fmt.Errorf("%s: %w", event, err)
			h.logf("deployment %s failed at %s: %v", d.ID, event, err)
			return d
		}
	}
	return d
}

func (h *Host) runEvent(d *Deployment, event string) error {
	switch event {
	case "ApplicationStop":
		if h.last == "" {
			return nil // first deployment on this host
		}
		return h.runHooks(d, event, h.last)
	case "DownloadBundle":
		d.Archive = filepath.Join(h.AgentDir, h.GroupID, d.ID, "deployment-archive")
		return copyTree(d.Revision, d.Archive)
	case "Install":
		if err := h.install(d.Archive); err != nil {
			return err
		}
		h.last = d.Archive
		return nil
	default:
		return h.runHooks(d, event, d.Archive)
	}
}

func (h *Host) logf(format string, args ...any) {
	if h.Logf != nil {
		h.Logf(format, args...)
	}
}

// newDeploymentID returns an ID shaped like CodeDeploy's: d- and 9 characters.
func newDeploymentID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "d-" + string(b)
}

func copyTree(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return copyFile(p, target, info.Mode().Perm())
	})
}

func copyFile(src, dst string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, mode)
}
