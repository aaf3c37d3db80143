package stacks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/constructs/apphost"
	"github.com/shipline/shipline/constructs/crossaccount"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/constructs/smoketest"
)

// Environment is one environment of the pipeline, in the typed form the
// stack reads (the config's `environments` setting).
type Environment struct {
	// Name, as in the stage names "Deploy-<Name>" and "Approve-<Name>".
	Name string
	// Account is the environment's AWS account; empty: the pipeline's.
	Account string
	// Targets: tagged instances (TagKey with any of TagValues), an existing
	// Auto Scaling group, or a managed host (found by its tag).
	TagKey               string
	TagValues            []string
	AutoScalingGroupName string
	ManagedHost          bool
	// TargetGroupArn and LoadBalancerArn: the ALB in front of the hosts;
	// with both, the default alarms on 5xx responses and unhealthy hosts.
	TargetGroupArn  string
	LoadBalancerArn string
	// DeploymentConfig and MinHealthy as for the single environment.
	DeploymentConfig awscodedeploy.IServerDeploymentConfig
	MinHealthy       awscodedeploy.MinimumHealthyHosts
	Agent            *serverdeploy.AgentOptions
	// ParameterPath of the environment's settings, "/<appName>/<Name>/" by
	// default.
	ParameterPath string
	// Approval before the deployment.
	Approval bool
	// Alarms are names of CloudWatch alarms of the environment's account.
	Alarms []string
	// Check after the deployment; nil: none.
	Check *smoketest.ActionOptions
}

// crossAccount tells whether e deploys into another account than the
// pipeline's.
func (e Environment) crossAccount(pipelineAccount *string) bool {
	return e.Account != "" && (*awscdk.Token_IsUnresolved(pipelineAccount) || e.Account != *pipelineAccount)
}

// Names of the resources an environment in another account has: the
// pipeline's stack refers to them by these names.
func targetNames(appName string, e Environment) (application, group, deployRole, hostRole string) {
	prefix := appName + "-" + e.Name
	return appName, prefix, prefix + "-deploy", prefix + "-host"
}

// forwarderRoleName is the role that sends an environment's events from its
// account to the pipeline's.
func forwarderRoleName(appName string, e Environment) string {
	return appName + "-" + e.Name + "-events"
}

// targetAlarmNames are the names of the alarms of an environment in another
// account: the ones it names and, with a load balancer, the default alarms
// its target stack creates under fixed names.
func targetAlarmNames(appName string, e Environment) []string {
	names := append([]string(nil), e.Alarms...)
	if e.TargetGroupArn != "" && e.LoadBalancerArn != "" {
		_, group, _, _ := targetNames(appName, e)
		names = append(names, serverdeploy.DefaultAlarmNames(group)...)
	}
	return names
}

// EnvironmentResources are what the stack made for one environment.
type EnvironmentResources struct {
	// DeploymentGroup is the group in this stack; nil for another account.
	DeploymentGroup *serverdeploy.DeploymentGroup
	// HostAccess is the policy of the environment's hosts in this account.
	HostAccess *serverdeploy.HostAccess
	// Host is the environment's managed host, if any.
	Host *apphost.Host
	// Target is the stack of an environment in another account.
	Target *TargetStack
	// AppLogs receives the containers' logs of the environment's hosts
	// (output AppLogGroupName<Suffix>); nil for another account, whose
	// group is in its target stack.
	AppLogs awslogs.LogGroup
	// Events receives, for an environment in another account, its alarm
	// and deployment events: messages to the topic and the mirror alarms
	// that hold the next environment.
	Events       *crossaccount.Receiver
	scope        constructs.Construct
	group        awscodedeploy.IServerDeploymentGroup
	path         string
	logGroupName *string
}

