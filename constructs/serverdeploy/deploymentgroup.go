package serverdeploy

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// DeploymentGroupProps configures a DeploymentGroup. Give InstanceTags,
// AutoScalingGroups, or both.
type DeploymentGroupProps struct {
	// Application the group belongs to.
	// Default: a new EC2/on-premises application.
	Application awscodedeploy.IServerApplication
	// ApplicationName is the physical name of a new application (1-100
	// characters); not together with Application.
	// Default: a name CloudFormation generates.
	ApplicationName *string
	// DeploymentGroupName is the group's physical name (1-100 characters).
	// Default: a name CloudFormation generates.
	DeploymentGroupName *string
	// InstanceTags select the EC2 instances to deploy to, e.g.
	// awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}).
	// Default: none.
	InstanceTags awscodedeploy.InstanceTagSet
	// AutoScalingGroups to deploy to, instead of or besides tagged instances.
	// Default: none.
	AutoScalingGroups *[]awsautoscaling.IAutoScalingGroup
	// LoadBalancer takes each instance out of traffic while it is deployed.
	// Default: none.
	LoadBalancer awscodedeploy.LoadBalancer
	// DeploymentConfig decides how many hosts are deployed at once.
	// Default: awscodedeploy.ServerDeploymentConfig_ONE_AT_A_TIME(), or a
	// custom config when MinimumHealthyHosts is set.
	DeploymentConfig awscodedeploy.IServerDeploymentConfig
	// MinimumHealthyHosts creates a custom deployment config that keeps this
	// many hosts healthy during a deployment, e.g.
	// awscodedeploy.MinimumHealthyHosts_Percentage(jsii.Number(75)) or
	// awscodedeploy.MinimumHealthyHosts_Count(jsii.Number(2)). Not together
	// with DeploymentConfig.
	// Default: none.
	MinimumHealthyHosts awscodedeploy.MinimumHealthyHosts
	// Agent installs the CodeDeploy agent on the group's tagged instances and
	// Auto Scaling groups through State Manager (see AgentInstall).
	// Default: no association; the hosts bring their own agent.
	Agent *AgentOptions
	// Role is the CodeDeploy service role.
	// Default: a new role with the AWSCodeDeployRole managed policy.
	Role awsiam.IRole
	// NotificationTopic receives deployment failure, stop and rollback
	// events, and a message naming the alarm whenever one of the group's
	// alarms goes into ALARM.
	// Default: no notifications.
	NotificationTopic awssns.ITopic
	// Alarms stop a deployment and roll it back when one of them is in ALARM
	// while the deployment runs (CodeDeploy polls them between hosts), e.g.
	// awscloudwatch.Alarm_FromAlarmName for an alarm of your own.
	// Default: none besides AlarmTargetGroup's.
	Alarms *[]awscloudwatch.IAlarm
	// AlarmTargetGroup gets two alarms the group watches as it does Alarms:
	// 5xx responses of its targets (Target5xxThreshold in a minute) and
	// unhealthy targets (for UnhealthyMinutes). Its metrics need the load
	// balancer: import it with TargetGroupAttributes.LoadBalancerArns.
	// Default: no default alarms.
	AlarmTargetGroup awselasticloadbalancingv2.IApplicationTargetGroup
	// AlarmNamePrefix names the default alarms of AlarmTargetGroup
	// (DefaultAlarmNames), so that another account can refer to them.
	// Default: names CloudFormation generates.
	AlarmNamePrefix *string
}

// AgentOptions choose how the CodeDeploy agent is installed.
type AgentOptions struct {
	// Mode of installation.
	// Default: AgentOnce.
	Mode AgentMode
	// Schedule of AgentSchedule, e.g. "rate(14 days)".
	// Default: none; required with AgentSchedule only.
	Schedule *string
}

// DeploymentGroup is a CodeDeploy EC2/on-premises application with an
// in-place deployment group that rolls back when a deployment fails.
type DeploymentGroup struct {
	constructs.Construct
	application awscodedeploy.IServerApplication
	group       awscodedeploy.ServerDeploymentGroup
	config      awscodedeploy.IServerDeploymentConfig
	agent       *AgentInstall
	target      awscodedeploy.IServerDeploymentGroup
	alarms      []awscloudwatch.IAlarm
}

// NotificationEvents are the deployment events sent to the
// NotificationTopic. Each call returns a new slice.
func NotificationEvents() []string {
	return []string{"DeploymentFailure", "DeploymentStop", "DeploymentRollback"}
}

