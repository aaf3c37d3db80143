package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/shipline/shipline/internal/ops"
)

func newReleases(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "releases",
		Short: "The releases deployed to the stack, and whether each can be deployed again",
		Long: `releases lists the releases of the recent deployments (of the environment
--env names, in a stack with several), newest first. A release can be deployed
again while both its bundle (in the artifact bucket) and its image (in ECR)
exist; otherwise the last column says which one is gone.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, s, err := g.connectEnv(cmd.Context())
			if err != nil {
				return err
			}
			rs, err := ops.ListReleases(cmd.Context(), c, s)
			if err != nil {
				return err
			}
			if g.jsonOutput() {
				if rs == nil {
					rs = []ops.Release{}
				}
				return g.json(rs)
			}
			printReleases(g, s, rs)
			return nil
		},
	}
}

func printReleases(g *globals, s *ops.Stack, rs []ops.Release) {
	// Where the deployments were read, when not with the stack.
	if e := s.Env; e.Remote() {
		fmt.Fprintf(g.stdout, "Environment %s: deployment group %s\n\n", placed(e.Name, e.Account, e.Region), s.DeploymentGroup)
	}
	if len(rs) == 0 {
		fmt.Fprintln(g.stdout, "No deployment yet: the first release appears once the pipeline deploys.")
		return
	}
	var rows []string
	for _, r := range rs {
		mark := " "
		if r.Current {
			mark = "*"
		}
		deployable := "yes"
		if !r.Deployable {
			deployable = "no: " + r.Problem
		}
		rows = append(rows, cols(mark+" "+r.ID, shortDigest(r.Digest), r.Deployment, r.Status, when(r.DeployedAt), deployable))
	}
	table(g.stdout, cols("  RELEASE", "IMAGE", "LAST DEPLOYMENT", "STATUS", "DEPLOYED", "DEPLOYABLE"), rows)
	fmt.Fprintln(g.stdout, "\n* the current release (newest successful deployment)")
}
