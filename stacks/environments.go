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
	// Region is the environment's AWS Region; empty: the pipeline's.
	Region string
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

// crossRegion tells whether e deploys into another Region than the
// pipeline's.
func (e Environment) crossRegion(pipelineRegion *string) bool {
	return e.Region != "" && (*awscdk.Token_IsUnresolved(pipelineRegion) || e.Region != *pipelineRegion)
}

// remote tells whether e's resources live in a target stack of their own:
// e is in another account or Region than the pipeline.
func (s *PipelineStack) remote(e Environment) bool {
	return e.crossAccount(s.Account()) || e.crossRegion(s.Region())
}

// accountOf is the account of e: its own, else the pipeline's.
func (s *PipelineStack) accountOf(e Environment) string {
	if e.Account != "" {
		return e.Account
	}
	return *s.Account()
}

// where describes the account and Region of a remote e, as the outputs'
// descriptions (and the shipline command) read them: "account
// 222222222222, region eu-central-1".
func (s *PipelineStack) where(e Environment) string {
	var parts []string
	if e.crossAccount(s.Account()) {
		parts = append(parts, "account "+e.Account)
	}
	if e.crossRegion(s.Region()) {
		parts = append(parts, "region "+e.Region)
	}
	return strings.Join(parts, ", ")
}

// Names of the resources an environment in another account or Region has: the
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
	// DeploymentGroup is the group in this stack; nil for another account
	// or Region (its group is in Target).
	DeploymentGroup *serverdeploy.DeploymentGroup
	// HostAccess is the policy of the environment's hosts in this stack's
	// account and Region; nil for another (Target has their role).
	HostAccess *serverdeploy.HostAccess
	// Host is the environment's managed host, if any.
	Host *apphost.Host
	// Target is the stack of an environment in another account or Region.
	Target *TargetStack
	// AppLogs receives the containers' logs of the environment's hosts
	// (output AppLogGroupName<Suffix>); nil for another account or Region,
	// whose group is in its target stack.
	AppLogs awslogs.LogGroup
	// Events receives, for an environment in another account or Region,
	// its alarm and deployment events: messages to the topic and the
	// mirror alarms that hold the next environment.
	Events       *crossaccount.Receiver
	scope        constructs.Construct
	group        awscodedeploy.IServerDeploymentGroup
	path         string
	logGroupName *string
	region       *string
	deployRole   awsiam.IRole
}

