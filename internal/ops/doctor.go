package ops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Finding is one result of the pre-flight: Message says what was found and,
// when Status is not ok, what to do.
type Finding struct {
	Check   string `json:"check"`
	Status  string `json:"status"` // ok, fail, warn
	Message string `json:"message"`
}

// Finding statuses.
const (
	OK   = "ok"
	Fail = "fail"
	Warn = "warn"
)

// DoctorOptions tune the host probe.
type DoctorOptions struct {
	// Poll and Timeout pace the wait for the Run Command probe.
	Poll, Timeout time.Duration
}

// Doctor checks what a first release needs: the GitHub connection, hosts
// that the deployment group targets and can reach, and the app's settings.
func Doctor(ctx context.Context, c *Clients, s *Stack, opt DoctorOptions) []Finding {
	var f []Finding
	f = append(f, checkConnection(ctx, c, s))
	f = append(f, checkHosts(ctx, c, s, opt)...)
	f = append(f, checkSettings(ctx, c, s)...)
	return f
}

// DoctorUnreachable is the pre-flight of an environment whose account the
// credentials do not reach: what can be checked from the stack's account,
// then why the rest cannot.
func DoctorUnreachable(ctx context.Context, c *Clients, s *Stack, why error) []Finding {
	return []Finding{checkConnection(ctx, c, s), fail("account", "%v", why)}
}

func ok(check, format string, a ...any) Finding {
	return Finding{check, OK, fmt.Sprintf(format, a...)}
}

func fail(check, format string, a ...any) Finding {
	return Finding{check, Fail, fmt.Sprintf(format, a...)}
}

func checkConnection(ctx context.Context, c *Clients, s *Stack) Finding {
	const check = "connection"
	if s.ConnectionARN == "" {
		return fail(check, "stack %s has no output ConnectionArn: deploy it again with this version (`cdk deploy`)", s.Name)
	}
	out, err := c.Connections.GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: &s.ConnectionARN})
	if err != nil {
		return fail(check, "cannot read the GitHub connection %s: %v", s.ConnectionARN, explain(err))
	}
	name := deref(out.Connection.ConnectionName)
	switch out.Connection.ConnectionStatus {
	case cctypes.ConnectionStatusAvailable:
		return ok(check, "GitHub connection %s is AVAILABLE", name)
	case cctypes.ConnectionStatusPending:
		return fail(check, "GitHub connection %s is PENDING: complete the handshake once in the console (Developer Tools > Settings > Connections > %s > Update pending connection), then release the pipeline", name, name)
	}
	return fail(check, "GitHub connection %s is %s: update it in the console (Developer Tools > Settings > Connections), or set connectionArn to a working one", name, out.Connection.ConnectionStatus)
}

// targets finds the running instances the deployment group targets.
func targets(ctx context.Context, c *Clients, s *Stack) ([]ec2types.Instance, string, error) {
	g, err := c.CodeDeploy.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: &s.Application, DeploymentGroupName: &s.DeploymentGroup})
	if err != nil {
		return nil, "", groupError(s, err)
	}
	info := g.DeploymentGroupInfo
	var filters [][]ec2types.Filter
	var described []string
	tagFilter := func(key, value string) {
		filters = append(filters, []ec2types.Filter{{Name: ptr("tag:" + key), Values: []string{value}}})
		described = append(described, key+"="+value)
	}
	for _, t := range info.Ec2TagFilters {
		tagFilter(deref(t.Key), deref(t.Value))
	}
	if info.Ec2TagSet != nil {
		for _, set := range info.Ec2TagSet.Ec2TagSetList {
			for _, t := range set {
				tagFilter(deref(t.Key), deref(t.Value))
			}
		}
	}
	for _, a := range info.AutoScalingGroups {
		tagFilter("aws:autoscaling:groupName", deref(a.Name))
	}
	seen := map[string]bool{}
	var found []ec2types.Instance
	for _, f := range filters {
		f = append(f, ec2types.Filter{Name: ptr("instance-state-name"), Values: []string{"running"}})
		p := ec2.NewDescribeInstancesPaginator(c.EC2, &ec2.DescribeInstancesInput{Filters: f})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, "", explain(err)
			}
			for _, r := range page.Reservations {
				for _, in := range r.Instances {
					if id := deref(in.InstanceId); !seen[id] {
						seen[id] = true
						found = append(found, in)
					}
				}
			}
		}
	}
	slices.SortFunc(found, func(a, b ec2types.Instance) int { return strings.Compare(deref(a.InstanceId), deref(b.InstanceId)) })
	return found, strings.Join(described, " or "), nil
}

