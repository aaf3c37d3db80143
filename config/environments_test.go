package config_test

import (
	"encoding/json"
	"testing"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// TestEnvironmentsDefaults: a two-environment config as in the README
// becomes typed environments with the defaults of the top-level settings.
func TestEnvironmentsDefaults(t *testing.T) {
	cfg, err := config.FromContext(map[string]any{
		"appName": "web", "account": "111111111111", "region": "eu-west-1",
		"deploymentConfig": "HalfAtATime",
		"environments": `[{"name":"staging","url":"https://staging.example.com/health"},
			{"name":"production","account":"222222222222","region":"eu-central-1","autoScalingGroupName":"web-prod","approval":true,"minHealthyHosts":"75%","agentInstall":"never"}]`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Environments) != 2 {
		t.Fatalf("environments: got %d, want 2", len(cfg.Environments))
	}
	staging, prod := cfg.Environments[0], cfg.Environments[1]
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"staging tag values", staging.DeployTagValues, []string{"web-staging"}},
		{"staging parameter path", staging.ParameterPath, "/web/staging/"},
		{"staging deployment config", staging.DeploymentConfig.Predefined, "HalfAtATime"},
		{"staging agent", staging.AgentInstall, serverdeploy.AgentOnce},
		{"staging check attempts", staging.CheckAttempts, 10},
		{"production tag values", len(prod.DeployTagValues), 0},
		{"production min healthy", *prod.DeploymentConfig.MinHealthy, config.MinHealthyHosts{Value: 75, Percent: true}},
		{"production agent", prod.AgentInstall, serverdeploy.AgentNever},
		{"production approval", prod.Approval, true},
		{"production account", prod.Account, "222222222222"},
		{"production region", prod.Region, "eu-central-1"},
		{"staging region", staging.Region, ""},
	} {
		if toJSON(c.got) != toJSON(c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	// The default config has none: the single target of the settings.
	if def := config.Default(); def.Environments != nil {
		t.Errorf("default environments: got %v, want none", def.Environments)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
