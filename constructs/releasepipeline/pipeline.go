package releasepipeline

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodeconnections"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodestarnotifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/smoketest"
	"github.com/shipline/shipline/internal/github"
	"github.com/shipline/shipline/internal/propcheck"
)

// ApprovalPosition places the manual approval stage.
type ApprovalPosition string

const (
	// BeforeBuild approves a commit before anything is built, so no build
	// runs (or costs) for a commit nobody approves.
	BeforeBuild ApprovalPosition = "beforeBuild"
	// BeforeDeploy builds first and approves the built image before it ships.
	BeforeDeploy ApprovalPosition = "beforeDeploy"
)

// Approver makes the approval action; *manualapproval.Approval is one.
type Approver interface {
	NewAction(opts *manualapproval.ActionOptions) awscodepipelineactions.ManualApprovalAction
}

// PipelineProps configures a Pipeline. Owner, Repo, BuildProject and
// DeploymentGroup are required.
type PipelineProps struct {
	// Owner and Repo name the GitHub repository.
	Owner *string
	Repo  *string
	// Branch whose pushes start the pipeline.
	// Default: "main" (not the CDK's "master").
	Branch *string
	// ConnectionArn of an existing CodeConnections connection.
	// Default: a new GitHub connection, which must be completed once in the console.
	ConnectionArn *string
	// BuildProject builds the image; its output artifact is the deploy bundle.
	BuildProject awscodebuild.IProject
	// DeploymentGroup deploys the bundle, in the stage "Deploy". Give it or
	// Environments.
	DeploymentGroup awscodedeploy.IServerDeploymentGroup
	// Environments replace the one Deploy stage: each environment, in order,
	// gets an optional approval stage and a stage that deploys the same
	// bundle and checks the result (see Environment).
	// Default: none; DeploymentGroup is required.
	Environments []*Environment
	// CheckProject runs the environments' checks.
	// Default: a new smoketest.Project (construct id "Check") when an
	// environment has a Check.
	CheckProject *smoketest.Project
	// Approval adds a manual approval stage.
	// Default: no approval stage.
	Approval Approver
	// ApprovalPosition places the approval stage.
	// Default: BeforeBuild.
	ApprovalPosition ApprovalPosition
	// ArtifactBucket stores the pipeline's artifacts.
	// Default: a new bucket: S3-managed encryption, TLS only, public access
	// blocked, objects expiring after ArtifactExpiration.
	ArtifactBucket awss3.IBucket
	// ArtifactKey encrypts a new artifact bucket (SSE-KMS), as deployments
	// to another account need: its key policy admits that account's deploy
	// and host roles, which an S3-managed key cannot.
	// Default: S3-managed encryption.
	ArtifactKey awskms.IKey
	// CrossRegionReplicationBuckets are the artifact stores of the
	// deployments in other Regions, by Region (an ArtifactReplica each):
	// CodePipeline copies the bundle to the one of the action's Region. The
	// stack needs an explicit Region then (StackProps.Env).
	// Default: none; a deployment group in another Region then makes the
	// CDK create a support stack of its own for that Region.
	CrossRegionReplicationBuckets *map[string]awss3.IBucket
	// AccessLogBucket receives the server access logs of a new artifact bucket.
	// Default: a new bucket (S3-managed encryption, TLS only, public access
	// blocked, logs expiring after 90 days, RemovalPolicy as the artifact bucket).
	AccessLogBucket awss3.IBucket
	// ArtifactExpiration of objects in a new bucket.
	// Default: 30 days.
	ArtifactExpiration awscdk.Duration
	// RemovalPolicy of a new bucket; DESTROY also empties it.
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
	// PipelineName is the pipeline's physical name (1-100 letters, digits,
	// '.', '@', '_' and '-').
	// Default: a name CloudFormation generates.
	PipelineName *string
	// ConnectionName names a new GitHub connection (1-32 characters).
	// Default: a name derived from the construct path.
	ConnectionName *string
	// ApprovalTimeout is how long an approval request waits before it is
	// rejected, 5 minutes to 60 days.
	// Default: CodePipeline's own, 7 days.
	ApprovalTimeout awscdk.Duration
	// SourceVariablesNamespace is the namespace of the source action's
	// variables (#{SourceVariables.CommitId}); change it when another action
	// of the pipeline already uses that namespace.
	// Default: "SourceVariables".
	SourceVariablesNamespace *string
}

