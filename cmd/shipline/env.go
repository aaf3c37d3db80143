package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/shipline/shipline/internal/ops"
)

// connectEnv is connect for a command that acts on one environment: the
// stack selected for --env (optional with one environment), and the clients
// that reach that environment's account.
func (g *globals) connectEnv(ctx context.Context) (*ops.Clients, *ops.Stack, error) {
	c, s, err := g.connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	if s, err = g.selectEnv(s); err != nil {
		return nil, nil, err
	}
	ec, err := g.reach(ctx, c, s)
	return ec, s, err
}

// selectEnv applies --env; a missing or unknown name is a usage error.
func (g *globals) selectEnv(s *ops.Stack) (*ops.Stack, error) {
	sel, err := s.Select(g.env)
	var envErr *ops.EnvironmentError
	if errors.As(err, &envErr) {
		return nil, usageError{err}
	}
	return sel, err
}

// reacher is reach bound to the stack's clients, as ops.GetStatus takes it.
func (g *globals) reacher(c *ops.Clients) ops.Reach {
	return func(ctx context.Context, s *ops.Stack) (*ops.Clients, error) { return g.reach(ctx, c, s) }
}

// reach returns the clients for s's environment: c in the stack's account
// and Region; for an environment in another Region of that account, clients
// of the same credentials in its Region; for an environment in another
// account, clients built from --target-profile in the environment's Region,
// once it is known to be a profile of that account.
func (g *globals) reach(ctx context.Context, c *ops.Clients, s *ops.Stack) (*ops.Clients, error) {
	e, region := s.Env, s.EnvironmentRegion()
	if !e.CrossAccount() {
		if region == s.Region {
			return c, nil
		}
		cfg := c.Config()
		cfg.Region = region
		return c.Reaching(cfg), nil
	}
	if g.targetProfile == "" {
		return nil, fmt.Errorf("environment %s is in %s, which your credentials do not reach: add --target-profile NAME, an AWS profile of account %s (for example one that assumes a role there)", e.Name, ops.Place(e.Account, e.Region), e.Account)
	}
	profile := "--target-profile " + g.targetProfile
	if e.Region != "" {
		profile += " (in " + region + ")"
	}
	cfg, err := g.awsConfig(ctx, g.targetProfile, region)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", profile, err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("%s: cannot tell its account: %w", profile, ops.Explain(err))
	}
	if got := deref(id.Account); got != e.Account {
		return nil, fmt.Errorf("--target-profile %s is a profile of account %s, environment %s is in account %s: name a profile of %s", g.targetProfile, got, e.Name, e.Account, e.Account)
	}
	return c.Reaching(cfg), nil
}

// completeEnvironments offers the stack's environments (best effort).
func (g *globals) completeEnvironments(cmd *cobra.Command) []string {
	_, s, err := g.connect(cmd.Context())
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range s.Environments {
		desc := "deployment group " + e.DeploymentGroup
		if p := ops.Place(e.Account, e.Region); p != "" {
			desc += ", " + p
		}
		names = append(names, e.Name+"\t"+desc)
	}
	return names
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
