package config

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/constructs/smoketest"
)

// Environment is one item of the `environments` setting, in typed form.
type Environment struct {
	// Name: the stages "Deploy-<Name>" and "Approve-<Name>".
	Name string
	// Account is the environment's AWS account; empty: the pipeline's.
	Account string
	// Region is the environment's AWS Region; empty: the pipeline's.
	Region string
	// DeployTagValues select tagged instances (tag key deployTagKey).
	DeployTagValues []string
	// AutoScalingGroupName targets an existing Auto Scaling group.
	AutoScalingGroupName string
	// TargetGroupArn and LoadBalancerArn: the ALB in front of the hosts;
	// with both, default alarms on 5xx responses and unhealthy hosts.
	TargetGroupArn  string
	LoadBalancerArn string
	// ManagedHost creates a host for the environment (pipeline's account).
	ManagedHost bool
	// DeploymentConfig as the top-level setting; it is the default.
	DeploymentConfig DeploymentConfig
	// AgentInstall as the top-level setting; it is the default.
	AgentInstall serverdeploy.AgentMode
	// ParameterPath of the environment's settings; default /<appName>/<Name>/.
	ParameterPath string
	// Approval before the deployment.
	Approval bool
	// Alarms are names of CloudWatch alarms that roll a deployment back.
	Alarms []string
	// URL is checked after each deployment; empty: no check.
	URL                  string
	CheckAttempts        int
	CheckIntervalSeconds int
	// CheckCommand runs from the app repository against URL.
	CheckCommand string
}

// environmentKeys are the keys of an environment object, in reference order.
var environmentKeys = []string{
	"name", "account", "region", "deployTagValues", "autoScalingGroupName", "targetGroupArn", "loadBalancerArn", "managedHost",
	"deploymentConfig", "minHealthyHosts", "agentInstall", "parameterPath", "approval", "alarms",
	"url", "checkAttempts", "checkIntervalSeconds", "checkCommand",
}

