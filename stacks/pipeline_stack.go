package stacks

import (
	"fmt"
	"strconv"
	"strings"

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

	"github.com/shipline/shipline/constructs/apphost"
	"github.com/shipline/shipline/constructs/diffrole"
	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/constructs/imagerepo"
	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/serverdeploy"
)

// PipelineStackProps configures the stack. Config must be valid (see
// ConfigFromContext); Warnings are shown as synth warnings.
type PipelineStackProps struct {
	awscdk.StackProps
	Config   Config
	Warnings []string
}

// PipelineStack composes the constructs into the delivery pipeline.
type PipelineStack struct {
	awscdk.Stack
	Repository      *imagerepo.Repository
	Build           *dockerbuild.Project
	Approval        *manualapproval.Approval
	DeploymentGroup *serverdeploy.DeploymentGroup
	Pipeline        *releasepipeline.Pipeline
	// HostAccess is the policy deployment targets need (output HostPolicyArn).
	HostAccess *serverdeploy.HostAccess
	// Host is the managed host; nil unless managedHost is true.
	Host *apphost.Host
	// DiffRole is set when the config names a diffRoleRepo.
	DiffRole *diffrole.DiffRole
	config   Config
}

// Config is the configuration the stack was built from.
func (s *PipelineStack) Config() Config { return s.config }

// NewPipelineStack builds the stack from a validated config.
func NewPipelineStack(scope constructs.Construct, id string, props *PipelineStackProps) *PipelineStack {
	var sprops awscdk.StackProps
	if props != nil {
		sprops = props.StackProps
	}
	if sprops.Description == nil {
		sprops.Description = jsii.String("shipline: GitHub → approval → Docker build → CodeDeploy to EC2")
	}
	cfg := props.Config
	if errs := cfg.validate(nil); len(errs) > 0 {
		panic(fmt.Sprintf("stacks.PipelineStack %q: invalid config: %v", id, errs[0]))
	}
	s := &PipelineStack{config: cfg}
	awscdk.NewStack_Override(s, scope, &id, &sprops)
	for _, w := range props.Warnings {
		// One id per setting, so acknowledging one warning hides only that one.
		key, _, _ := strings.Cut(w, " ")
		awscdk.Annotations_Of(s).AddWarningV2(jsii.String("shipline:config:"+key), jsii.String(w), nil)
	}
	removal, arch := cfg.removal(), cfg.cpu()

	s.Repository = imagerepo.NewRepository(s, "ImageRepository", &imagerepo.RepositoryProps{
		KeepReleaseImages: jsii.Number(float64(cfg.KeepReleaseImages)),
		RemovalPolicy:     removal,
	})

	secrets := map[string]*string{}
	for k, v := range cfg.BuildSecrets {
		secrets[k] = jsii.String(v)
	}
	var managed *dockerbuild.ManagedBuild
	if cfg.Buildspec == BuildspecManaged {
		managed = &dockerbuild.ManagedBuild{
			AppName:       jsii.String(cfg.AppName),
			ParameterPath: jsii.String(cfg.ParameterPath()),
			Dockerfile:    jsii.String(cfg.Dockerfile),
			BuildContext:  jsii.String(cfg.BuildContext),
		}
	}
	s.Build = dockerbuild.NewProject(s, "DockerBuild", &dockerbuild.ProjectProps{
		Repository:           s.Repository.Repository(),
		Architecture:         arch,
		BuildSpec:            s.buildSpec(cfg),
		Managed:              managed,
		ComputeType:          awscodebuild.ComputeType(strings.TrimPrefix(cfg.BuildComputeType, "BUILD_GENERAL1_")),
		Timeout:              awscdk.Duration_Minutes(jsii.Number(float64(cfg.BuildTimeoutMinutes))),
		ConcurrentBuildLimit: jsii.Number(float64(cfg.BuildConcurrencyLimit)),
		BuildSecrets:         &secrets,
		// A repository buildspec gets the same names the managed one uses.
		EnvironmentVariables: &map[string]*awscodebuild.BuildEnvironmentVariable{
			"APP_NAME":       {Value: jsii.String(cfg.AppName)},
			"PARAMETER_PATH": {Value: jsii.String(cfg.ParameterPath())},
		},
		LogRetention:  retention(cfg.LogRetentionDays),
		RemovalPolicy: removal,
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
		Emails: jsii.Strings(cfg.ApproverEmails...),
	})

	s.DeploymentGroup = s.deploymentGroup(cfg)

	position := releasepipeline.BeforeBuild
	if cfg.ApprovalPosition == ApprovalBeforeDeploy {
		position = releasepipeline.BeforeDeploy
	}
	var connection *string
	if cfg.ConnectionArn != "" {
		connection = jsii.String(cfg.ConnectionArn)
	}
	s.Pipeline = releasepipeline.NewPipeline(s, "ReleasePipeline", &releasepipeline.PipelineProps{
		Owner:              jsii.String(cfg.GitHubOwner),
		Repo:               jsii.String(cfg.GitHubRepo),
		Branch:             jsii.String(cfg.GitHubBranch),
		ConnectionArn:      connection,
		BuildProject:       s.Build.Project(),
		DeploymentGroup:    s.DeploymentGroup.DeploymentGroup(),
		Approval:           s.Approval,
		ApprovalPosition:   position,
		ArtifactExpiration: awscdk.Duration_Days(jsii.Number(float64(cfg.ArtifactExpirationDays))),
		RemovalPolicy:      removal,
	})
	s.Pipeline.NotifyTopic(s.Approval.Topic())

	s.addDiffRole(cfg)
	s.writeParameters(cfg)
	s.hosts(cfg)
	s.outputs(cfg)
	return s
}