// environmentGroups makes each environment's deployment group: in this
// stack, or in a stack of its own for another account. It runs before the
// pipeline, which deploys to them.
func (s *PipelineStack) environmentGroups(appName string, envs []Environment, topic awssns.ITopic) []*releasepipeline.Environment {
	out := make([]*releasepipeline.Environment, len(envs))
	s.Environments = make([]*EnvironmentResources, len(envs))
	for i, e := range envs {
		res := &EnvironmentResources{path: e.ParameterPath, region: s.Region()}
		s.Environments[i] = res
		pe := &releasepipeline.Environment{Name: jsii.String(e.Name), Check: e.Check}
		if e.Approval {
			pe.Approval = s.Approval
		}
		if s.remote(e) {
			application, group, deployRole, _ := targetNames(appName, e)
			res.Target = newTargetStack(s, appName, e)
			res.logGroupName = jsii.String(targetLogGroupName(appName, e))
			var region *string // nil: the pipeline's
			if e.crossRegion(s.Region()) {
				region = jsii.String(e.Region)
				res.region = region
			}
			res.group = awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(s, jsii.String("Environment-"+e.Name+"-Group"),
				&awscodedeploy.ServerDeploymentGroupAttributes{
					Application:         s.remoteApplication(e, application),
					DeploymentGroupName: jsii.String(group),
				})
			res.deployRole = awsiam.Role_FromRoleArn(s, jsii.String("Environment-"+e.Name+"-DeployRole"),
				jsii.String(crossaccount.RoleArn(s.accountOf(e), deployRole)), &awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
			pe.DeployRole = res.deployRole
			res.Events = crossaccount.NewReceiver(s, "Environment-"+e.Name+"-Events", &crossaccount.ReceiverProps{
				TargetAccount:       jsii.String(s.accountOf(e)),
				TargetRegion:        region,
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
			// The deploy action uses the target's roles and group, and the
			// artifact key's policy names its roles, which must exist first:
			// `cdk deploy --all` deploys the target stack before.
			s.AddStackDependency(res.Target, jsii.String("the pipeline deploys with the roles and the deployment group of "+e.Name))
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

// remoteApplication is the CodeDeploy application of remote environment e.
// In another Region it is imported by ARN, whose Region makes CodePipeline
// run the deploy action there, with the artifact replica of that Region.
func (s *PipelineStack) remoteApplication(e Environment, name string) awscodedeploy.IServerApplication {
	id := jsii.String("Environment-" + e.Name + "-Application")
	if !e.crossRegion(s.Region()) {
		return awscodedeploy.ServerApplication_FromServerApplicationName(s, id, jsii.String(name))
	}
	return awscodedeploy.ServerApplication_FromServerApplicationArn(s, id, s.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("codedeploy"), Account: jsii.String(s.accountOf(e)), Region: jsii.String(e.Region),
		Resource: jsii.String("application"), ResourceName: jsii.String(name), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	}))
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
			// In this account the host role's own policy reads the bundles
			// and pulls the image; another account's needs this side's
			// bucket, key and repository policies too.
			if e.crossAccount(s.Account()) {
				s.admitRemoteRoles(appName, e, res)
			}
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

// admitRemoteRoles admits the roles of e, in another account, to the
// deploy bundles only (as HostAccess allows in this account) and their key,
// in the artifact store of e's Region, and the host role to the image
// repository. The deploy action grants its role the pipeline's own store;
// a replica's it cannot (see releasepipeline.ArtifactReplica).
func (s *PipelineStack) admitRemoteRoles(appName string, e Environment, res *EnvironmentResources) {
	_, _, _, hostRole := targetNames(appName, e)
	host := awsiam.Role_FromRoleArn(s, jsii.String("Environment-"+e.Name+"-HostRole"),
		jsii.String(crossaccount.RoleArn(e.Account, hostRole)), &awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
	bundles := jsii.String(serverdeploy.BundleObjects(*s.Pipeline.BundleArtifact().ArtifactName()))
	bucket := s.Pipeline.ArtifactBucket()
	if e.crossRegion(s.Region()) {
		bucket = s.Replicas[e.Region].Replica.Bucket()
		bucket.GrantRead(res.deployRole, bundles)
	}
	bucket.GrantRead(host, bundles)
	s.Repository.Repository().GrantPull(host)
}

// parameterPaths is the PARAMETER_PATHS build variable: "<group>=<path>"
// pairs, one per environment, so that one build serves every environment
// (a host finds its path by the group that deploys it).
func (s *PipelineStack) parameterPaths() *string {
	return s.groupPairs(func(res *EnvironmentResources) *string { return jsii.String(res.path) })
}

// regions is the REGIONS build variable: "<group>=<Region>" pairs, so that
// a host in another Region reads its settings and writes its logs there.
func (s *PipelineStack) regions() *string {
	return s.groupPairs(func(res *EnvironmentResources) *string { return res.region })
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
// another account and the pipeline's Region: its policy then admits that
// account's deploy and host roles, by name. (One in another Region reads
// the replica there.)
func (s *PipelineStack) artifactKey(envs []Environment, removal awscdk.RemovalPolicy) awskms.IKey {
	for _, e := range envs {
		if e.crossAccount(s.Account()) && !e.crossRegion(s.Region()) {
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
			where := s.where(e)
			out("DeploymentGroupName", "CodeDeploy deployment group of "+e.Name+" ("+where+")", jsii.String(group))
			out("DeployApplicationName", "CodeDeploy application of "+e.Name+" ("+where+")", jsii.String(application))
			out("HostProfileName", "Instance profile for the hosts of "+e.Name+" ("+where+", stack "+*res.Target.StackName()+")", jsii.String(hostRole))
			out("AppLogGroupName", "CloudWatch Logs group of the app's and the proxy's containers of "+e.Name+" ("+where+", stack "+*res.Target.StackName()+")", res.logGroupName)
			if e.crossRegion(s.Region()) {
				out("DeployRegion", "AWS Region of "+e.Name+": its deployment group, hosts, settings and logs", jsii.String(e.Region))
			}
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
		if e.Region != "" && (*awscdk.Token_IsUnresolved(s.Region()) || *awscdk.Token_IsUnresolved(s.Account())) {
			errs = append(errs, fmt.Errorf("%s: Region %s needs the pipeline stack's own account and Region set (StackProps.Env): the environment's stacks are placed by them", at, e.Region))
		}
		if e.crossRegion(s.Region()) && e.ManagedHost {
			errs = append(errs, fmt.Errorf("%s: a managed host is created in the pipeline's Region only, want tags or an Auto Scaling group in %s", at, e.Region))
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
			Name: e.Name, Account: e.Account, Region: e.Region,
			TagKey: cfg.DeployTagKey, TagValues: e.DeployTagValues,
			AutoScalingGroupName: e.AutoScalingGroupName, ManagedHost: e.ManagedHost,
			TargetGroupArn: e.TargetGroupArn, LoadBalancerArn: e.LoadBalancerArn,
			ParameterPath: e.ParameterPath, Approval: e.Approval, Alarms: e.Alarms,
		}
		if e.Account == cfg.Account {
			env.Account = ""
		}
		if e.Region == cfg.Region {
			env.Region = ""
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
