package ops

import (
	"errors"
	"strings"
	"testing"
)

func TestEnvironmentsOf(t *testing.T) {
	envs := EnvironmentsOf([]Output{
		{Key: "DeploymentGroupName", Value: "ignored", Description: "CodeDeploy deployment group"},
		{Key: "DeploymentGroupNameStagingEu", Value: "g-staging", Description: "CodeDeploy deployment group of staging-eu"},
		{Key: "DeployApplicationNameStagingEu", Value: "a-staging"},
		{Key: "HostPolicyArnStagingEu", Value: "arn:policy"},
		{Key: "HostInstanceIdStagingEu", Value: "i-1"},
		{Key: "DeploymentGroupNameProduction", Value: "web-production", Description: "CodeDeploy deployment group of production (account 222222222222)"},
		{Key: "HostProfileNameProduction", Value: "web-production-host"},
		{Key: "AppLogGroupNameProduction", Value: "/shipline/web/production"},
		// In another account and Region: the Region from its own output.
		{Key: "DeploymentGroupNameDr", Value: "web-dr", Description: "CodeDeploy deployment group of dr (account 333333333333, region eu-central-1)"},
		{Key: "DeployRegionDr", Value: "eu-central-1", Description: "Region of dr"},
		// In another Region of the stack's account.
		{Key: "DeploymentGroupNameEu", Value: "web-eu", Description: "CodeDeploy deployment group of eu (region eu-west-1)"},
		{Key: "DeployRegionEu", Value: "eu-west-1"},
		{Key: "HostProfileNameEu", Value: "web-eu-host"},
		// Described otherwise: the name comes from the suffix.
		{Key: "DeploymentGroupNameQaTwo", Value: "g-qa"},
	})
	var got []string
	for _, e := range envs {
		got = append(got, strings.Join([]string{e.Name, e.Account, e.Region, e.Application, e.DeploymentGroup, e.HostPolicyARN, e.HostProfile, e.HostInstance, e.LogGroup}, "|"))
	}
	want := []string{
		"dr|333333333333|eu-central-1||web-dr||||",
		"eu||eu-west-1||web-eu||web-eu-host||",
		"production|222222222222|||web-production||web-production-host||/shipline/web/production",
		"qa-two||||g-qa||||",
		"staging-eu|||a-staging|g-staging|arn:policy||i-1|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("EnvironmentsOf:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSortByStages(t *testing.T) {
	envs := []Environment{{Name: "production"}, {Name: "qa"}, {Name: "staging"}}
	sortByStages(envs, []string{"Source", "Build", "Deploy-staging", "Approve-production", "Deploy-production"})
	if got := strings.Join((&Stack{Environments: envs}).EnvironmentNames(), " "); got != "staging production qa" {
		t.Errorf("order = %s, want staging production qa (no stage: last)", got)
	}
}

func TestSelect(t *testing.T) {
	two := &Stack{Name: "S", LogGroup: "/stack", Environments: []Environment{
		{Name: "staging", DeploymentGroup: "g1", Application: "a1", LogGroup: "/s", suffix: "Staging"},
		{Name: "production", DeploymentGroup: "g2", Application: "a2", Account: "222222222222", suffix: "Production"},
		{Name: "eu", DeploymentGroup: "g3", Application: "a3", Region: "eu-west-1", suffix: "Eu"},
	}}
	one := &Stack{Name: "S", LogGroup: "/stack", Environments: two.Environments[:1]}
	three := two
	two = &Stack{Name: "S", LogGroup: "/stack", Environments: three.Environments[:2]}
	none := &Stack{Name: "S", DeploymentGroup: "g", LogGroup: "/stack"}
	tests := []struct {
		stack     *Stack
		name      string
		wantGroup string
		wantLogs  string
		wantErr   string
	}{
		{none, "", "g", "/stack", ""},
		{none, "staging", "", "", "stack S has no environments (its config sets none), so --env staging does not apply: drop it"},
		{one, "", "g1", "/s", ""},
		{two, "staging", "g1", "/s", ""},
		// Another account's or Region's logs are never the stack's group.
		{two, "production", "g2", "", ""},
		{three, "eu", "g3", "", ""},
		{two, "", "", "", "stack S has 2 environments (staging, production): name one with --env"},
		{two, "prod", "", "", `stack S has no environment "prod": want one of staging, production`},
	}
	for _, tc := range tests {
		got, err := tc.stack.Select(tc.name)
		if tc.wantErr != "" {
			var envErr *EnvironmentError
			if !errors.As(err, &envErr) || err.Error() != tc.wantErr {
				t.Errorf("Select(%q) error = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.DeploymentGroup != tc.wantGroup || got.LogGroup != tc.wantLogs {
			t.Errorf("Select(%q) = %+v, %v; want group %s, logs %q", tc.name, got, err, tc.wantGroup, tc.wantLogs)
		}
	}
	for name, want := range map[string]string{"production": "AppLogGroupNameProduction", "eu": "AppLogGroupNameEu", "staging": "AppLogGroupName"} {
		if s, _ := three.Select(name); s.outputKey(&s.LogGroup) != want {
			t.Errorf("%s: missing log group named as %s, want %s", name, s.outputKey(&s.LogGroup), want)
		}
	}
}

func TestGroupValue(t *testing.T) {
	pairs := "web-staging=/web/staging/ web-production=/web/production/"
	for group, want := range map[string]string{"web-production": "/web/production/", "web-staging": "/web/staging/", "other": "/web/", "web": "/web/"} {
		if got := groupValue(pairs, group, "/web/"); got != want {
			t.Errorf("groupValue(%s) = %s, want %s", group, got, want)
		}
	}
}