// environmentGroups makes each environment's deployment group: in this
// stack, or in a stack of its own for another account. It runs before the
// pipeline, which deploys to them.
func (s *PipelineStack) environmentGroups(appName string, envs []Environment, topic awssns.ITopic) []*releasepipeline.Environment {
	out := make([]*releasepipeline.Environment, len(envs))
	s.Environments = make([]*EnvironmentResources, len(envs))
	for i, e := range envs {
		res := &EnvironmentResources{path: e.ParameterPath}
		s.Environments[i] = res
		pe := &releasepipeline.Environment{Name: jsii.String(e.Name), Check: e.Check}
		if e.Approval {
			pe.Approval = s.Approval
		}
		if e.crossAccount(s.Account()) {
			application, group, deployRole, _ := targetNames(appName, e)
			res.Target = newTargetStack(s, appName, e)
			res.logGroupName = jsii.String(targetLogGroupName(appName, e))
			res.group = awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(s, jsii.String("Environment-"+e.Name+"-Group"),
				&awscodedeploy.ServerDeploymentGroupAttributes{
					Application:         awscodedeploy.ServerApplication_FromServerApplicationName(s, jsii.String("Environment-"+e.Name+"-Application"), jsii.String(application)),
					DeploymentGroupName: jsii.String(group),
				})
			pe.DeployRole = awsiam.Role_FromRoleArn(s, jsii.String("Environment-"+e.Name+"-DeployRole"),
				jsii.String(crossaccount.RoleArn(e.Account, deployRole)), &awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
			res.Events = crossaccount.NewReceiver(s, "Environment-"+e.Name+"-Events", &crossaccount.ReceiverProps{
				TargetAccount:       jsii.String(e.Account),
				ForwarderRoleName:   jsii.String(forwarderRoleName(appName, e)),
				Environment:         jsii.String(e.Name),
				AlarmNames:          targetAlarmNames(appName, e),
				ApplicationName:     jsii.String(application),
				DeploymentGroupName: jsii.String(group),
				Topic:               topic,
				LogRetention:        s.config.LogRetention,
				RemovalPolicy:       s.config.RemovalPolicy,
			})
			// The next environment waits while a mirror is in ALARM.
			pe.Alarms = res.Events.Alarms()
			// The key policy names the target's roles, which must exist
			// first: `cdk deploy --all` deploys the target stack before.
			s.AddStackDependency(res.Target, jsii.String("the artifact key's policy names the roles of "+e.Name))
		} else {
			scope := constructs.NewConstruct(s, jsii.String("Environment-"+e.Name))
			res.scope = scope
			res.AppLogs = newAppLogs(scope, s.config, nil)
			res.logGroupName = res.AppLogs.LogGroupName()
			props := groupProps(scope, e)
			props.NotificationTopic = topic
			res.DeploymentGroup = serverdeploy.NewDeploymentGroup(scope, "ServerDeploy", props)
			res.group = res.DeploymentGroup.DeploymentGroup()
			pe.Alarms = res.DeploymentGroup.Alarms()
		}
		pe.DeploymentGroup = res.group
		out[i] = pe
	}
	return out
}

// groupProps are the deployment group props of an environment, its
// imported Auto Scaling group and target group created in scope.
func groupProps(scope constructs.Construct, e Environment) *serverdeploy.DeploymentGroupProps {
	props := &serverdeploy.DeploymentGroupProps{
		DeploymentConfig:    e.DeploymentConfig,
		MinimumHealthyHosts: e.MinHealthy,
		Agent:               e.Agent,
	}
	if len(e.TagValues) > 0 {
		props.InstanceTags = awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{e.TagKey: jsii.Strings(e.TagValues...)})
	}
	if e.AutoScalingGroupName != "" {
		props.AutoScalingGroups = &[]awsautoscaling.IAutoScalingGroup{
			awsautoscaling.AutoScalingGroup_FromAutoScalingGroupName(scope, jsii.String("AutoScalingGroup"), jsii.String(e.AutoScalingGroupName)),
		}
	}
	if e.TargetGroupArn != "" {
		attrs := &awselasticloadbalancingv2.TargetGroupAttributes{TargetGroupArn: jsii.String(e.TargetGroupArn)}
		if e.LoadBalancerArn != "" {
			attrs.LoadBalancerArns = jsii.String(e.LoadBalancerArn)
		}
		tg := awselasticloadbalancingv2.ApplicationTargetGroup_FromTargetGroupAttributes(scope, jsii.String("TargetGroup"), attrs)
		props.LoadBalancer = awscodedeploy.LoadBalancer_Application(tg)
		if e.LoadBalancerArn != "" {
			props.AlarmTargetGroup = tg
		}
	}
	alarms := make([]awscloudwatch.IAlarm, len(e.Alarms))
	for i, name := range e.Alarms {
		alarms[i] = awscloudwatch.Alarm_FromAlarmName(scope, jsii.String(fmt.Sprintf("Alarm%d", i+1)), jsii.String(name))
	}
	props.Alarms = &alarms
	return props
}