// buildSpec is nil for the managed buildspec, which dockerbuild supplies.
func (s *PipelineStack) buildSpec(cfg Config) awscodebuild.BuildSpec {
	if cfg.Buildspec == BuildspecManaged {
		return nil
	}
	return awscodebuild.BuildSpec_FromSourceFilename(jsii.String(cfg.Buildspec))
}

func (s *PipelineStack) deploymentConfig(cfg Config) awscodedeploy.IServerDeploymentConfig {
	switch strings.TrimPrefix(cfg.DeploymentConfig, "CodeDeployDefault.") {
	case "AllAtOnce":
		return awscodedeploy.ServerDeploymentConfig_ALL_AT_ONCE()
	case "HalfAtATime":
		return awscodedeploy.ServerDeploymentConfig_HALF_AT_A_TIME()
	default:
		return awscodedeploy.ServerDeploymentConfig_ONE_AT_A_TIME()
	}
}

// usesDeployTags tells whether the deployment group targets tagged instances:
// always, unless an Auto Scaling group is configured and deployTagValues is
// empty; then the group targets the Auto Scaling group alone. (A managed host,
// found by its tag, cannot be combined with an Auto Scaling group.)
func usesDeployTags(cfg Config) bool {
	return cfg.AutoScalingGroupName == "" || len(cfg.DeployTagValues) > 0
}