// Pipeline is a CodePipeline V2 pipeline: GitHub source → (approval) →
// Docker build → CodeDeploy in-place deployment, started by pushes to one
// branch.
type Pipeline struct {
	constructs.Construct
	pipeline      awscodepipeline.Pipeline
	source        awscodepipelineactions.CodeStarConnectionsSourceAction
	sourceOutput  awscodepipeline.Artifact
	bundle        awscodepipeline.Artifact
	notifications awscodestarnotifications.NotificationRule
	gate          string // the first stage after Build
	check         *smoketest.Project
	alarmsRead    []*string
	bucket        awss3.IBucket
	accessLogs    awss3.IBucket
	connection    awscodeconnections.CfnConnection
	connectionArn *string
}

// Stage names, in pipeline order, and the action names within them.
const (
	SourceStage   = "Source"
	ApprovalStage = "Approval"
	BuildStage    = "Build"
	DeployStage   = "Deploy"
)

// DefaultSourceVariablesNamespace is the source action's variables namespace
// unless PipelineProps.SourceVariablesNamespace is set.
const DefaultSourceVariablesNamespace = "SourceVariables"

// NewPipeline creates the pipeline, its artifact bucket and, unless an ARN
// is given, the GitHub connection. Invalid props fail the synth, each
// reported with the construct's path; a missing required prop panics at once.
func NewPipeline(scope constructs.Construct, id string, props *PipelineProps) *Pipeline {
	p := withDefaults(props)
	c := &Pipeline{}
	constructs.NewConstruct_Override(c, scope, &id)
	problems := p.validate(c)
	propcheck.Report(c, problems)
	if problems != nil {
		p = p.sanitized()
	}

	c.connectionArn = p.ConnectionArn
	if c.connectionArn == nil {
		name := p.ConnectionName
		if name == nil {
			name = awscdk.Names_UniqueResourceName(c, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(32)})
		}
		c.connection = awscodeconnections.NewCfnConnection(c, jsii.String("Connection"), &awscodeconnections.CfnConnectionProps{
			ConnectionName: name,
			ProviderType:   jsii.String("GitHub"),
		})
		c.connectionArn = c.connection.AttrConnectionArn()
	}

	c.bucket = p.ArtifactBucket
	if c.bucket == nil {
		store := artifactStore{key: p.ArtifactKey, accessLogs: p.AccessLogBucket, expiration: p.ArtifactExpiration, removal: p.RemovalPolicy}
		c.bucket, c.accessLogs = store.newBuckets(c)
	}

	// The source action gets its own role so that it can be granted both
	// service prefixes of the connection (see connectionStatement).
	sourceRole := awsiam.NewRole(c, jsii.String("SourceActionRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewAccountRootPrincipal(),
	})
	sourceRole.AddToPrincipalPolicy(connectionStatement(c.connectionArn))

	sourceOutput := awscodepipeline.NewArtifact(jsii.String("Source"), nil)
	buildOutput := awscodepipeline.NewArtifact(jsii.String("Bundle"), nil)
	c.sourceOutput, c.bundle = sourceOutput, buildOutput
	source := awscodepipelineactions.NewCodeStarConnectionsSourceAction(&awscodepipelineactions.CodeStarConnectionsSourceActionProps{
		ActionName:    jsii.String("GitHub"),
		ConnectionArn: c.connectionArn,
		Owner:         p.Owner,
		Repo:          p.Repo,
		Branch:        p.Branch,
		Output:        sourceOutput,
		Role:          sourceRole,
		// The pipeline trigger below starts executions; CodeBuild has no
		// webhook, so a push builds once.
		TriggerOnPush:      jsii.Bool(true),
		VariablesNamespace: p.SourceVariablesNamespace,
	})
	c.source = source
	build := awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
		ActionName: jsii.String("DockerBuild"),
		Project:    p.BuildProject,
		Input:      sourceOutput,
		Outputs:    &[]awscodepipeline.Artifact{buildOutput},
	})
	stages := []*awscodepipeline.StageProps{
		{StageName: jsii.String(SourceStage), Actions: &[]awscodepipeline.IAction{source}},
		{StageName: jsii.String(BuildStage), Actions: &[]awscodepipeline.IAction{build}},
	}
	c.gate = DeployStage
	if p.Environments != nil {
		stages = append(stages, c.environmentStages(p, sourceOutput, buildOutput)...)
		c.gate = *stages[2].StageName
	} else {
		deploy := awscodepipelineactions.NewCodeDeployServerDeployAction(&awscodepipelineactions.CodeDeployServerDeployActionProps{
			ActionName:      jsii.String("Deploy"),
			DeploymentGroup: c.deployTarget("DeploymentTarget", p.DeploymentGroup),
			Input:           buildOutput,
		})
		stages = append(stages, &awscodepipeline.StageProps{StageName: jsii.String(DeployStage), Actions: &[]awscodepipeline.IAction{deploy}})
	}
	if p.Approval != nil {
		vars := source.Variables()
		approve := p.Approval.NewAction(&manualapproval.ActionOptions{
			AdditionalInformation: jsii.String(fmt.Sprintf("Commit %s on %s/%s@%s: %s",
				*vars.CommitId, *p.Owner, *p.Repo, *p.Branch, *vars.CommitMessage)),
			ExternalEntityLink: jsii.String(fmt.Sprintf("https://github.com/%s/%s/commit/%s", *p.Owner, *p.Repo, *vars.CommitId)),
			Timeout:            p.ApprovalTimeout,
		})
		stage := &awscodepipeline.StageProps{StageName: jsii.String(ApprovalStage), Actions: &[]awscodepipeline.IAction{approve}}
		at := 1
		if p.ApprovalPosition == BeforeDeploy {
			at = 2
			c.gate = ApprovalStage
		}
		stages = append(stages[:at], append([]*awscodepipeline.StageProps{stage}, stages[at:]...)...)
	}

	artifactBucket, replicas := c.artifactStores(p)
	c.pipeline = awscodepipeline.NewPipeline(c, jsii.String("Resource"), &awscodepipeline.PipelineProps{
		PipelineName:                  p.PipelineName,
		PipelineType:                  awscodepipeline.PipelineType_V2,
		ArtifactBucket:                artifactBucket,
		CrossRegionReplicationBuckets: replicas,
		Stages:                        &stages,
		CrossAccountKeys:              jsii.Bool(false),
		Triggers: &[]*awscodepipeline.TriggerProps{{
			ProviderType: awscodepipeline.ProviderType_CODE_STAR_SOURCE_CONNECTION,
			GitConfiguration: &awscodepipeline.GitConfiguration{
				SourceAction: source,
				PushFilter:   &[]*awscodepipeline.GitPushFilter{{BranchesIncludes: jsii.Strings(*p.Branch)}},
			},
		}},
	})
	c.allowAlarmRules()
	return c
}