// environmentHosts gives each environment's hosts what they need, once the
// pipeline's artifact bucket exists: in this account a host policy, then
// host completes it (and makes the managed host, if any); in another account, its host role admitted to the
// artifact bucket, its key and the image repository.
func (s *PipelineStack) environmentHosts(appName string, envs []Environment, host func(constructs.Construct, Environment, *serverdeploy.HostAccess) *apphost.Host) {
	for i, e := range envs {
		res := s.Environments[i]
		if res.Target != nil {
			_, _, _, hostRole := targetNames(appName, e)
			role := awsiam.Role_FromRoleArn(s, jsii.String("Environment-"+e.Name+"-HostRole"),
				jsii.String(crossaccount.RoleArn(e.Account, hostRole)), &awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
			// The deploy bundles only, as HostAccess allows in this account.
			s.Pipeline.ArtifactBucket().GrantRead(role, jsii.String(serverdeploy.BundleObjects(*s.Pipeline.BundleArtifact().ArtifactName())))
			s.Repository.Repository().GrantPull(role)
			continue
		}
		res.HostAccess = serverdeploy.NewHostAccess(res.scope, "HostAccess", &serverdeploy.HostAccessProps{
			ArtifactBucket:     s.Pipeline.ArtifactBucket(),
			BundleArtifactName: s.Pipeline.BundleArtifact().ArtifactName(),
			Repository:         s.Repository.Repository(),
			ParameterPath:      jsii.String(e.ParameterPath),
			PullThroughPrefix:  s.pullThroughPrefix(),
		})
		allowHostsToLog(res.HostAccess, res.AppLogs)
		res.Host = host(res.scope, e, res.HostAccess)
	}
}

// parameterPaths is the PARAMETER_PATHS build variable: "<group>=<path>"
// pairs, one per environment, so that one build serves every environment
// (a host finds its path by the group that deploys it).
func (s *PipelineStack) parameterPaths() *string {
	return s.groupPairs(func(res *EnvironmentResources) *string { return jsii.String(res.path) })
}

// groupPairs is a build variable of "<deployment group>=<value>" pairs, one
// per environment, which the host reads by $DEPLOYMENT_GROUP_NAME. Lazy: the
// groups are made after the build project.
func (s *PipelineStack) groupPairs(value func(*EnvironmentResources) *string) *string {
	return awscdk.Lazy_String(&groupPairsProducer{s, value}, nil)
}

type groupPairsProducer struct {
	s     *PipelineStack
	value func(*EnvironmentResources) *string
}

func (p *groupPairsProducer) Produce() *string {
	var pairs []*string
	for _, res := range p.s.Environments {
		pairs = append(pairs, awscdk.Fn_Join(jsii.String("="), &[]*string{res.group.DeploymentGroupName(), p.value(res)}))
	}
	return awscdk.Fn_Join(jsii.String(" "), &pairs)
}

// artifactKey encrypts the artifact bucket when an environment is in
// another account: its policy then admits that account's deploy and host
// roles, by name.
func (s *PipelineStack) artifactKey(envs []Environment, removal awscdk.RemovalPolicy) awskms.IKey {
	for _, e := range envs {
		if e.crossAccount(s.Account()) {
			return awskms.NewKey(s, jsii.String("ArtifactKey"), &awskms.KeyProps{
				Description:       jsii.String("Encrypts the pipeline's artifacts, which deployments in other accounts read"),
				EnableKeyRotation: jsii.Bool(true),
				RemovalPolicy:     removal,
			})
		}
	}
	return nil
}

func (s *PipelineStack) environmentOutputs(appName string, envs []Environment) {
	for i, e := range envs {
		res := s.Environments[i]
		suffix := outputSuffix(e.Name)
		out := func(id, desc string, value *string) {
			awscdk.NewCfnOutput(s, jsii.String(id+suffix), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(desc)})
		}
		// The shipline command finds each environment by these outputs, its
		// name and account by the group's description.
		if res.Target != nil {
			application, group, _, hostRole := targetNames(appName, e)
			out("DeploymentGroupName", "CodeDeploy deployment group of "+e.Name+" (account "+e.Account+")", jsii.String(group))
			out("DeployApplicationName", "CodeDeploy application of "+e.Name+" (account "+e.Account+")", jsii.String(application))
			out("HostProfileName", "Instance profile for the hosts of "+e.Name+" (account "+e.Account+", stack "+*res.Target.StackName()+")", jsii.String(hostRole))
			out("AppLogGroupName", "CloudWatch Logs group of the app's and the proxy's containers of "+e.Name+" (account "+e.Account+", stack "+*res.Target.StackName()+")", res.logGroupName)
			continue
		}
		out("DeploymentGroupName", "CodeDeploy deployment group of "+e.Name, res.group.DeploymentGroupName())
		out("DeployApplicationName", "CodeDeploy application of "+e.Name, res.DeploymentGroup.Application().ApplicationName())
		out("HostPolicyArn", "Policy for the hosts of "+e.Name+": attach it to their instance profile role", res.HostAccess.Policy().ManagedPolicyArn())
		out("AppLogGroupName", "CloudWatch Logs group of the app's and the proxy's containers of "+e.Name+" (`shipline logs`)", res.logGroupName)
		if res.Host != nil {
			out("HostInstanceId", "Managed host of "+e.Name, res.Host.Instance().InstanceId())
		}
	}
}

