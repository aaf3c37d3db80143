package config_test

import (
	"fmt"

	"github.com/shipline/shipline/config"
)

// Settings arrive as CDK context: JSON values from cdk.json, strings from
// `-c key=value`. FromContext returns typed values, or every mistake at once.
func ExampleFromContext() {
	cfg, err := config.FromContext(map[string]any{
		"appName":             "web",
		"githubOwner":         "acme",
		"githubRepo":          "web",
		"approverEmails":      "ops@example.com,lead@example.com",
		"buildTimeoutMinutes": "45",
		"minHealthyHosts":     "50%",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.ParameterPath(), cfg.BuildTimeout, cfg.ApproverEmails, *cfg.DeploymentConfig.MinHealthy)

	_, err = config.FromContext(map[string]any{"appname": "web", "buildTimeoutMinutes": "2", "githubBranch": "refs/heads/main"})
	fmt.Println(err)
	// Output:
	// /web/ 45m0s [ops@example.com lead@example.com] {50 true}
	// appname: got an unknown setting, want "appName" (setting names are case-sensitive)
	// githubBranch: got "refs/heads/main", want the branch's short name, such as "main": the pipeline matches pushes by short name and would never start
	// buildTimeoutMinutes: got 2, want 5-2160 (CodeBuild's range, in whole minutes)
}

// A Config built in Go is checked the same way.
func ExampleConfig_Validate() {
	cfg := config.Default()
	cfg.AppName = "Web"
	cfg.AppPort = 0
	fmt.Println(cfg.Validate())
	// Output:
	// appName: got "Web", want 3-32 characters of a-z, 0-9 and single hyphens, starting with a letter and ending with a letter or digit
	// appPort: got 0, want a TCP port, 1-65535
}