// removal is the removal policy of the stateful resources.
func (c Config) removal() awscdk.RemovalPolicy {
	if c.RemovalPolicy == RemovalDestroy {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

// cpu is the architecture of the image and the hosts, as the CDK names it.
func (c Config) cpu() awsec2.InstanceArchitecture {
	if c.Architecture == ArchArm {
		return awsec2.InstanceArchitecture_ARM_64
	}
	return awsec2.InstanceArchitecture_X86_64
}

// deploymentGroup targets the tagged hosts and/or an existing Auto Scaling
// group, optionally behind an existing ALB target group, and installs the
// CodeDeploy agent on the same targets.
func (s *PipelineStack) deploymentGroup(cfg Config) *serverdeploy.DeploymentGroup {
	props := &serverdeploy.DeploymentGroupProps{NotificationTopic: s.Approval.Topic()}
	if usesDeployTags(cfg) {
		props.InstanceTags = awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{
			cfg.DeployTagKey: jsii.Strings(cfg.TagValues()...),
		})
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
	if n, percent := strings.CutSuffix(cfg.MinHealthyHosts, "%"); cfg.MinHealthyHosts != "" {
		v, _ := strconv.Atoi(n) // validated by the config
		if percent {
			props.MinimumHealthyHosts = awscodedeploy.MinimumHealthyHosts_Percentage(jsii.Number(float64(v)))
		} else {
			props.MinimumHealthyHosts = awscodedeploy.MinimumHealthyHosts_Count(jsii.Number(float64(v)))
		}
	} else {
		props.DeploymentConfig = s.deploymentConfig(cfg)
	}
	if cfg.AgentInstall != AgentNever {
		props.Agent = &serverdeploy.AgentOptions{Mode: serverdeploy.AgentMode(cfg.AgentInstall)}
		if cfg.AgentInstall == AgentSchedule {
			props.Agent.Schedule = jsii.String(cfg.AgentSchedule)
		}
	}
	return serverdeploy.NewDeploymentGroup(s, "ServerDeploy", props)
}

// hosts creates the deployment targets' policy and, with managedHost, a host
// that has exactly that policy and carries the deployment tag.
func (s *PipelineStack) hosts(cfg Config) {
	s.HostAccess = serverdeploy.NewHostAccess(s, "HostAccess", &serverdeploy.HostAccessProps{
		ArtifactBucket:     s.Pipeline.ArtifactBucket(),
		BundleArtifactName: s.Pipeline.BundleArtifact().ArtifactName(),
		Repository:         s.Repository.Repository(),
		ParameterPath:      jsii.String(cfg.ParameterPath()),
	})
	if !cfg.ManagedHost {
		return
	}
	props := &apphost.HostProps{
		Architecture:  cfg.cpu(),
		Access:        s.HostAccess,
		Tags:          &map[string]*string{cfg.DeployTagKey: jsii.String(cfg.TagValues()[0])},
		HTTPPort:      jsii.Number(float64(cfg.HTTPPort)),
		IngressCidr:   jsii.String(cfg.IngressCidr),
		RemovalPolicy: cfg.removal(),
	}
	if cfg.HostInstanceType != "" {
		props.InstanceType = awsec2.NewInstanceType(jsii.String(cfg.HostInstanceType))
	}
	if cfg.VpcID != "" {
		// Described, not looked up: synth stays offline.
		props.Vpc = awsec2.Vpc_FromVpcAttributes(s, jsii.String("HostVpc"), &awsec2.VpcAttributes{
			VpcId:             jsii.String(cfg.VpcID),
			AvailabilityZones: jsii.Strings(cfg.AvailabilityZones...),
			PublicSubnetIds:   jsii.Strings(cfg.SubnetIDs...),
		})
	}
	s.Host = apphost.NewHost(s, "Host", props)
}

func (s *PipelineStack) outputs(cfg Config) {
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
	out("DeploymentGroupName", "CodeDeploy deployment group", s.DeploymentGroup.DeploymentGroup().DeploymentGroupName())
	out("HostPolicyArn", "Policy for deployment targets, Systems Manager access included: attach it alone to your hosts' instance profile role", s.HostAccess.Policy().ManagedPolicyArn())
	if s.Host != nil {
		out("HostInstanceId", "Managed host; shell access with `aws ssm start-session --target <id>`", s.Host.Instance().InstanceId())
		out("HostUrl", "Managed host's HTTP endpoint (the public IP changes if the host is stopped or replaced)", awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String("http://"), s.Host.Instance().InstancePublicIp(), jsii.String(fmt.Sprintf(":%d", cfg.HTTPPort)),
		}))
	}
}

// retentions are the retention periods CloudWatch Logs accepts, in days; the
// config validation allows exactly these.
var retentions = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

func retention(days int) awslogs.RetentionDays { return retentions[days] }
