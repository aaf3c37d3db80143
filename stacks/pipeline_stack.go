package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/constructs/apphost"
	"github.com/shipline/shipline/constructs/chatapproval"
	"github.com/shipline/shipline/constructs/diffrole"
	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/imagerepo"
	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// PipelineStackProps configures the stack.
type PipelineStackProps struct {
	awscdk.StackProps
	// Config holds the settings, typically from config.FromContext. It is
	// validated again here, so a Config built in Go reports every mistake.
	// Default: config.Default().
	Config *config.Config
	// Environments replace the config's single deploy target: the pipeline
	// deploys the one build to each, in order. An environment with an
	// Account or a Region other than the stack's gets a TargetStack of its
	// own beside this stack (and one in another Region, a ReplicaStack for
	// its Region); the stack then needs an explicit account (and Region).
	// Default: the config's environments, or its single target in the
	// stage "Deploy" when it has none.
	Environments []Environment
}

// PipelineStack composes the constructs into the delivery pipeline.
type PipelineStack struct {
	awscdk.Stack
	// Repository receives the built images.
	Repository *imagerepo.Repository
	// Build is the CodeBuild project that builds and pushes the image.
	Build *dockerbuild.Project
	// Approval is the manual approval and the topic announcing it.
	Approval *manualapproval.Approval
	// ApprovalChannels are the chat channels (approvalSlack*, approvalTeams*)
	// announcing the approvals; empty without them.
	ApprovalChannels []*chatapproval.Channel
	// DeploymentGroup deploys releases to the hosts.
	DeploymentGroup *serverdeploy.DeploymentGroup
	// Pipeline is the release pipeline: source, approval, build, deploy.
	Pipeline *releasepipeline.Pipeline
	// HostAccess is the policy deployment targets need (output HostPolicyArn).
	HostAccess *serverdeploy.HostAccess
	// AppLogs receives the app's and the proxy's container logs (output
	// AppLogGroupName); the hosts may write only there. Nil with
	// environments: each has its own (EnvironmentResources.AppLogs).
	AppLogs awslogs.LogGroup
	// Host is the managed host; nil unless managedHost is true.
	Host *apphost.Host
	// Environments are the resources of each environment, in order; nil
	// without PipelineStackProps.Environments.
	Environments []*EnvironmentResources
	// Replicas are the artifact stores in the environments' other Regions,
	// by Region; nil when every environment is in the stack's Region.
	Replicas map[string]*ReplicaStack
	// DiffRole is set when the config names a diffRoleRepo.
	DiffRole *diffrole.DiffRole
	config   config.Config
	parent   constructs.Construct // where target stacks go
	// proxyCache is the prefix of the proxy image's pull-through cache
	// rule; empty without one.
	proxyCache string
}

// Config is the configuration the stack was built from.
func (s *PipelineStack) Config() config.Config { return s.config }

