package serverdeploy

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// DeploymentGroupProps configures a DeploymentGroup. Give InstanceTags,
// AutoScalingGroups, or both.
type DeploymentGroupProps struct {
	// Application the group belongs to.
	// Default: a new EC2/on-premises application.
	Application awscodedeploy.IServerApplication
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
	// Default: awscodedeploy.ServerDeploymentConfig_ONE_AT_A_TIME().
	DeploymentConfig awscodedeploy.IServerDeploymentConfig
	// Role is the CodeDeploy service role.
	// Default: a new role with the AWSCodeDeployRole managed policy.
	Role awsiam.IRole
	// NotificationTopic receives deployment failure, stop and rollback events.
	// Default: no notifications.
	NotificationTopic awssns.ITopic
}

// DeploymentGroup is a CodeDeploy EC2/on-premises application with an
// in-place deployment group that rolls back when a deployment fails.
type DeploymentGroup struct {
	constructs.Construct
	application awscodedeploy.IServerApplication
	group       awscodedeploy.ServerDeploymentGroup
}

// NotificationEvents are the deployment events sent to the NotificationTopic.
var NotificationEvents = []string{"DeploymentFailure", "DeploymentStop", "DeploymentRollback"}

// NewDeploymentGroup creates the application (unless one is passed) and the
// deployment group.
func NewDeploymentGroup(scope constructs.Construct, id string, props *DeploymentGroupProps) *DeploymentGroup {
	var p DeploymentGroupProps
	if props != nil {
		p = *props
	}
	if err := p.validate(); err != nil {
		panic(fmt.Sprintf("serverdeploy.DeploymentGroup %q: %v", id, err))
	}
	if p.DeploymentConfig == nil {
		p.DeploymentConfig = awscodedeploy.ServerDeploymentConfig_ONE_AT_A_TIME()
	}
	g := &DeploymentGroup{}
	constructs.NewConstruct_Override(g, scope, &id)

	g.application = p.Application
	if g.application == nil {
		g.application = awscodedeploy.NewServerApplication(g, jsii.String("Application"), nil)
	}
	var loadBalancers *[]awscodedeploy.LoadBalancer
	if p.LoadBalancer != nil {
		loadBalancers = &[]awscodedeploy.LoadBalancer{p.LoadBalancer}
	}
	g.group = awscodedeploy.NewServerDeploymentGroup(g, jsii.String("Resource"), &awscodedeploy.ServerDeploymentGroupProps{
		Application:       g.application,
		Ec2InstanceTags:   p.InstanceTags,
		AutoScalingGroups: p.AutoScalingGroups,
		LoadBalancers:     loadBalancers,
		DeploymentConfig:  p.DeploymentConfig,
		Role:              p.Role,
		// The agent is managed through SSM State Manager, which also reaches
		// tag-targeted instances; the L2's install only covers Auto Scaling groups.
		InstallAgent: jsii.Bool(false),
		AutoRollback: &awscodedeploy.AutoRollbackConfig{
			FailedDeployment:  jsii.Bool(true),
			StoppedDeployment: jsii.Bool(true),
		},
	})
	if p.NotificationTopic != nil {
		g.notify(p.NotificationTopic)
	}
	return g
}

// notify sets the group's trigger configuration, which the L2 does not
// expose, and lets the service role publish to the topic.
func (g *DeploymentGroup) notify(topic awssns.ITopic) {
	cfn := g.group.Node().DefaultChild().(awscodedeploy.CfnDeploymentGroup)
	cfn.AddPropertyOverride(jsii.String("TriggerConfigurations"), []map[string]any{{
		"TriggerName":      "deployment-events",
		"TriggerTargetArn": topic.TopicArn(),
		"TriggerEvents":    NotificationEvents,
	}})
	topic.GrantPublish(g.group.Role())
}

func (p DeploymentGroupProps) validate() error {
	if p.InstanceTags == nil && (p.AutoScalingGroups == nil || len(*p.AutoScalingGroups) == 0) {
		return errors.New("InstanceTags, AutoScalingGroups: got neither, want instance tags, Auto Scaling groups or both, so the group has hosts to deploy to")
	}
	return nil
}

// Application is the CodeDeploy application.
func (g *DeploymentGroup) Application() awscodedeploy.IServerApplication { return g.application }

// DeploymentGroup is the deployment group (the escape hatch).
func (g *DeploymentGroup) DeploymentGroup() awscodedeploy.ServerDeploymentGroup { return g.group }