// artifactStores are the pipeline's artifact stores: its bucket alone, or
// with replicas, all of them by Region (the CDK takes one or the other).
func (c *Pipeline) artifactStores(p PipelineProps) (awss3.IBucket, *map[string]awss3.IBucket) {
	region := awscdk.Stack_Of(c).Region()
	if p.CrossRegionReplicationBuckets == nil || len(*p.CrossRegionReplicationBuckets) == 0 || *awscdk.Token_IsUnresolved(region) {
		return c.bucket, nil // without a Region: reported by validate
	}
	stores := map[string]awss3.IBucket{*region: c.bucket}
	for region, b := range *p.CrossRegionReplicationBuckets {
		stores[region] = b
	}
	return nil, &stores
}

// connectionStatement allows using the connection under both service
// prefixes: connections made as codestar-connections are also authorised as
// codeconnections, and granting only one gives AccessDenied on the other
// (AWS CodeConnections user guide, "Update to the service prefix").
func connectionStatement(arn *string) awsiam.PolicyStatement {
	parts := awscdk.Fn_Split(jsii.String(":"), arn, jsii.Number(6))
	alt := func(service string) *string {
		return awscdk.Fn_Join(jsii.String(":"), &[]*string{
			jsii.String("arn"), awscdk.Fn_Select(jsii.Number(1), parts), jsii.String(service),
			awscdk.Fn_Select(jsii.Number(3), parts), awscdk.Fn_Select(jsii.Number(4), parts), awscdk.Fn_Select(jsii.Number(5), parts),
		})
	}
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("codestar-connections:UseConnection", "codeconnections:UseConnection"),
		Resources: &[]*string{alt("codestar-connections"), alt("codeconnections")},
	})
}