// NewPipelineStack builds the stack. props may be nil: every setting then
// takes its default. An invalid config panics with every mistake, one per
// line.
func NewPipelineStack(scope constructs.Construct, id string, props *PipelineStackProps) *PipelineStack {
	var p PipelineStackProps
	if props != nil {
		p = *props
	}
	cfg := config.Default()
	if p.Config != nil {
		cfg = *p.Config
	}
	if err := cfg.Validate(); err != nil {
		panic(fmt.Sprintf("stacks.PipelineStack %q: invalid config:\n%v", id, err))
	}
	if p.Description == nil {
		p.Description = jsii.String("shipline: GitHub → approval → Docker build → CodeDeploy to EC2")
	}
	s := &PipelineStack{config: cfg, parent: scope}
	awscdk.NewStack_Override(s, scope, &id, &p.StackProps)
	envs := p.Environments
	if envs == nil {
		envs = environmentsOf(cfg)
	}
	if err := checkEnvironments(s, envs); err != nil {
		panic(fmt.Sprintf("stacks.PipelineStack %q: %v", id, err))
	}
	for _, w := range cfg.Warnings() {
		awscdk.Annotations_Of(s).AddWarningV2(jsii.String(w.ID), jsii.String(w.Message), nil)
	}

	s.Repository = imagerepo.NewRepository(s, "ImageRepository", &imagerepo.RepositoryProps{
		KeepReleaseImages: jsii.Number(float64(cfg.KeepReleaseImages)),
		RemovalPolicy:     cfg.RemovalPolicy,
	})

	secrets := map[string]*string{}
	for k, v := range cfg.BuildSecrets {
		secrets[k] = jsii.String(v)
	}
	var managed *dockerbuild.ManagedBuild
	var spec awscodebuild.BuildSpec
	if cfg.ManagedBuild() {
		managed = &dockerbuild.ManagedBuild{
			AppName:       jsii.String(cfg.AppName),
			ParameterPath: jsii.String(cfg.ParameterPath()),
			Dockerfile:    jsii.String(cfg.Dockerfile),
			BuildContext:  jsii.String(cfg.BuildContext),
			HealthTimeout: jsii.Number(cfg.HealthTimeout.Seconds()),
			KeepReleases:  jsii.Number(float64(cfg.KeepReleases)),
		}
		if len(cfg.RequiredSettings) > 0 {
			managed.RequiredSettings = jsii.Strings(cfg.RequiredSettings...)
		}
		managed.ProxyImage, s.proxyCache = s.proxyImage(cfg)
	} else {
		spec = awscodebuild.BuildSpec_FromSourceFilename(jsii.String(cfg.Buildspec))
	}
	if envs == nil {
		s.AppLogs = newAppLogs(s, cfg, nil)
	}
	s.Build = dockerbuild.NewProject(s, "DockerBuild", &dockerbuild.ProjectProps{
		Repository:           s.Repository.Repository(),
		Architecture:         cfg.Architecture,
		BuildSpec:            spec,
		Managed:              managed,
		ComputeType:          cfg.BuildComputeType,
		Timeout:              awscdk.Duration_Minutes(jsii.Number(cfg.BuildTimeout.Minutes())),
		ConcurrentBuildLimit: jsii.Number(float64(cfg.BuildConcurrencyLimit)),
		BuildSecrets:         &secrets,
		EnvironmentVariables: s.buildVariables(cfg, envs),
		LogRetention:         cfg.LogRetention,
		RemovalPolicy:        cfg.RemovalPolicy,
	})

	var topic awssns.ITopic
	if cfg.ApprovalTopicArn != "" {
		attrs := &awssns.TopicAttributes{TopicArn: jsii.String(cfg.ApprovalTopicArn)}
		if cfg.ApprovalTopicKeyArn != "" {
			attrs.KeyArn = jsii.String(cfg.ApprovalTopicKeyArn)
		}
		topic = awssns.Topic_FromTopicAttributes(s, jsii.String("ExistingApprovalTopic"), attrs)
	}
	s.Approval = manualapproval.NewApproval(s, "Approval", &manualapproval.ApprovalProps{
		Topic:  topic,
		Emails: jsii.Strings(cfg.Subscribers()...),
	})

	var environments []*releasepipeline.Environment
	if envs == nil {
		s.DeploymentGroup = s.deploymentGroup(cfg)
	} else {
		environments = s.environmentGroups(cfg.AppName, envs, s.Approval.Topic())
		s.Replicas = s.newReplicaStacks(envs)
	}

	var connection *string
	if cfg.ConnectionArn != "" {
		connection = jsii.String(cfg.ConnectionArn)
	}
	s.Pipeline = releasepipeline.NewPipeline(s, "ReleasePipeline", &releasepipeline.PipelineProps{
		Owner:                         jsii.String(cfg.GitHubOwner),
		Repo:                          jsii.String(cfg.GitHubRepo),
		Branch:                        jsii.String(cfg.GitHubBranch),
		ConnectionArn:                 connection,
		BuildProject:                  s.Build.Project(),
		DeploymentGroup:               s.legacyGroup(),
		Environments:                  environments,
		ArtifactKey:                   s.artifactKey(envs, cfg.RemovalPolicy),
		CrossRegionReplicationBuckets: s.replicaBuckets(),
		Approval:                      s.Approval,
		ApprovalPosition:              cfg.ApprovalPosition,
		ArtifactExpiration:            awscdk.Duration_Days(jsii.Number(cfg.ArtifactExpiration.Hours() / 24)),
		RemovalPolicy:                 cfg.RemovalPolicy,
	})
	for _, r := range s.Replicas {
		r.Replica.GrantKeyUse(s.Pipeline.Pipeline().Role())
	}
	s.Pipeline.NotifyTopic(s.Approval.Topic())
	s.ApprovalChannels = s.approvalChannels(cfg)

	s.addDiffRole(cfg)
	s.writeParameters(cfg)
	if envs == nil {
		s.hosts(cfg)
		allowHostsToLog(s.HostAccess, s.AppLogs)
	} else {
		s.environmentHosts(cfg.AppName, envs, func(scope constructs.Construct, e Environment, access *serverdeploy.HostAccess) *apphost.Host {
			if !e.ManagedHost {
				return nil
			}
			return s.managedHost(scope, cfg, access, e.TagKey, e.TagValues[0])
		})
	}
	s.outputs(cfg)
	s.environmentOutputs(cfg.AppName, envs)
	return s
}

// legacyGroup is the single deployment group, when there are no environments.
func (s *PipelineStack) legacyGroup() awscodedeploy.IServerDeploymentGroup {
	if s.DeploymentGroup == nil {
		return nil
	}
	return s.DeploymentGroup.DeploymentGroup()
}