var (
	reEnvName      = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	reAccount      = regexp.MustCompile(`^[0-9]{12}$`)
	reLoadBalancer = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:elasticloadbalancing:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:loadbalancer/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`)
	reEnvPath      = regexp.MustCompile(`^/([A-Za-z0-9_.-]+/)+$`)
	reAlarmName    = regexp.MustCompile(`^[^\x00-\x1f]{1,255}$`)
	envRegions     = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
)

// environmentsSetting decodes `environments`: a JSON list of objects (a
// JSON string with -c). Types are checked here, values by checkEnvironments;
// defaults that depend on other settings are filled by b.environments.
func environmentsSetting(b *builder, key string, raw any) error {
	if s, ok := raw.(string); ok {
		if strings.TrimSpace(s) == "" {
			b.envRaw = nil
			return nil
		}
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return bad(key, shown("text that is not JSON"), `a JSON list of objects, e.g. [{"name":"staging"},{"name":"production","approval":true}]`)
		}
		raw = v
	}
	items, ok := raw.([]any)
	if !ok {
		return bad(key, raw, "a list of environment objects")
	}
	b.envRaw = nil
	var errs []error
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			errs = append(errs, bad(fmt.Sprintf("%s[%d]", key, i), it, "an object with at least a name"))
			continue
		}
		b.envRaw = append(b.envRaw, m)
	}
	return errors.Join(errs...)
}

// environments turns the decoded objects into Environments, with the
// defaults of the top-level settings.
func (b *builder) environments() []error {
	b.c.Environments = nil
	var errs []error
	for i, m := range b.envRaw {
		at := func(k string) string { return fmt.Sprintf("environments[%d].%s", i, k) }
		e := Environment{
			DeploymentConfig: b.c.DeploymentConfig, AgentInstall: b.c.AgentInstall,
			CheckAttempts: 10, CheckIntervalSeconds: 10,
		}
		str := func(k string, dst *string) {
			if v, ok := m[k]; ok {
				if s, ok := v.(string); ok {
					*dst = strings.TrimSpace(s)
				} else {
					errs = append(errs, bad(at(k), v, "a string"))
				}
			}
		}
		num := func(k string, dst *int, want string) {
			if v, ok := m[k]; ok {
				n, err := wholeNumber(at(k), v, want)
				if err != nil {
					errs = append(errs, err)
				} else {
					*dst = n
				}
			}
		}
		boolean := func(k string, dst *bool) {
			if v, ok := m[k]; ok {
				if x, ok := v.(bool); ok {
					*dst = x
				} else {
					errs = append(errs, bad(at(k), v, "true or false"))
				}
			}
		}
		strs := func(k string, dst *[]string) {
			if v, ok := m[k]; ok {
				l, err := stringList(at(k), v)
				if err != nil {
					errs = append(errs, err)
				} else {
					*dst = l
				}
			}
		}
		for _, k := range sortedKeys(m) {
			if !slices.Contains(environmentKeys, k) {
				errs = append(errs, bad(at(k), m[k], "one of %s", strings.Join(environmentKeys, ", ")))
			}
		}
		str("name", &e.Name)
		str("account", &e.Account)
		str("region", &e.Region)
		strs("deployTagValues", &e.DeployTagValues)
		str("autoScalingGroupName", &e.AutoScalingGroupName)
		str("targetGroupArn", &e.TargetGroupArn)
		str("loadBalancerArn", &e.LoadBalancerArn)
		boolean("managedHost", &e.ManagedHost)
		var predefined, minHealthy, agent string
		str("deploymentConfig", &predefined)
		str("minHealthyHosts", &minHealthy)
		str("agentInstall", &agent)
		str("parameterPath", &e.ParameterPath)
		boolean("approval", &e.Approval)
		strs("alarms", &e.Alarms)
		str("url", &e.URL)
		num("checkAttempts", &e.CheckAttempts, "1-100")
		num("checkIntervalSeconds", &e.CheckIntervalSeconds, "1-300")
		str("checkCommand", &e.CheckCommand)

		if predefined != "" && minHealthy != "" {
			errs = append(errs, bad(at("deploymentConfig"), predefined, "no value together with minHealthyHosts, which defines the deployment config"))
		} else if predefined != "" {
			e.DeploymentConfig = DeploymentConfig{Predefined: strings.TrimPrefix(predefined, "CodeDeployDefault.")}
		} else if minHealthy != "" {
			if mh := reMinHealthy.FindStringSubmatch(minHealthy); mh == nil {
				errs = append(errs, bad(at("minHealthyHosts"), minHealthy, "a percentage such as 75%% (0-99%%) or a host count such as 2"))
			} else {
				var n int
				fmt.Sscan(mh[1], &n)
				e.DeploymentConfig = DeploymentConfig{MinHealthy: &MinHealthyHosts{Value: n, Percent: mh[2] == "%"}}
			}
		}
		if agent != "" {
			e.AgentInstall = serverdeploy.AgentMode(agent)
		}
		if e.ParameterPath == "" && e.Name != "" {
			e.ParameterPath = b.c.ParameterPath() + e.Name + "/"
		}
		if len(e.DeployTagValues) == 0 && e.AutoScalingGroupName == "" && e.Name != "" {
			e.DeployTagValues = []string{b.c.AppName + "-" + e.Name}
		}
		b.c.Environments = append(b.c.Environments, e)
	}
	if len(b.c.Environments) > 0 {
		for _, k := range []string{"deployTagValues", "autoScalingGroupName", "targetGroupArn", "managedHost"} {
			if v, set := b.raw[k]; set {
				errs = append(errs, bad(k, v, "no value with environments: each environment names its own targets"))
			}
		}
	}
	return errs
}

// checkEnvironments checks each environment's values and the pipeline
// account they need.
func checkEnvironments(c *Config) []error {
	var p problems
	seen := map[string]bool{}
	crossAccount, otherRegion := false, false
	for i, e := range c.Environments {
		at := func(k string) string { return fmt.Sprintf("environments[%d].%s", i, k) }
		switch {
		case !reEnvName.MatchString(e.Name):
			p.add(bad(at("name"), e.Name, "1-20 of a-z 0-9 -, starting with a letter, e.g. staging"))
		case e.Name == strings.TrimSuffix(serverdeploy.BuildSecretsDir, "/"):
			p.add(bad(at("name"), e.Name, "another name: /<appName>/build/ holds the build secrets, which hosts never read"))
		case seen[e.Name]:
			p.add(bad(at("name"), e.Name, "each environment once"))
		}
		seen[e.Name] = true
		if e.Account != "" {
			if !reAccount.MatchString(e.Account) {
				p.add(bad(at("account"), e.Account, "a 12-digit AWS account id"))
			}
			if e.Account != c.Account {
				crossAccount = true
			}
		}
		if checkEnvironmentRegion(&p, c, i, e) {
			otherRegion = true
		}
		for _, v := range e.DeployTagValues {
			if err := validTag(at("deployTagValues"), v, 1, 256, false); err != nil {
				p.add(err)
			}
		}
		if e.AutoScalingGroupName != "" && !reASGName.MatchString(e.AutoScalingGroupName) {
			p.add(bad(at("autoScalingGroupName"), e.AutoScalingGroupName, "an Auto Scaling group name: 1-255 characters without ':'"))
		}
		if e.TargetGroupArn != "" && !reTargetGroup.MatchString(e.TargetGroupArn) {
			p.add(bad(at("targetGroupArn"), e.TargetGroupArn, "arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>"))
		}
		switch {
		case e.LoadBalancerArn != "" && !reLoadBalancer.MatchString(e.LoadBalancerArn):
			p.add(bad(at("loadBalancerArn"), e.LoadBalancerArn, "arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>"))
		case e.LoadBalancerArn != "" && e.TargetGroupArn == "":
			p.add(bad(at("loadBalancerArn"), e.LoadBalancerArn, "no value without targetGroupArn: the alarms watch the target group behind this load balancer"))
		}
		if e.ManagedHost && e.AutoScalingGroupName != "" {
			p.add(bad(at("managedHost"), true, "false with autoScalingGroupName: deploy to an existing group or to the managed host, not both"))
		}
		if e.ManagedHost && e.Account != "" && e.Account != c.Account {
			p.add(bad(at("managedHost"), true, "false for an environment in another account: the managed host is created in the pipeline's account"))
		}
		d := e.DeploymentConfig
		if d.MinHealthy == nil && !slices.Contains(predefinedConfigs, d.Predefined) {
			p.add(bad(at("deploymentConfig"), d.Predefined, "one of %s (or minHealthyHosts)", strings.Join(predefinedConfigs, ", ")))
		}
		if d.MinHealthy != nil && d.MinHealthy.Percent && d.MinHealthy.Value > 99 {
			p.add(bad(at("minHealthyHosts"), fmt.Sprintf("%d%%", d.MinHealthy.Value), "a percentage of 0-99%%"))
		}
		switch e.AgentInstall {
		case serverdeploy.AgentNever, serverdeploy.AgentOnce, serverdeploy.AgentNow:
		case serverdeploy.AgentSchedule:
			if c.AgentInstall != serverdeploy.AgentSchedule {
				p.add(bad(at("agentInstall"), string(e.AgentInstall), "never, once or now (schedule only when the top-level agentInstall is schedule, whose agentSchedule applies)"))
			}
		default:
			p.add(bad(at("agentInstall"), string(e.AgentInstall), "never, once or now"))
		}
		switch {
		case !reEnvPath.MatchString(e.ParameterPath) || strings.Contains(e.ParameterPath, "//"):
			p.add(bad(at("parameterPath"), e.ParameterPath, "a Parameter Store path starting and ending with '/', e.g. /%s/%s/", c.AppName, e.Name))
		case strings.HasPrefix(e.ParameterPath, c.BuildSecretsPath()):
			p.add(bad(at("parameterPath"), e.ParameterPath, "a path outside %s, which holds the build secrets", c.BuildSecretsPath()))
		}
		for _, a := range e.Alarms {
			if !reAlarmName.MatchString(a) {
				p.add(bad(at("alarms"), a, "CloudWatch alarm names of 1-255 characters"))
			}
		}
		if e.URL != "" && !smoketest.ValidURL(e.URL) {
			p.add(bad(at("url"), e.URL, "an http:// or https:// URL with a host, e.g. https://staging.example.com/health"))
		}
		if e.CheckAttempts < 1 || e.CheckAttempts > 100 {
			p.add(bad(at("checkAttempts"), e.CheckAttempts, "1-100"))
		}
		if e.CheckIntervalSeconds < 1 || e.CheckIntervalSeconds > 300 {
			p.add(bad(at("checkIntervalSeconds"), e.CheckIntervalSeconds, "1-300 seconds"))
		}
		if e.CheckCommand != "" && e.URL == "" {
			p.add(bad(at("checkCommand"), e.CheckCommand, "no value without url: the command runs against the environment's URL"))
		}
	}
	switch {
	case crossAccount && !reAccount.MatchString(c.Account):
		p.add(bad("account", c.Account, "the pipeline's 12-digit account id: an environment in another account must know whom to trust"))
	case otherRegion && !reAccount.MatchString(c.Account):
		p.add(bad("account", c.Account, "the pipeline's 12-digit account id: an environment in another Region gets stacks of its own in that account"))
	}
	if c.Region != "" && !envRegions.MatchString(c.Region) {
		p.add(bad("region", c.Region, "an AWS Region such as eu-west-1"))
	}
	if c.Account != "" && !reAccount.MatchString(c.Account) && !crossAccount && !otherRegion {
		p.add(bad("account", c.Account, "a 12-digit AWS account id"))
	}
	return p
}

// checkEnvironmentRegion checks environment i's region and the regional
// values that must agree with it; it tells whether the environment is in
// another Region than the pipeline.
func checkEnvironmentRegion(p *problems, c *Config, i int, e Environment) bool {
	at := func(k string) string { return fmt.Sprintf("environments[%d].%s", i, k) }
	if e.Region != "" && !envRegions.MatchString(e.Region) {
		p.add(bad(at("region"), e.Region, "an AWS Region such as eu-central-1"))
		return false
	}
	other := e.Region != "" && e.Region != c.Region
	region := cmp.Or(e.Region, c.Region)
	switch {
	case other && c.Region == "":
		p.add(bad("region", c.Region, "the pipeline's Region, e.g. us-east-1: %s is %s, and a deployment in another Region needs to know the pipeline's", at("region"), e.Region))
	case other && partitionOf(e.Region) != partitionOf(c.Region):
		p.add(bad(at("region"), e.Region, "a Region of partition %s, as the pipeline's %s is: CodePipeline deploys within one partition", partitionOf(c.Region), c.Region))
	}
	if other && e.ManagedHost {
		p.add(bad(at("managedHost"), true, "false for an environment in another Region: the managed host is created in the pipeline's Region"))
	}
	if region == "" {
		return other
	}
	for _, kv := range [][2]string{{"targetGroupArn", e.TargetGroupArn}, {"loadBalancerArn", e.LoadBalancerArn}} {
		if a, ok := parseArn(kv[1]); ok && a.region != region {
			p.add(bad(at(kv[0]), kv[1], "an ARN in %s, the environment's Region: CodeDeploy uses the load balancer of the Region it deploys in", region))
		}
	}
	return other
}

// partitionOf is the partition of a Region name.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	default:
		return "aws"
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