func withDefaults(props *PipelineProps) PipelineProps {
	var p PipelineProps
	if props != nil {
		p = *props
	}
	if p.Branch == nil {
		p.Branch = jsii.String("main")
	}
	if p.ApprovalPosition == "" {
		p.ApprovalPosition = BeforeBuild
	}
	if p.ArtifactExpiration == nil {
		p.ArtifactExpiration = awscdk.Duration_Days(jsii.Number(30))
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if p.SourceVariablesNamespace == nil {
		p.SourceVariablesNamespace = jsii.String(DefaultSourceVariablesNamespace)
	}
	return p
}

var (
	rePipelineName = regexp.MustCompile(`^[A-Za-z0-9.@_-]{1,100}$`)
	reNamespace    = regexp.MustCompile(`^[A-Za-z0-9@_-]{1,100}$`)
)

func (p PipelineProps) validate(scope constructs.Construct) error {
	var errs []error
	known := func(v *string) bool { return v != nil && !*awscdk.Token_IsUnresolved(v) }
	check := func(name string, v *string, valid func(string) bool, want string) {
		switch {
		case v == nil:
			errs = append(errs, propcheck.Missing(name, want))
		case known(v) && !valid(*v):
			errs = append(errs, fmt.Errorf("%s: got %q, want %s", name, *v, want))
		}
	}
	check("Owner", p.Owner, github.ValidOwner, "a GitHub user or organisation name")
	check("Repo", p.Repo, github.ValidRepo, "a GitHub repository name without the owner")
	if known(p.Branch) && !github.ValidBranch(*p.Branch) {
		errs = append(errs, fmt.Errorf("Branch: got %q, want a Git branch name such as main", *p.Branch))
	}
	if p.ConnectionArn != nil {
		check("ConnectionArn", p.ConnectionArn, github.ValidConnectionArn, "arn:aws:codeconnections:<region>:<account>:connection/<uuid>")
	}
	if p.BuildProject == nil {
		errs = append(errs, propcheck.Missing("BuildProject", "the CodeBuild project that builds the image"))
	}
	errs = append(errs, p.validateEnvironments()...)
	if p.ArtifactKey != nil && p.ArtifactBucket != nil {
		errs = append(errs, errors.New("ArtifactKey: got a key with an existing ArtifactBucket, want it only for a new bucket"))
	}
	if p.CrossRegionReplicationBuckets != nil && len(*p.CrossRegionReplicationBuckets) > 0 && *awscdk.Token_IsUnresolved(awscdk.Stack_Of(scope).Region()) {
		errs = append(errs, errors.New("CrossRegionReplicationBuckets: want the stack's Region set (StackProps.Env): CodePipeline keeps one artifact store per Region"))
	}
	if p.ApprovalPosition != BeforeBuild && p.ApprovalPosition != BeforeDeploy {
		errs = append(errs, fmt.Errorf("ApprovalPosition: got %q, want %q or %q", p.ApprovalPosition, BeforeBuild, BeforeDeploy))
	}
	if known(p.PipelineName) && !rePipelineName.MatchString(*p.PipelineName) {
		errs = append(errs, fmt.Errorf("PipelineName: got %q, want 1-100 letters, digits, '.', '@', '_' or '-'", *p.PipelineName))
	}
	if known(p.ConnectionName) && (len(*p.ConnectionName) < 1 || len(*p.ConnectionName) > 32) {
		errs = append(errs, fmt.Errorf("ConnectionName: got %q, want 1-32 characters", *p.ConnectionName))
	}
	if known(p.SourceVariablesNamespace) && !reNamespace.MatchString(*p.SourceVariablesNamespace) {
		errs = append(errs, fmt.Errorf("SourceVariablesNamespace: got %q, want 1-100 letters, digits, '@', '_' or '-'", *p.SourceVariablesNamespace))
	}
	if p.ApprovalTimeout != nil {
		if m := p.ApprovalTimeout.ToMinutes(nil); !*awscdk.Token_IsUnresolved(m) && (*m < 5 || *m > 86400) {
			errs = append(errs, fmt.Errorf("ApprovalTimeout: got %v minutes, want 5-86400 minutes (60 days)", *m))
		}
	}
	return errors.Join(errs...)
}

// sanitized replaces the props the synth will reject anyway with values the
// CDK accepts, so that construction goes on and the synth reports every
// problem at once rather than the first one the CDK throws on.
func (p PipelineProps) sanitized() PipelineProps {
	if p.ConnectionArn != nil && !*awscdk.Token_IsUnresolved(p.ConnectionArn) && !github.ValidConnectionArn(*p.ConnectionArn) {
		p.ConnectionArn = jsii.String("arn:aws:codeconnections:us-east-1:000000000000:connection/invalid")
	}
	if p.ApprovalTimeout != nil {
		p.ApprovalTimeout = nil
	}
	return p
}

// deployTarget is the group the deploy action deploys to. The CodeDeploy
// action grants the artifact bucket to the role of each of the group's Auto
// Scaling groups, which an imported group has not; for such a group the
// action gets a reference to the same deployment group that lists no Auto
// Scaling group (its hosts read the bundle through serverdeploy.HostAccess
// or their own role).
func (c *Pipeline) deployTarget(id string, group awscodedeploy.IServerDeploymentGroup) awscodedeploy.IServerDeploymentGroup {
	asgs := group.AutoScalingGroups()
	if asgs == nil || !slices.ContainsFunc(*asgs, func(a awsautoscaling.IAutoScalingGroup) bool {
		return !*awscdk.Resource_IsOwnedResource(a)
	}) {
		return group
	}
	return awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(c, jsii.String(id),
		&awscodedeploy.ServerDeploymentGroupAttributes{
			Application:         group.Application(),
			DeploymentGroupName: group.DeploymentGroupName(),
			DeploymentConfig:    group.DeploymentConfig(),
		})
}

// Pipeline is the CodePipeline pipeline (the escape hatch).
func (c *Pipeline) Pipeline() awscodepipeline.Pipeline { return c.pipeline }

// Source is the GitHub source action; its Variables() are the commit id,
// message and branch for other actions' configuration.
func (c *Pipeline) Source() awscodepipelineactions.CodeStarConnectionsSourceAction {
	return c.source
}

// SourceArtifact is the checked-out repository, the source action's output:
// the input of a test stage of your own.
func (c *Pipeline) SourceArtifact() awscodepipeline.Artifact { return c.sourceOutput }

// BundleArtifact is the deploy bundle the build outputs: the input of a
// deploy action of your own (another environment's deployment group).
func (c *Pipeline) BundleArtifact() awscodepipeline.Artifact { return c.bundle }

// Stage is the stage named name (SourceStage, ApprovalStage, BuildStage,
// DeployStage or one you added); it panics when there is none.
func (c *Pipeline) Stage(name string) awscodepipeline.IStage {
	return c.pipeline.Stage(jsii.String(name))
}

// AddStageBeforeDeploy adds a stage after the build and before the deploy
// stage, e.g. a test stage reading SourceArtifact. With an approval placed
// BeforeDeploy, the stage comes before the approval, so that approvers see a
// tested build. Stages added this way keep the order of the calls.
func (c *Pipeline) AddStageBeforeDeploy(name string, actions ...awscodepipeline.IAction) awscodepipeline.IStage {
	return c.pipeline.AddStage(&awscodepipeline.StageOptions{
		StageName: jsii.String(name),
		Actions:   &actions,
		Placement: &awscodepipeline.StagePlacement{RightBefore: c.Stage(c.gate)},
	})
}

// AddStage adds a stage at the end of the pipeline, after the deploy stage
// and the stages added before, e.g. a deployment to the next environment
// reading BundleArtifact.
func (c *Pipeline) AddStage(name string, actions ...awscodepipeline.IAction) awscodepipeline.IStage {
	return c.pipeline.AddStage(&awscodepipeline.StageOptions{StageName: jsii.String(name), Actions: &actions})
}

// ArtifactBucket stores the pipeline's artifacts.
func (c *Pipeline) ArtifactBucket() awss3.IBucket { return c.bucket }

// AccessLogBucket receives the artifact bucket's server access logs; nil
// when an ArtifactBucket was passed in.
func (c *Pipeline) AccessLogBucket() awss3.IBucket { return c.accessLogs }

// ConnectionArn is the GitHub connection in use.
func (c *Pipeline) ConnectionArn() *string { return c.connectionArn }

// Connection is the connection the construct created; nil when an ARN was given.
func (c *Pipeline) Connection() awscodeconnections.CfnConnection { return c.connection }