// buildVariables are the build's variables; with environments, also the
// Parameter Store path, the app log group and, with an environment in
// another Region, the Region of each deployment group (PARAMETER_PATHS,
// LOG_GROUPS, REGIONS), else the one log group (LOG_GROUP). A
// repository buildspec gets the same names the managed one uses.
func (s *PipelineStack) buildVariables(cfg config.Config, envs []Environment) *map[string]*awscodebuild.BuildEnvironmentVariable {
	vars := map[string]*awscodebuild.BuildEnvironmentVariable{
		"APP_NAME":       {Value: jsii.String(cfg.AppName)},
		"PARAMETER_PATH": {Value: jsii.String(cfg.ParameterPath())},
	}
	// Written into release.env: the hosts' containers log there.
	if envs != nil {
		vars["PARAMETER_PATHS"] = &awscodebuild.BuildEnvironmentVariable{Value: s.parameterPaths()}
		vars["LOG_GROUPS"] = &awscodebuild.BuildEnvironmentVariable{Value: s.logGroups()}
		if len(s.otherRegions(envs)) > 0 {
			vars["REGIONS"] = &awscodebuild.BuildEnvironmentVariable{Value: s.regions()}
		}
	} else {
		vars["LOG_GROUP"] = &awscodebuild.BuildEnvironmentVariable{Value: s.AppLogs.LogGroupName()}
	}
	return &vars
}

// deploymentConfig is the CDK form of the config's deployment config.
func deploymentConfig(d config.DeploymentConfig) (awscodedeploy.IServerDeploymentConfig, awscodedeploy.MinimumHealthyHosts) {
	if m := d.MinHealthy; m != nil {
		if m.Percent {
			return nil, awscodedeploy.MinimumHealthyHosts_Percentage(jsii.Number(float64(m.Value)))
		}
		return nil, awscodedeploy.MinimumHealthyHosts_Count(jsii.Number(float64(m.Value)))
	}
	switch d.Predefined {
	case config.AllAtOnce:
		return awscodedeploy.ServerDeploymentConfig_ALL_AT_ONCE(), nil
	case config.HalfAtATime:
		return awscodedeploy.ServerDeploymentConfig_HALF_AT_A_TIME(), nil
	default:
		return awscodedeploy.ServerDeploymentConfig_ONE_AT_A_TIME(), nil
	}
}

// deploymentGroup targets the tagged hosts and/or an existing Auto Scaling
// group, optionally behind an existing ALB target group, and installs the
// CodeDeploy agent on the same targets.
func (s *PipelineStack) deploymentGroup(cfg config.Config) *serverdeploy.DeploymentGroup {
	props := &serverdeploy.DeploymentGroupProps{NotificationTopic: s.Approval.Topic()}
	if tags := cfg.InstanceTags(); tags != nil {
		set := map[string]*[]*string{}
		for k, v := range tags {
			set[k] = jsii.Strings(v...)
		}
		props.InstanceTags = awscodedeploy.NewInstanceTagSet(&set)
	}
	if cfg.AutoScalingGroupName != "" {
		props.AutoScalingGroups = &[]awsautoscaling.IAutoScalingGroup{
			awsautoscaling.AutoScalingGroup_FromAutoScalingGroupName(s, jsii.String("ExistingAutoScalingGroup"), jsii.String(cfg.AutoScalingGroupName)),
		}
	}
	if cfg.TargetGroupArn != "" {
		tg := awselasticloadbalancingv2.ApplicationTargetGroup_FromTargetGroupAttributes(s, jsii.String("ExistingTargetGroup"),
			&awselasticloadbalancingv2.TargetGroupAttributes{TargetGroupArn: jsii.String(cfg.TargetGroupArn)})
		props.LoadBalancer = awscodedeploy.LoadBalancer_Application(tg)
	}
	props.DeploymentConfig, props.MinimumHealthyHosts = deploymentConfig(cfg.DeploymentConfig)
	if cfg.AgentInstall != serverdeploy.AgentNever {
		props.Agent = &serverdeploy.AgentOptions{Mode: cfg.AgentInstall}
		if cfg.AgentInstall == serverdeploy.AgentSchedule {
			props.Agent.Schedule = jsii.String(cfg.AgentSchedule)
		}
	}
	return serverdeploy.NewDeploymentGroup(s, "ServerDeploy", props)
}