func checkHosts(ctx context.Context, c *Clients, s *Stack, opt DoctorOptions) []Finding {
	const check = "hosts"
	if err := s.require(&s.Application, &s.DeploymentGroup); err != nil {
		return []Finding{fail(check, "%v", err)}
	}
	hosts, by, err := targets(ctx, c, s)
	if err != nil {
		return []Finding{fail(check, "cannot list the deployment targets: %v", err)}
	}
	if len(hosts) == 0 {
		settings := "deployTagKey/deployTagValues, or managedHost: true"
		if s.Env != nil {
			settings = "the environment's deployTagValues or autoScalingGroupName"
		}
		return []Finding{fail(check, "no running EC2 instance has tag %s%s: tag your hosts so (or set %s)", by, s.inRegion(), settings)}
	}
	ids := make([]string, len(hosts))
	for i, h := range hosts {
		ids[i] = deref(h.InstanceId)
	}
	out := []Finding{ok(check, "%d running host(s) with tag %s%s: %s", len(hosts), by, s.inRegion(), strings.Join(ids, ", "))}
	for _, h := range hosts {
		if h.IamInstanceProfile == nil {
			out = append(out, fail("profile", "%s has no instance profile: %s", deref(h.InstanceId), profileHint(s)))
		} else {
			out = append(out, ok("profile", "%s has instance profile %s", deref(h.InstanceId), deref(h.IamInstanceProfile.Arn)))
		}
	}
	online, fs := checkSSM(ctx, c, ids, profileHint(s))
	out = append(out, fs...)
	if len(online) > 0 {
		out = append(out, probeHosts(ctx, c, online, s.regionFlag(), opt)...)
	}
	return out
}

// profileHint says which instance profile a host needs.
func profileHint(s *Stack) string {
	if e := s.Env; e.Remote() && e.HostProfile != "" {
		return fmt.Sprintf("attach the instance profile %s that the environment's stack creates in %s", e.HostProfile, Place(e.Account, e.Region))
	}
	return "attach one whose role has the host policy " + orOutput(s.HostPolicyARN, s.outputKey(&s.HostPolicyARN)) + " (it includes Systems Manager access)"
}

func orOutput(v, output string) string {
	if v != "" {
		return v
	}
	return "of the stack output " + output
}

// checkSSM reports which hosts Systems Manager can reach.
func checkSSM(ctx context.Context, c *Clients, ids []string, hostPolicy string) ([]string, []Finding) {
	const check = "ssm"
	out, err := c.SSM.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
		Filters: []ssmtypes.InstanceInformationStringFilter{{Key: ptr("InstanceIds"), Values: ids}},
	})
	if err != nil {
		return nil, []Finding{fail(check, "cannot ask Systems Manager about the hosts: %v", explain(err))}
	}
	info := map[string]ssmtypes.InstanceInformation{}
	for _, i := range out.InstanceInformationList {
		info[deref(i.InstanceId)] = i
	}
	var online []string
	var fs []Finding
	for _, id := range ids {
		i, found := info[id]
		switch {
		case !found:
			fs = append(fs, fail(check, "%s is not registered with Systems Manager: %s, and check that the SSM agent runs and reaches the SSM endpoints", id, hostPolicy))
		case i.PingStatus != ssmtypes.PingStatusOnline:
			fs = append(fs, fail(check, "%s is registered with Systems Manager but %s: check that the SSM agent runs and reaches the SSM endpoints", id, i.PingStatus))
		default:
			online = append(online, id)
			fs = append(fs, ok(check, "%s is online in Systems Manager (agent %s)", id, deref(i.AgentVersion)))
		}
	}
	return online, fs
}

