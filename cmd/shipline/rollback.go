package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/shipline/shipline/internal/ops"
)

func newRollback(g *globals) *cobra.Command {
	var (
		timeout, poll time.Duration
		dryRun        bool
	)
	cmd := &cobra.Command{
		Use:   "rollback [RELEASE]",
		Short: "Deploy an earlier release again (default: the previous one) and wait for it",
		Long: `rollback creates a CodeDeploy deployment of exactly the bundle of the chosen
release (the same S3 object: bucket, key, ETag and version) to the stack's
deployment group (the environment's, with --env), then prints its progress
until it ends. RELEASE is a commit
(at least 4 characters) or a deployment id, as ` + "`shipline releases`" + ` lists them;
without it, the newest successful release before the current one.

The exit code is 0 when the deployment succeeded, 1 when it failed, was stopped,
or is still running when --timeout ends the wait (the deployment goes on).`,
		Args: maxArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return g.completeReleases(cmd), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, s, err := g.connectEnv(ctx)
			if err != nil {
				return err
			}
			rs, err := ops.ListReleases(ctx, c, s)
			if err != nil {
				return err
			}
			name := ""
			if len(args) > 0 {
				name = args[0]
			}
			r, err := ops.FindRelease(rs, name)
			if err != nil {
				return err
			}
			if !r.Deployable {
				return fmt.Errorf("release %s cannot be deployed again: %s", r.ID, r.Problem)
			}
			fmt.Fprintf(g.stderr, "Rolling back %s to release %s (commit %s, image %s, bundle %s)\n", groupOf(s), r.ID, r.Commit, r.Image, r.Bundle)
			if dryRun {
				fmt.Fprintln(g.stderr, "Dry run: no deployment created.")
				if g.jsonOutput() {
					return g.json(ops.Outcome{Release: r})
				}
				return nil
			}
			out, err := ops.Deploy(ctx, c, s, r, ops.RollbackOptions{
				Poll: poll, Timeout: timeout,
				OnProgress: func(p ops.Progress) {
					fmt.Fprintf(g.stderr, "%s  %s\n", time.Now().UTC().Format("15:04:05"), p)
				},
			})
			if out != nil {
				if g.jsonOutput() {
					if jerr := g.json(out); jerr != nil {
						return jerr
					}
				} else {
					printOutcome(g, out)
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.DurationVar(&timeout, "timeout", 60*time.Minute, "how long to wait for the deployment to end (it goes on after)")
	f.DurationVar(&poll, "poll", 5*time.Second, "time between two looks at the deployment")
	f.BoolVar(&dryRun, "dry-run", false, "say which release would be deployed, and stop")
	return cmd
}

// groupOf names the stack's deployment group, with its environment and
// where that lives when not with the stack.
func groupOf(s *ops.Stack) string {
	e := s.Env
	if e == nil {
		return s.DeploymentGroup
	}
	if p := ops.Place(e.Account, e.Region); p != "" {
		return s.DeploymentGroup + " (" + e.Name + ", " + p + ")"
	}
	return s.DeploymentGroup + " (" + e.Name + ")"
}

func printOutcome(g *globals, o *ops.Outcome) {
	d := o.Deployment
	if d == nil {
		return
	}
	switch d.Status {
	case "Succeeded":
		fmt.Fprintf(g.stdout, "Release %s is live: deployment %s succeeded.\n", o.Release.ID, d.ID)
		return
	case "Failed", "Stopped":
		fmt.Fprintf(g.stdout, "Deployment %s of release %s %s.\n", d.ID, o.Release.ID, lower(d.Status))
	default:
		fmt.Fprintf(g.stdout, "Deployment %s of release %s is still %s.\n", d.ID, o.Release.ID, d.Status)
		return
	}
	if d.Error != "" {
		fmt.Fprintf(g.stdout, "  %s\n", d.Error)
	}
	for _, h := range o.Hosts {
		fmt.Fprintf(g.stdout, "  %s: %s\n", h.Instance, h.Health)
	}
	fmt.Fprintln(g.stdout, "Hosts whose deployment failed keep serving the release they ran before; `shipline status` shows what each runs.")
}

func lower(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// completeReleases offers the deployable releases' ids (best effort: no
// completion when AWS cannot be reached).
func (g *globals) completeReleases(cmd *cobra.Command) []string {
	c, s, err := g.connectEnv(cmd.Context())
	if err != nil {
		return nil
	}
	rs, err := ops.ListReleases(cmd.Context(), c, s)
	if err != nil {
		return nil
	}
	var ids []string
	for _, r := range rs {
		if r.Deployable && !r.Current {
			ids = append(ids, r.ID+"\t"+r.Status+" "+when(r.DeployedAt))
		}
	}
	return ids
}
