package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/shipline/shipline/constructs/serverdeploy"
)

var (
	reTagChars    = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	reASGName     = regexp.MustCompile(`^[^:\x00-\x1f]{1,255}$`)
	reTargetGroup = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:elasticloadbalancing:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`)
)

// checkTargets checks what selects the deployment targets.
func checkTargets(c *Config) []error {
	var p problems
	p.add(validTag("deployTagKey", c.DeployTagKey, 1, 128, true))
	if len(c.DeployTagValues) > 50 {
		p.add(bad("deployTagValues", shown(count(len(c.DeployTagValues), "value")), "at most 50 values"))
	}
	for _, v := range c.DeployTagValues {
		p.add(validTag("deployTagValues", v, 1, 256, false))
	}
	p.add(noDuplicates("deployTagValues", c.DeployTagValues))
	if c.AutoScalingGroupName != "" && !reASGName.MatchString(c.AutoScalingGroupName) {
		p.add(bad("autoScalingGroupName", c.AutoScalingGroupName, "an Auto Scaling group name: 1-255 characters without ':'"))
	}
	if c.AutoScalingGroupName != "" && c.ManagedHost {
		// An existing group plus a host the stack creates: two deploy
		// targets that contradict each other.
		p.add(bad("autoScalingGroupName", c.AutoScalingGroupName, "no value with managedHost true: deploy to an existing group or to the managed host, not both"))
	}
	if c.TargetGroupArn != "" && !reTargetGroup.MatchString(c.TargetGroupArn) {
		p.add(bad("targetGroupArn", c.TargetGroupArn, "arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>"))
	}
	return p
}

func checkDeploymentConfig(c *Config) []error {
	var p problems
	d := c.DeploymentConfig
	switch {
	case d.MinHealthy != nil && d.Predefined != "":
		p.add(bad("deploymentConfig", d.Predefined, "no value together with minHealthyHosts, which defines the deployment config"))
	case d.MinHealthy != nil && d.MinHealthy.Percent && (d.MinHealthy.Value < 0 || d.MinHealthy.Value > 99):
		p.add(bad("minHealthyHosts", fmt.Sprintf("%d%%", d.MinHealthy.Value), "a percentage of 0-99%%: 100%% would leave no host to deploy to"))
	case d.MinHealthy != nil && d.MinHealthy.Value < 0:
		p.add(bad("minHealthyHosts", fmt.Sprint(d.MinHealthy.Value), "a host count of 0 or more"))
	case d.MinHealthy == nil && !slices.Contains(predefinedConfigs, d.Predefined):
		p.add(bad("deploymentConfig", d.Predefined, "one of %s (or minHealthyHosts for a custom one)", strings.Join(predefinedConfigs, ", ")))
	}
	return p
}

func checkAgent(c *Config) []error {
	var p problems
	switch c.AgentInstall {
	case serverdeploy.AgentNever, serverdeploy.AgentOnce, serverdeploy.AgentNow:
		if c.AgentSchedule != "" {
			p.add(bad("agentSchedule", c.AgentSchedule, "no value unless agentInstall is %q", serverdeploy.AgentSchedule))
		}
	case serverdeploy.AgentSchedule:
		if want := serverdeploy.ScheduleProblem(c.AgentSchedule); want != "" {
			p.add(bad("agentSchedule", c.AgentSchedule, "%s", want))
		}
	default:
		p.add(bad("agentInstall", string(c.AgentInstall), "%s", oneOf(agentNames)))
	}
	return p
}

func validTag(setting, v string, minLen, maxLen int, isKey bool) *SettingError {
	n := len([]rune(v))
	switch {
	case n < minLen || n > maxLen || !reTagChars.MatchString(v):
		return bad(setting, v, "%d-%d characters of letters, digits, spaces and _ . : / = + - @", minLen, maxLen)
	case isKey && strings.HasPrefix(strings.ToLower(v), "aws:"):
		return bad(setting, v, "a key not starting with \"aws:\" (reserved by AWS)")
	}
	return nil
}

// noDuplicates reports the first value a list holds twice.
func noDuplicates(setting string, values []string) *SettingError {
	seen := map[string]bool{}
	for _, v := range values {
		if seen[v] {
			return bad(setting, v, "each value once")
		}
		seen[v] = true
	}
	return nil
}
