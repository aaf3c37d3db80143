package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/shipline/shipline/internal/ops"
)

func newStatus(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "The pipeline's stages and last run; per environment and host, the release it runs and its health",
		Long: `status shows the pipeline's stages and its last run, then, for each environment
in pipeline order (or the one --env names), the release each host runs (commit,
image digest, since when) and its health from CodeDeploy.

An environment in another Region is read there, with the same credentials. An
environment in another account is read with --target-profile, a profile of
that account; without one, status says so on that environment's line and shows
the others.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, s, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			// Every environment unless --env names one.
			if g.env != "" {
				if s, err = g.selectEnv(s); err != nil {
					return err
				}
			}
			st, err := ops.GetStatus(cmd.Context(), c, s, g.reacher(c))
			if err != nil {
				return err
			}
			if g.jsonOutput() {
				return g.json(st)
			}
			printStatus(g, st)
			return nil
		},
	}
}

func printStatus(g *globals, st *ops.Status) {
	w := g.stdout
	fmt.Fprintf(w, "Stack %s (%s)\n\n", st.Stack.Name, st.Stack.Region)
	p := st.Pipeline
	fmt.Fprintf(w, "Pipeline %s\n", p.Name)
	if e := p.LastExecution; e != nil {
		fmt.Fprintf(w, "  last run %s: %s, started %s, commit %s %q\n", e.ID, e.Status, when(e.StartedAt), orDash(e.Commit), e.Summary)
	} else {
		fmt.Fprintln(w, "  never run")
	}
	var rows []string
	for _, s := range p.Stages {
		rows = append(rows, cols("  "+s.Name, s.Status, when(s.ChangedAt), s.Message))
	}
	table(w, cols("  STAGE", "STATUS", "CHANGED", ""), rows)
	for _, e := range st.Environments {
		printEnvironment(w, e)
	}
}

func printEnvironment(w io.Writer, e ops.EnvironmentStatus) {
	switch {
	case e.Name == "":
		fmt.Fprintf(w, "\nDeployment group %s\n", e.Group)
	default:
		fmt.Fprintf(w, "\nEnvironment %s: deployment group %s\n", placed(e.Name, e.Account, e.Region), e.Group)
	}
	if e.Problem != "" {
		fmt.Fprintf(w, "  not read: %s\n", e.Problem)
		return
	}
	if d := e.Last; d != nil {
		fmt.Fprintf(w, "  last deployment %s: %s, created %s by %s\n", d.ID, d.Status, when(d.CreatedAt), orDash(d.Creator))
		if d.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", d.Error)
		}
	} else {
		fmt.Fprintln(w, "  no deployment yet")
	}
	if len(e.Hosts) == 0 {
		fmt.Fprintln(w, "  no host reached by the recent deployments")
		return
	}
	var rows []string
	for _, h := range e.Hosts {
		release, commit, digest := "-", "-", "-"
		if r := h.Release; r != nil {
			release, commit, digest = r.ID, orDash(r.Commit), shortDigest(r.Digest)
		}
		rows = append(rows, cols("  "+h.Instance, release, commit, digest, when(h.Since), h.Health))
	}
	table(w, cols("  HOST", "RELEASE", "COMMIT", "IMAGE", "SINCE", "HEALTH"), rows)
}
