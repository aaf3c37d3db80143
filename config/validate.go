package config

import "errors"

// A check validates one concern of a Config and returns every problem it
// finds, each a *SettingError.
type check func(c *Config) []error

// checks run in the order of the settings table's concerns.
var checks = []check{
	checkAppName,
	checkSource,
	checkApproval,
	checkChat,
	checkBuild,
	checkBuildSecrets,
	checkTargets,
	checkDeploymentConfig,
	checkAgent,
	checkHost,
	checkApp,
	checkRelease,
	checkDiffRole,
	checkRemovalPolicy,
	checkRegions,
	checkEnvironments,
}

// Validate checks every value and the combinations between them, and
// reports all problems at once (errors.Join of *SettingError, one per line).
// FromContext calls it; call it on a Config built or changed in Go.
func (c Config) Validate() error {
	return errors.Join(c.problems()...)
}

func (c Config) problems() []error {
	var errs []error
	for _, check := range checks {
		errs = append(errs, check(&c)...)
	}
	return errs
}

// problems gathers the non-nil errors of a check.
type problems []error

func (p *problems) add(err *SettingError) {
	if err != nil {
		*p = append(*p, err)
	}
}