// probeScript reports the CodeDeploy agent's state and whether a credentials
// file would shadow the instance profile (the agent reads the SDK chain).
const probeScript = `if systemctl is-active --quiet codedeploy-agent; then echo agent=running; else echo agent=stopped; fi
if [ -e /root/.aws/credentials ]; then echo credentials=present; else echo credentials=absent; fi`

// probeHosts runs probeScript on the hosts with Run Command; regionFlag is
// what the AWS CLI needs to look at it.
func probeHosts(ctx context.Context, c *Clients, ids []string, regionFlag string, opt DoctorOptions) []Finding {
	const check = "agent"
	if opt.Poll <= 0 {
		opt.Poll = 2 * time.Second
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 60 * time.Second
	}
	cmd, err := c.SSM.SendCommand(ctx, &ssm.SendCommandInput{
		DocumentName: ptr("AWS-RunShellScript"),
		InstanceIds:  ids,
		Comment:      ptr("shipline doctor: CodeDeploy agent and credentials file"),
		Parameters:   map[string][]string{"commands": {probeScript}},
	})
	if err != nil {
		return []Finding{fail(check, "cannot run the host probe with Run Command: %v", explain(err))}
	}
	var out []Finding
	for _, id := range ids {
		out = append(out, probeResult(ctx, c, deref(cmd.Command.CommandId), id, regionFlag, opt)...)
	}
	return out
}

func probeResult(ctx context.Context, c *Clients, cmdID, id, regionFlag string, opt DoctorOptions) []Finding {
	const check = "agent"
	deadline := time.Now().Add(opt.Timeout)
	for {
		inv, err := c.SSM.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{CommandId: &cmdID, InstanceId: &id})
		if err != nil && errorCode(err) != "InvocationDoesNotExist" {
			return []Finding{fail(check, "cannot read the probe's result on %s: %v", id, explain(err))}
		}
		if err == nil {
			switch inv.Status {
			case ssmtypes.CommandInvocationStatusSuccess:
				return parseProbe(id, deref(inv.StandardOutputContent))
			case ssmtypes.CommandInvocationStatusFailed, ssmtypes.CommandInvocationStatusTimedOut, ssmtypes.CommandInvocationStatusCancelled:
				return []Finding{fail(check, "the probe %s on %s ended %s: %s", cmdID, id, inv.Status, firstLine(deref(inv.StandardErrorContent)))}
			}
		}
		if time.Now().After(deadline) {
			return []Finding{Finding{check, Warn, fmt.Sprintf("the probe %s on %s did not finish within %s: look at it with `aws ssm list-command-invocations --command-id %s --details%s`", cmdID, id, opt.Timeout, cmdID, regionFlag)}}
		}
		select {
		case <-ctx.Done():
			return []Finding{Finding{check, Warn, "stopped waiting for the probe on " + id}}
		case <-time.After(opt.Poll):
		}
	}
}

func parseProbe(id, output string) []Finding {
	env, _ := parseEnv(strings.NewReader(output))
	var out []Finding
	switch env["agent"] {
	case "running":
		out = append(out, ok("agent", "%s runs the CodeDeploy agent", id))
	case "stopped":
		out = append(out, fail("agent", "%s does not run the CodeDeploy agent: start it (`sudo systemctl enable --now codedeploy-agent`) or set agentInstall to have the stack install it", id))
	default:
		out = append(out, Finding{"agent", Warn, fmt.Sprintf("could not tell whether %s runs the CodeDeploy agent: the probe printed %q", id, firstLine(output))})
	}
	switch env["credentials"] {
	case "absent":
		out = append(out, ok("credentials", "%s has no /root/.aws/credentials to shadow its instance profile", id))
	case "present":
		out = append(out, fail("credentials", "%s has /root/.aws/credentials: the agent uses those keys before the instance profile and deployments fail with AccessDenied; remove the file (or its default profile) and restart the agent", id))
	default:
		out = append(out, Finding{"credentials", Warn, fmt.Sprintf("could not tell whether %s has /root/.aws/credentials: the probe printed %q", id, firstLine(output))})
	}
	return out
}