// hosts creates the deployment targets' policy and, with managedHost, a host
// that has exactly that policy and carries the deployment tag.
func (s *PipelineStack) hosts(cfg config.Config) {
	s.HostAccess = serverdeploy.NewHostAccess(s, "HostAccess", &serverdeploy.HostAccessProps{
		ArtifactBucket:     s.Pipeline.ArtifactBucket(),
		BundleArtifactName: s.Pipeline.BundleArtifact().ArtifactName(),
		Repository:         s.Repository.Repository(),
		ParameterPath:      jsii.String(cfg.ParameterPath()),
		PullThroughPrefix:  s.pullThroughPrefix(),
	})
	if !cfg.ManagedHost {
		return
	}
	// A managed host cannot be combined with an Auto Scaling group, so the
	// deployment group always selects it by tag.
	s.Host = s.managedHost(s, cfg, s.HostAccess, cfg.DeployTagKey, cfg.InstanceTags()[cfg.DeployTagKey][0])
}

// managedHost creates a host in scope ("Host") with the access policy and
// the deployment tag.
func (s *PipelineStack) managedHost(scope constructs.Construct, cfg config.Config, access *serverdeploy.HostAccess, tagKey, tagValue string) *apphost.Host {
	props := &apphost.HostProps{
		Architecture:  cfg.Architecture,
		Access:        access,
		Tags:          &map[string]*string{tagKey: jsii.String(tagValue)},
		HTTPPort:      jsii.Number(float64(cfg.HTTPPort)),
		IngressCidr:   jsii.String(cfg.IngressCidr),
		RemovalPolicy: cfg.RemovalPolicy,
	}
	if cfg.HostInstanceType != "" {
		props.InstanceType = awsec2.NewInstanceType(jsii.String(cfg.HostInstanceType))
	}
	if cfg.VpcID != "" {
		var ids, zones []string
		for _, sn := range cfg.Subnets {
			ids, zones = append(ids, sn.ID), append(zones, sn.Zone)
		}
		// Described, not looked up: synth stays offline.
		props.Vpc = awsec2.Vpc_FromVpcAttributes(scope, jsii.String("HostVpc"), &awsec2.VpcAttributes{
			VpcId:             jsii.String(cfg.VpcID),
			AvailabilityZones: jsii.Strings(zones...),
			PublicSubnetIds:   jsii.Strings(ids...),
		})
	}
	return apphost.NewHost(scope, "Host", props)
}

func (s *PipelineStack) outputs(cfg config.Config) {
	out := func(id, desc string, value *string) {
		awscdk.NewCfnOutput(s, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(desc)})
	}
	name := s.Pipeline.Pipeline().PipelineName()
	out("PipelineName", "Name of the release pipeline", name)
	out("PipelineConsoleUrl", "The pipeline in the AWS console", awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String("https://"), s.Region(), jsii.String(".console.aws.amazon.com/codesuite/codepipeline/pipelines/"),
		name, jsii.String("/view?region="), s.Region(),
	}))
	out("RepositoryUri", "ECR repository that receives the image", s.Repository.Repository().RepositoryUri())
	connDesc := "GitHub connection used by the pipeline"
	if s.Pipeline.Connection() != nil {
		connDesc = "GitHub connection created PENDING: complete it once in the console (Developer Tools > Settings > Connections > Update pending connection), then release the pipeline"
	}
	out("ConnectionArn", connDesc, s.Pipeline.ConnectionArn())
	out("ApprovalTopicArn", "SNS topic announcing approvals and deployment events; approvers must confirm their subscription email", s.Approval.Topic().TopicArn())
	out("BuildProjectName", "CodeBuild project that builds the image and the deploy bundle", s.Build.Project().ProjectName())
	out("ArtifactBucketName", "S3 bucket holding the pipeline's artifacts, deploy bundles included", s.Pipeline.ArtifactBucket().BucketName())
	if s.DeploymentGroup == nil {
		return // each environment has its own outputs
	}
	out("AppLogGroupName", "CloudWatch Logs group of the app's and the proxy's containers (`shipline logs`)", s.AppLogs.LogGroupName())
	out("DeploymentGroupName", "CodeDeploy deployment group", s.DeploymentGroup.DeploymentGroup().DeploymentGroupName())
	// Read by the shipline command to find the releases and the settings.
	out("DeployApplicationName", "CodeDeploy application of the deployment group", s.DeploymentGroup.Application().ApplicationName())
	out("HostPolicyArn", "Policy for deployment targets, Systems Manager access included: attach it alone to your hosts' instance profile role", s.HostAccess.Policy().ManagedPolicyArn())
	if s.Host != nil {
		out("HostInstanceId", "Managed host; shell access with `aws ssm start-session --target <id>`", s.Host.Instance().InstanceId())
		out("HostUrl", "Managed host's HTTP endpoint (the public IP changes if the host is stopped or replaced)", awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String("http://"), s.Host.Instance().InstancePublicIp(), jsii.String(fmt.Sprintf(":%d", cfg.HTTPPort)),
		}))
	}
}
