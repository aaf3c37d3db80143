package config

import (
	"slices"
	"testing"
	"time"
)

func TestClosestKey(t *testing.T) {
	for _, tc := range []struct {
		key   string
		hint  string
		exact bool
	}{
		{"appname", "appName", true},
		{"APP_NAME", "appName", true},
		{"build-timeout-minutes", "buildTimeoutMinutes", true},
		{"approverEmail", "approverEmails", false},
		{"githubBrnch", "githubBranch", false},
		{"removalPolicies", "removalPolicy", false},
		{"stackTags", "", false},
		{"x", "", false},
	} {
		hint, exact := closestKey(tc.key)
		if hint != tc.hint || exact != tc.exact {
			t.Errorf("closestKey(%q) = %q, %v; want %q, %v", tc.key, hint, exact, tc.hint, tc.exact)
		}
	}
}

func TestUnknownKeys(t *testing.T) {
	ctx := map[string]any{
		"appName": "web", "appname": "web", "@aws-cdk/core:x": true, "aws:cdk:enable-path-metadata": true,
		"availability-zones:account=1:region=x": []any{}, "acknowledged-issue-numbers": []any{1.0}, "myteam:owner": "me",
	}
	var got []string
	for _, err := range unknownKeys(ctx) {
		got = append(got, err.Error())
	}
	want := []string{`appname: got an unknown setting, want "appName" (setting names are case-sensitive)`}
	if !slices.Equal(got, want) {
		t.Errorf("unknownKeys = %q, want %q", got, want)
	}
}

func TestCleanRepoPath(t *testing.T) {
	for in, want := range map[string]string{
		"./Dockerfile":       "Dockerfile",
		"./":                 ".",
		".":                  ".",
		"docker//app/":       "docker/app",
		"./../x":             "./../x", // left for the check to reject
		"/abs/Dockerfile":    "/abs/Dockerfile",
		"ci/./buildspec.yml": "ci/buildspec.yml",
	} {
		if got := cleanRepoPath(in); got != want {
			t.Errorf("cleanRepoPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDecodeForms: each typed value from the JSON form of cdk.json and the
// string form of -c.
func TestDecodeForms(t *testing.T) {
	for _, ctx := range []map[string]any{
		{"buildTimeoutMinutes": 45.0, "buildComputeType": "BUILD_GENERAL1_LARGE", "artifactExpirationDays": 7.0,
			"logRetentionDays": 365.0, "deploymentConfig": "CodeDeployDefault.AllAtOnce", "architecture": "arm64",
			"removalPolicy": "destroy", "subnetIds": []any{"subnet-0abc1234def567890"}, "availabilityZones": []any{"eu-west-1a"},
			"vpcId": "vpc-0abc1234def567890", "managedHost": true, "dockerfile": "./docker/Dockerfile", "buildspec": "managed"},
		{"buildTimeoutMinutes": "45", "buildComputeType": "LARGE", "artifactExpirationDays": "7",
			"logRetentionDays": "365", "deploymentConfig": "AllAtOnce", "architecture": "arm64",
			"removalPolicy": "destroy", "subnetIds": "subnet-0abc1234def567890", "availabilityZones": "eu-west-1a",
			"vpcId": "vpc-0abc1234def567890", "managedHost": "true", "dockerfile": "docker/Dockerfile"},
	} {
		c, err := FromContext(ctx)
		if err != nil {
			t.Fatalf("FromContext(%v): %v", ctx, err)
		}
		switch {
		case c.BuildTimeout != 45*time.Minute, c.BuildComputeType != "LARGE", c.ArtifactExpiration != 7*24*time.Hour,
			RetentionDays(c.LogRetention) != 365, c.DeploymentConfig != (DeploymentConfig{Predefined: AllAtOnce}),
			c.Architecture != "ARM_64", c.RemovalPolicy != "DESTROY", !c.ManagedBuild(), c.Dockerfile != "docker/Dockerfile",
			!slices.Equal(c.Subnets, []Subnet{{ID: "subnet-0abc1234def567890", Zone: "eu-west-1a"}}):
			t.Errorf("FromContext(%v) = %+v", ctx, c)
		}
	}
	c, err := FromContext(map[string]any{"minHealthyHosts": "75%"})
	if err != nil || c.DeploymentConfig.MinHealthy == nil || *c.DeploymentConfig.MinHealthy != (MinHealthyHosts{Value: 75, Percent: true}) || c.DeploymentConfig.Predefined != "" {
		t.Errorf("minHealthyHosts 75%%: %+v, %v", c.DeploymentConfig, err)
	}
}

// TestDefaultsFromTheTable: Default is the settings table's defaults, and
// each is valid.
func TestDefaultsFromTheTable(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.AppName != "myapp" || c.BuildTimeout != 30*time.Minute || c.GitHubBranch != "main" || !c.ManagedBuild() {
		t.Errorf("Default() = %+v", c)
	}
}

// TestWarningIDsAreDistinct: every warning a config can raise has its own
// acknowledgement id.
func TestWarningIDsAreDistinct(t *testing.T) {
	c := Default()
	c.AutoScalingGroupName, c.DeployTagKey = "web-asg", "Service"
	w := c.Warnings()
	seen := map[string]bool{}
	for _, x := range w {
		if seen[x.ID] {
			t.Errorf("warning id %s used twice", x.ID)
		}
		seen[x.ID] = true
	}
	if len(w) != 4 {
		t.Errorf("got %d warnings, want 4 (owner, repo, email placeholders; unused tag key): %+v", len(w), w)
	}
}
