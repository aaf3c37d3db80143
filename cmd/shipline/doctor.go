package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/shipline/shipline/internal/ops"
)

func newDoctor(g *globals) *cobra.Command {
	var poll, timeout time.Duration
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check what a first release needs, one line per finding with what to do",
		Long: `doctor checks, in order: the GitHub connection's handshake; the hosts the
deployment group targets (found by tag, running); each host's instance profile;
its registration with Systems Manager; through Run Command, that the CodeDeploy
agent runs and that no /root/.aws/credentials shadows the instance profile; and
that the settings the build declares required exist in Parameter Store.

With several environments, --env names the one to check; one in another Region
is checked there. For an environment in another account, --target-profile names
a profile of that account (the hosts, their settings and the deployment group
are there); without it, doctor checks what it can and says what is missing.

The exit code is 1 when any check fails.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, s, err := g.connect(ctx)
			if err != nil {
				return err
			}
			if s, err = g.selectEnv(s); err != nil {
				return err
			}
			var fs []ops.Finding
			if ec, err := g.reach(ctx, c, s); err != nil {
				fs = ops.DoctorUnreachable(ctx, c, s, err)
			} else {
				fs = ops.Doctor(ctx, ec, s, ops.DoctorOptions{Poll: poll, Timeout: timeout})
			}
			if g.jsonOutput() {
				if err := g.json(fs); err != nil {
					return err
				}
			} else {
				for _, f := range fs {
					fmt.Fprintf(g.stdout, "%-4s  %-11s  %s\n", f.Status, f.Check, f.Message)
				}
			}
			failed := 0
			for _, f := range fs {
				if f.Status == ops.Fail {
					failed++
				}
			}
			if failed > 0 {
				return errors.New(plural(failed, "check") + " failed")
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&poll, "poll", 2*time.Second, "time between two looks at the host probe")
	cmd.Flags().DurationVar(&timeout, "probe-timeout", 60*time.Second, "how long to wait for the host probe")
	return cmd
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
