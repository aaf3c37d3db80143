package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/shipline/shipline/internal/ops"
)

// defaultStack is the stack name the CDK app deploys.
const defaultStack = "PipelineStack"

// usageError is a mistake on the command line (exit code 2).
type usageError struct{ error }

// globals are the flags every subcommand shares.
type globals struct {
	stack, region, profile, output string
	// env names the environment a command acts on; targetProfile is the
	// AWS profile of an environment in another account.
	env, targetProfile string
	stdout, stderr     io.Writer
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:   "shipline",
		Short: "Operate releases of a shipline stack: status, releases, rollback, logs, doctor",
		Long: `shipline answers an operator's questions about a deployed shipline stack: which
release runs on which host, which releases can be deployed again, how to go back
to one, what the app logs, and what is missing before a first release.

It reads the stack's outputs to find its resources and uses the usual AWS
credentials (AWS_PROFILE, --profile, environment, SSO).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if g.output != "text" && g.output != "json" {
				return usageError{fmt.Errorf("--output %q: want text or json", g.output)}
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.SetOut(stdout)
	root.SetErr(stderr)
	f := root.PersistentFlags()
	f.StringVar(&g.stack, "stack", envOr("SHIPLINE_STACK", defaultStack), "name of the deployed stack (env SHIPLINE_STACK)")
	f.StringVar(&g.region, "region", "", "AWS region (default: AWS_REGION or the profile's)")
	f.StringVar(&g.profile, "profile", "", "AWS profile (default: AWS_PROFILE)")
	f.StringVarP(&g.output, "output", "o", "text", "output format: text or json")
	f.StringVarP(&g.env, "env", "e", envOr("SHIPLINE_ENV", ""), "environment to act on, for a stack with several (env SHIPLINE_ENV)")
	f.StringVar(&g.targetProfile, "target-profile", envOr("SHIPLINE_TARGET_PROFILE", ""), "AWS profile of the environment's account, for an environment in another account; used in the environment's Region (env SHIPLINE_TARGET_PROFILE)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	_ = root.RegisterFlagCompletionFunc("env", func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return g.completeEnvironments(cmd), cobra.ShellCompDirectiveNoFileComp
	})
	root.AddCommand(newStatus(g), newReleases(g), newRollback(g), newLogs(g), newDoctor(g))
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// connect loads the AWS configuration and reads the stack's outputs.
func (g *globals) connect(ctx context.Context) (*ops.Clients, *ops.Stack, error) {
	cfg, err := g.awsConfig(ctx, g.profile, g.region)
	if err != nil {
		return nil, nil, err
	}
	c := ops.NewClients(cfg)
	s, err := ops.LoadStack(ctx, c, g.stack)
	return c, s, err
}

// awsConfig loads the configuration of profile ("" for the default chain).
func (g *globals) awsConfig(ctx context.Context, profile, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return cfg, fmt.Errorf("no AWS region: set AWS_REGION, the profile's region, or --region")
	}
	return cfg, nil
}

// json writes v as indented JSON to stdout.
func (g *globals) json(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (g *globals) jsonOutput() bool { return g.output == "json" }

// maxArgs is cobra.MaximumNArgs, reported as a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.MaximumNArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// jsonLine writes v as one line of JSON, for streams (logs --follow).
func (g *globals) jsonLine(v any) error { return json.NewEncoder(g.stdout).Encode(v) }
