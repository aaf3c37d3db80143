package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/shipline/shipline/internal/ops"
)

func newLogs(g *globals) *cobra.Command {
	var (
		since, filter string
		follow        bool
		poll          time.Duration
	)
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "The app's log lines from CloudWatch Logs",
		Long: `logs prints the log lines of the app and its proxy from the stack's log group
(the environment's own, with --env, when the stack has one), oldest first. --since takes a duration (15m, 2h, 72h) or a time (RFC 3339,
2026-05-01T08:00:00Z); --follow keeps printing new lines until interrupted.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			start, err := parseSince(since, time.Now())
			if err != nil {
				return usageError{err}
			}
			c, s, err := g.connectEnv(cmd.Context())
			if err != nil {
				return err
			}
			opt := ops.LogOptions{Since: start, Filter: filter, Follow: follow, Poll: poll}
			return ops.Logs(cmd.Context(), c, s, opt, func(e ops.LogEvent) {
				if g.jsonOutput() {
					_ = g.jsonLine(e)
					return
				}
				fmt.Fprintf(g.stdout, "%s %s %s\n", e.Time.UTC().Format(time.RFC3339Nano), e.Stream, strings.TrimRight(e.Message, "\n"))
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&since, "since", "10m", "print lines from this long ago (duration) or from this time (RFC 3339)")
	f.BoolVarP(&follow, "follow", "f", false, "keep printing new lines")
	f.StringVar(&filter, "filter", "", "CloudWatch Logs filter pattern, for example ERROR or '\"GET /health\"'")
	f.DurationVar(&poll, "poll", 2*time.Second, "with --follow, time between two reads")
	return cmd
}

// parseSince reads --since: a duration back from now, or a time.
func parseSince(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %q: want a positive duration", v)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (15m, 2h) or an RFC 3339 time (2026-05-01T08:00:00Z)", v)
}