// NewDeploymentGroup creates the application (unless one is passed) and the
// deployment group. Invalid props fail the synth, each reported with the
// construct's path.
func NewDeploymentGroup(scope constructs.Construct, id string, props *DeploymentGroupProps) *DeploymentGroup {
	var p DeploymentGroupProps
	if props != nil {
		p = *props
	}
	g := &DeploymentGroup{}
	constructs.NewConstruct_Override(g, scope, &id)
	agentOK := true
	if err := p.validate(); err != nil {
		propcheck.Report(g, err)
		// Both given: the synth fails; build with the custom config only.
		if p.MinimumHealthyHosts != nil {
			p.DeploymentConfig = nil
		}
		agentOK = p.Agent == nil || p.agentProps().validate("Agent.") == nil
	}
	switch {
	case p.MinimumHealthyHosts != nil:
		p.DeploymentConfig = awscodedeploy.NewServerDeploymentConfig(g, jsii.String("DeploymentConfig"), &awscodedeploy.ServerDeploymentConfigProps{
			MinimumHealthyHosts: p.MinimumHealthyHosts,
		})
	case p.DeploymentConfig == nil:
		p.DeploymentConfig = awscodedeploy.ServerDeploymentConfig_ONE_AT_A_TIME()
	}
	g.config = p.DeploymentConfig

	g.application = p.Application
	if g.application == nil {
		g.application = awscodedeploy.NewServerApplication(g, jsii.String("Application"), &awscodedeploy.ServerApplicationProps{
			ApplicationName: p.ApplicationName,
		})
	}
	if p.Alarms != nil {
		g.alarms = append(g.alarms, *p.Alarms...)
	}
	if p.AlarmTargetGroup != nil {
		g.alarms = append(g.alarms, g.targetGroupAlarms(p.AlarmTargetGroup, p.AlarmNamePrefix)...)
	}
	var alarms *[]interfacesawscloudwatch.IAlarmRef
	if len(g.alarms) > 0 {
		refs := make([]interfacesawscloudwatch.IAlarmRef, len(g.alarms))
		for i, a := range g.alarms {
			refs[i] = a
		}
		alarms = &refs
	}
	var loadBalancers *[]awscodedeploy.LoadBalancer
	if p.LoadBalancer != nil {
		loadBalancers = &[]awscodedeploy.LoadBalancer{p.LoadBalancer}
	}
	g.group = awscodedeploy.NewServerDeploymentGroup(g, jsii.String("Resource"), &awscodedeploy.ServerDeploymentGroupProps{
		Application:         g.application,
		DeploymentGroupName: p.DeploymentGroupName,
		Ec2InstanceTags:     p.InstanceTags,
		AutoScalingGroups:   p.AutoScalingGroups,
		LoadBalancers:       loadBalancers,
		DeploymentConfig:    p.DeploymentConfig,
		Role:                p.Role,
		// The agent is managed through SSM State Manager, which also reaches
		// tag-targeted instances; the L2's install only covers Auto Scaling groups.
		InstallAgent: jsii.Bool(false),
		Alarms:       alarms,
		AutoRollback: &awscodedeploy.AutoRollbackConfig{
			FailedDeployment:  jsii.Bool(true),
			StoppedDeployment: jsii.Bool(true),
			DeploymentInAlarm: jsii.Bool(alarms != nil),
		},
	})
	if p.NotificationTopic != nil {
		g.notify(p.NotificationTopic)
		if alarms != nil {
			g.notifyAlarms(p.NotificationTopic)
		}
	}
	if p.Agent != nil && agentOK {
		g.agent = NewAgentInstall(g, "AgentInstall", p.agentProps())
	}
	return g
}

// agentProps are the AgentInstall props for the group's targets.
func (p DeploymentGroupProps) agentProps() *AgentInstallProps {
	if p.Agent == nil {
		return nil
	}
	var names []*string
	if p.AutoScalingGroups != nil {
		for _, asg := range *p.AutoScalingGroups {
			names = append(names, asg.AutoScalingGroupName())
		}
	}
	mode := p.Agent.Mode
	if mode == "" {
		mode = AgentOnce
	}
	return &AgentInstallProps{
		Mode:                  mode,
		Schedule:              p.Agent.Schedule,
		InstanceTags:          p.InstanceTags,
		AutoScalingGroupNames: &names,
	}
}

