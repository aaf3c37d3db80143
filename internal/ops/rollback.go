package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
)

// Progress is one observation of a deployment while it runs.
type Progress struct {
	Deployment string `json:"deployment"`
	Status     string `json:"status"`
	Pending    int64  `json:"pending"`
	InProgress int64  `json:"inProgress"`
	Succeeded  int64  `json:"succeeded"`
	Failed     int64  `json:"failed"`
	Skipped    int64  `json:"skipped"`
}

func (p Progress) String() string {
	return fmt.Sprintf("%s %s: %d succeeded, %d in progress, %d pending, %d failed, %d skipped",
		p.Deployment, p.Status, p.Succeeded, p.InProgress, p.Pending, p.Failed, p.Skipped)
}

// RollbackOptions tune the wait.
type RollbackOptions struct {
	// Poll is the time between two looks at the deployment.
	Poll time.Duration
	// Timeout bounds the wait; the deployment goes on after it.
	Timeout time.Duration
	// OnProgress is called each time the deployment's state changes.
	OnProgress func(Progress)
}

// Outcome is what a rollback did.
type Outcome struct {
	Release    Release         `json:"release"`
	Deployment *DeploymentInfo `json:"deployment"`
	// Hosts says how each host ended (only when the deployment failed).
	Hosts []HostStatus `json:"hosts,omitempty"`
}

// ErrDeploymentFailed is returned (wrapped) when the deployment ends in any
// state but Succeeded.
var ErrDeploymentFailed = errors.New("deployment did not succeed")

// Deploy creates a CodeDeploy deployment of exactly the release's bundle to
// the stack's deployment group and waits until it ends.
func Deploy(ctx context.Context, c *Clients, s *Stack, r Release, opt RollbackOptions) (*Outcome, error) {
	if !r.Deployable {
		return nil, fmt.Errorf("release %s cannot be deployed again: %s", r.ID, r.Problem)
	}
	desc := fmt.Sprintf("shipline rollback to %s (%s)", r.ID, r.Image)
	out, err := c.CodeDeploy.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName:     &s.Application,
		DeploymentGroupName: &s.DeploymentGroup,
		Revision:            r.Bundle.revision(),
		Description:         &desc,
	})
	if err != nil {
		return nil, explain(err)
	}
	id := deref(out.DeploymentId)
	d, err := wait(ctx, c, id, opt)
	o := &Outcome{Release: r}
	if d != nil {
		o.Deployment = deploymentInfo(*d)
	}
	if err != nil {
		return o, err
	}
	if d.Status != types.DeploymentStatusSucceeded {
		o.Hosts, _ = hostStatuses(ctx, c, []types.DeploymentInfo{*d}, []Release{r})
		return o, fmt.Errorf("%w: %s ended %s", ErrDeploymentFailed, id, d.Status)
	}
	return o, nil
}

// wait polls the deployment until it ends, reporting each change.
func wait(ctx context.Context, c *Clients, id string, opt RollbackOptions) (*types.DeploymentInfo, error) {
	if opt.Poll <= 0 {
		opt.Poll = 5 * time.Second
	}
	deadline := time.Now().Add(opt.Timeout)
	var last Progress
	var d *types.DeploymentInfo
	for {
		got, err := c.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: &id})
		if err != nil {
			return d, explain(err)
		}
		d = got.DeploymentInfo
		p := progressOf(id, d)
		if p != last && opt.OnProgress != nil {
			opt.OnProgress(p)
		}
		last = p
		if ended(d.Status) {
			return d, nil
		}
		if opt.Timeout > 0 && time.Now().After(deadline) {
			return d, fmt.Errorf("deployment %s is still %s after %s: it goes on; follow it with `shipline status`", id, d.Status, opt.Timeout)
		}
		select {
		case <-ctx.Done():
			return d, fmt.Errorf("stopped waiting for deployment %s (%s): it goes on; follow it with `shipline status`", id, d.Status)
		case <-time.After(opt.Poll):
		}
	}
}

func progressOf(id string, d *types.DeploymentInfo) Progress {
	p := Progress{Deployment: id, Status: string(d.Status)}
	if o := d.DeploymentOverview; o != nil {
		p.Pending, p.InProgress, p.Succeeded, p.Failed, p.Skipped = o.Pending, o.InProgress, o.Succeeded, o.Failed, o.Skipped
	}
	return p
}

func ended(s types.DeploymentStatus) bool {
	switch s {
	case types.DeploymentStatusSucceeded, types.DeploymentStatusFailed, types.DeploymentStatusStopped:
		return true
	}
	return false
}