// outputSuffix turns an environment name into the alphanumeric tail of an
// output id: "staging-eu" becomes "StagingEu".
func outputSuffix(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		if r == '-' || r == '_' {
			upper = true
			continue
		}
		if upper {
			r = []rune(strings.ToUpper(string(r)))[0]
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// checkEnvironments reports environments a Go caller built that the stack
// cannot deploy to; the config's own checks report them to `cdk synth`
// users first, setting by setting.
func checkEnvironments(s *PipelineStack, envs []Environment) error {
	var errs []error
	for i, e := range envs {
		at := fmt.Sprintf("Environments[%d] %q", i, e.Name)
		if len(e.TagValues) == 0 && e.AutoScalingGroupName == "" {
			errs = append(errs, fmt.Errorf("%s: got no tag values and no Auto Scaling group, want hosts to deploy to", at))
		}
		if e.ManagedHost && (len(e.TagValues) == 0 || e.AutoScalingGroupName != "") {
			errs = append(errs, fmt.Errorf("%s: a managed host is found by its tag: want TagValues and no Auto Scaling group", at))
		}
		if !strings.HasPrefix(e.ParameterPath, "/") || !strings.HasSuffix(e.ParameterPath, "/") {
			errs = append(errs, fmt.Errorf("%s: ParameterPath got %q, want a path such as /myapp/%s/", at, e.ParameterPath, e.Name))
		}
		if e.Account != "" && *awscdk.Token_IsUnresolved(s.Account()) {
			errs = append(errs, fmt.Errorf("%s: Account %s needs the pipeline stack's own account set (StackProps.Env), so that the target account can trust it", at, e.Account))
		}
		if e.crossAccount(s.Account()) && e.ManagedHost {
			errs = append(errs, fmt.Errorf("%s: a managed host is created in the pipeline's account only, want tags or an Auto Scaling group in account %s", at, e.Account))
		}
	}
	return errors.Join(errs...)
}

// environmentsOf are the config's environments in the stack's form.
func environmentsOf(cfg config.Config) []Environment {
	if len(cfg.Environments) == 0 {
		return nil
	}
	out := make([]Environment, len(cfg.Environments))
	for i, e := range cfg.Environments {
		env := Environment{
			Name: e.Name, Account: e.Account,
			TagKey: cfg.DeployTagKey, TagValues: e.DeployTagValues,
			AutoScalingGroupName: e.AutoScalingGroupName, ManagedHost: e.ManagedHost,
			TargetGroupArn: e.TargetGroupArn, LoadBalancerArn: e.LoadBalancerArn,
			ParameterPath: e.ParameterPath, Approval: e.Approval, Alarms: e.Alarms,
		}
		if e.Account == cfg.Account {
			env.Account = ""
		}
		env.DeploymentConfig, env.MinHealthy = deploymentConfig(e.DeploymentConfig)
		if e.AgentInstall != serverdeploy.AgentNever {
			env.Agent = &serverdeploy.AgentOptions{Mode: e.AgentInstall}
			if e.AgentInstall == serverdeploy.AgentSchedule {
				env.Agent.Schedule = jsii.String(cfg.AgentSchedule)
			}
		}
		if e.URL != "" {
			env.Check = &smoketest.ActionOptions{
				URL:             jsii.String(e.URL),
				Attempts:        jsii.Number(float64(e.CheckAttempts)),
				IntervalSeconds: jsii.Number(float64(e.CheckIntervalSeconds)),
			}
			if e.CheckCommand != "" {
				env.Check.Command = jsii.String(e.CheckCommand)
			}
		}
		out[i] = env
	}
	return out
}