// notify sets the group's trigger configuration, which the L2 does not
// expose, and lets the service role publish to the topic. CodeDeploy
// publishes trigger notifications with the service role (CodeDeploy user
// guide, "Grant Amazon SNS permissions to a CodeDeploy service role"). For a
// KMS-encrypted topic the publisher also needs kms:GenerateDataKey* and
// kms:Decrypt on the topic's key (Amazon SNS developer guide, "Encryption at
// rest"): GrantPublish adds both when the topic carries its key, which a
// topic created in the stack (or imported with Topic_FromTopicAttributes and
// a KeyArn) does. The group waits for the role's policy, so the first
// notification after creation is not denied.
func (g *DeploymentGroup) notify(topic awssns.ITopic) {
	cfn := g.group.Node().DefaultChild().(awscodedeploy.CfnDeploymentGroup)
	cfn.AddPropertyOverride(jsii.String("TriggerConfigurations"), []map[string]any{{
		"TriggerName":      "deployment-events",
		"TriggerTargetArn": topic.TopicArn(),
		"TriggerEvents":    NotificationEvents(),
	}})
	grant := topic.GrantPublish(g.group.Role())
	cfn.Node().AddDependency(grant)
}

func (p DeploymentGroupProps) validate() error {
	var errs []error
	if p.InstanceTags == nil && (p.AutoScalingGroups == nil || len(*p.AutoScalingGroups) == 0) {
		errs = append(errs, errors.New("InstanceTags, AutoScalingGroups: got neither, want instance tags, Auto Scaling groups or both, so the group has hosts to deploy to"))
	}
	if p.MinimumHealthyHosts != nil && p.DeploymentConfig != nil {
		errs = append(errs, errors.New("DeploymentConfig, MinimumHealthyHosts: got both, want one: MinimumHealthyHosts defines a custom deployment config"))
	}
	if p.Application != nil && p.ApplicationName != nil {
		errs = append(errs, errors.New("ApplicationName: got a name with an existing Application, want it only for a new application"))
	}
	errs = append(errs, nameProblem("ApplicationName", p.ApplicationName), nameProblem("DeploymentGroupName", p.DeploymentGroupName))
	if a := p.agentProps(); a != nil {
		// Reported here, as the props the user wrote; the group's own
		// InstanceTags check covers a group without targets.
		errs = append(errs, a.validate("Agent."))
	}
	return errors.Join(errs...)
}

// nameProblem checks a CodeDeploy application or deployment group name:
// 1-100 characters (CodeDeploy API reference, CreateApplication and
// CreateDeploymentGroup).
func nameProblem(prop string, name *string) error {
	if name == nil || *awscdk.Token_IsUnresolved(name) {
		return nil
	}
	if n := len(*name); n < 1 || n > 100 {
		return fmt.Errorf("%s: got %q, want 1-100 characters", prop, *name)
	}
	return nil
}

// Application is the CodeDeploy application.
func (g *DeploymentGroup) Application() awscodedeploy.IServerApplication { return g.application }

// DeploymentGroup is the deployment group (the escape hatch).
func (g *DeploymentGroup) DeploymentGroup() awscodedeploy.ServerDeploymentGroup { return g.group }

// DeploymentConfig is the group's deployment config (the custom one made from
// MinimumHealthyHosts, or the one passed in).
func (g *DeploymentGroup) DeploymentConfig() awscodedeploy.IServerDeploymentConfig { return g.config }

// AgentInstall is the agent association construct; nil without Agent.
func (g *DeploymentGroup) AgentInstall() *AgentInstall { return g.agent }

// PipelineTarget is the group for a pipeline's CodeDeploy action. With Auto
// Scaling groups it is a reference to the same group that lists none: the
// action would grant the artifact bucket to each group's role, which an
// imported group does not have (the hosts get that read from HostAccess).
// Without Auto Scaling groups it is the group itself.
//
// Deprecated: pass DeploymentGroup() to releasepipeline.PipelineProps, which
// makes the same reference when it is needed.
func (g *DeploymentGroup) PipelineTarget() awscodedeploy.IServerDeploymentGroup {
	if g.target != nil {
		return g.target
	}
	g.target = g.group
	if asgs := g.group.AutoScalingGroups(); asgs != nil && len(*asgs) > 0 {
		g.target = awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(g, jsii.String("PipelineTarget"),
			&awscodedeploy.ServerDeploymentGroupAttributes{
				Application:         g.application,
				DeploymentGroupName: g.group.DeploymentGroupName(),
				DeploymentConfig:    g.config,
			})
	}
	return g.target
}