// checkSettings compares the parameters under the app's path with the
// settings the build declares required (REQUIRED_SETTINGS of the build
// project, the values the hosts receive through release.env).
func checkSettings(ctx context.Context, c *Clients, s *Stack) []Finding {
	const check = "settings"
	if s.BuildProject == "" {
		return []Finding{fail(check, "stack %s has no output BuildProjectName: deploy it again with this version (`cdk deploy`)", s.Name)}
	}
	out, err := c.CodeBuild.BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: []string{s.BuildProject}})
	if err != nil {
		return []Finding{fail(check, "cannot read the build project %s: %v", s.BuildProject, explain(err))}
	}
	if len(out.Projects) == 0 || out.Projects[0].Environment == nil {
		return []Finding{fail(check, "build project %s (stack output BuildProjectName) does not exist", s.BuildProject)}
	}
	vars := map[string]string{}
	for _, v := range out.Projects[0].Environment.EnvironmentVariables {
		vars[deref(v.Name)] = deref(v.Value)
	}
	path := groupValue(vars["PARAMETER_PATHS"], s.DeploymentGroup, vars["PARAMETER_PATH"])
	if path == "" {
		return []Finding{fail(check, "build project %s has no PARAMETER_PATH variable: deploy the stack again", s.BuildProject)}
	}
	// The hosts read them in their group's Region (REGIONS), else the build's.
	region, from := groupValue(vars["REGIONS"], s.DeploymentGroup, ""), "its pair in REGIONS"
	if region == "" {
		region, from = s.Region, "the build's, with no pair in REGIONS"
	}
	if region != s.EnvironmentRegion() {
		return []Finding{fail(check, "the hosts of %s read their settings in %s (%s of build project %s), not in %s where the environment is: deploy the stack again with this version (`cdk deploy`)",
			s.DeploymentGroup, region, from, s.BuildProject, s.EnvironmentRegion())}
	}
	have, err := settingNames(ctx, c, path)
	if err != nil {
		return []Finding{fail(check, "cannot list the parameters under %s%s: %v", path, s.inRegion(), err)}
	}
	required := strings.Fields(vars["REQUIRED_SETTINGS"])
	var out2 []Finding
	for _, name := range required {
		if !have[name] {
			out2 = append(out2, fail(check, "required setting %s is missing%s: aws ssm put-parameter --name %s%s --type SecureString --value '...'%s", name, s.inRegion(), path, name, s.regionFlag()))
		}
	}
	if len(out2) > 0 {
		return out2
	}
	if len(required) == 0 {
		if len(have) == 0 {
			return []Finding{{check, Warn, fmt.Sprintf("no parameters under %s%s: the app starts with no settings; add them with `aws ssm put-parameter --name %sNAME ...%s`", path, s.inRegion(), path, s.regionFlag())}}
		}
		return []Finding{ok(check, "%d parameter(s) under %s%s; none is declared required (requiredSettings)", len(have), path, s.inRegion())}
	}
	return []Finding{ok(check, "%d parameter(s) under %s%s, the %d required present", len(have), path, s.inRegion(), len(required))}
}

// groupValue is the group's value in pairs ("<group>=<value> ...", as
// PARAMETER_PATHS and REGIONS of the build), else def: what the host picks.
func groupValue(pairs, group, def string) string {
	for _, pair := range strings.Fields(pairs) {
		if g, v, ok := strings.Cut(pair, "="); ok && g == group {
			return v
		}
	}
	return def
}

// settingNames returns the variable names the host derives from the
// parameters under path: the rest of the name, '/', '-' and '.' turned into
// '_', upper-cased.
func settingNames(ctx context.Context, c *Clients, path string) (map[string]bool, error) {
	names := map[string]bool{}
	p := ssm.NewGetParametersByPathPaginator(c.SSM, &ssm.GetParametersByPathInput{Path: &path, Recursive: ptr(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, explain(err)
		}
		for _, prm := range page.Parameters {
			names[VariableName(path, deref(prm.Name))] = true
		}
	}
	return names, nil
}

// VariableName is the app variable a parameter becomes on the host.
func VariableName(path, parameter string) string {
	rest := strings.TrimPrefix(parameter, path)
	return strings.ToUpper(strings.NewReplacer("/", "_", "-", "_", ".", "_").Replace(rest))
}
