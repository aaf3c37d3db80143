package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shipline/shipline/internal/ops"
)

func newStatus(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "The pipeline's stages and last run; per host, the release it runs and its health",
		Args:  maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, s, err := g.connect(cmd.Context())
			if err != nil {
				return err
			}
			st, err := ops.GetStatus(cmd.Context(), c, s)
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
	fmt.Fprintf(w, "\nDeployment group %s\n", st.Group)
	if d := st.Last; d != nil {
		fmt.Fprintf(w, "  last deployment %s: %s, created %s by %s\n", d.ID, d.Status, when(d.CreatedAt), orDash(d.Creator))
		if d.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", d.Error)
		}
	} else {
		fmt.Fprintln(w, "  no deployment yet")
	}
	if len(st.Hosts) == 0 {
		fmt.Fprintln(w, "  no host reached by the recent deployments")
		return
	}
	rows = rows[:0]
	for _, h := range st.Hosts {
		release, commit, digest := "-", "-", "-"
		if r := h.Release; r != nil {
			release, commit, digest = r.ID, orDash(r.Commit), shortDigest(r.Digest)
		}
		rows = append(rows, cols("  "+h.Instance, release, commit, digest, when(h.Since), h.Health))
	}
	table(w, cols("  HOST", "RELEASE", "COMMIT", "IMAGE", "SINCE", "HEALTH"), rows)
}
