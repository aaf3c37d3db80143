package dockerbuild

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// ProjectProps configures a Project. Repository is required.
type ProjectProps struct {
	// Repository receives the image; the project gets pull and push on it.
	Repository awsecr.IRepository
	// Architecture of the build machine and so of the image.
	// Default: awsec2.InstanceArchitecture_X86_64 (the standard 7.0 image).
	Architecture awsec2.InstanceArchitecture
	// BuildSpec the project runs, e.g.
	// awscodebuild.BuildSpec_FromSourceFilename(jsii.String("buildspec.yml"))
	// for a buildspec in the app repository, which then also supplies the
	// appspec and hook scripts.
	// Default: shipline's managed buildspec and deploy bundle (see Managed).
	BuildSpec awscodebuild.BuildSpec
	// Managed configures the managed buildspec; AppName is required when
	// BuildSpec is nil, and Managed must be nil when BuildSpec is set.
	// Default: nil.
	Managed *ManagedBuild
	// ComputeType of the build machine.
	// Default: awscodebuild.ComputeType_SMALL.
	ComputeType awscodebuild.ComputeType
	// Timeout of one build, 5 minutes to 36 hours.
	// Default: 30 minutes.
	Timeout awscdk.Duration
	// ConcurrentBuildLimit caps builds running at once; 0 removes the cap.
	// Default: 1, so two pushes never race to move the same tag.
	ConcurrentBuildLimit *float64
	// EnvironmentVariables are added to the build's own (AWS_ACCOUNT_ID,
	// AWS_DEFAULT_REGION, IMAGE_REPO_NAME, REPOSITORY_URI, IMAGE_PLATFORM).
	// Default: none.
	EnvironmentVariables *map[string]*awscodebuild.BuildEnvironmentVariable
	// BuildSecrets maps an environment variable (the BuildKit secret id) to
	// the Parameter Store parameter holding its value, which CodeBuild
	// resolves at build time: the value never appears in the template.
	// Default: none.
	BuildSecrets *map[string]*string
	// LogGroup receives the build logs.
	// Default: a new log group with LogRetention.
	LogGroup awslogs.ILogGroup
	// LogRetention of the new log group.
	// Default: awslogs.RetentionDays_ONE_MONTH.
	LogRetention awslogs.RetentionDays
	// RemovalPolicy of the new log group.
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
	// Description of the project.
	// Default: "Builds the application image and pushes it to ECR".
	Description *string
	// ProjectName is the project's physical name (2-150 letters, digits,
	// '-' and '_', starting with a letter or digit).
	// Default: a name CloudFormation generates.
	ProjectName *string
	// BuildImage replaces the managed image; it must match Architecture and
	// run Docker in privileged mode.
	// Default: BuildImage(Architecture).
	BuildImage awscodebuild.IBuildImage
	// Vpc runs the build inside a VPC, e.g. to reach a private package
	// registry; the subnets need a route to ECR, S3 and CloudWatch Logs (a
	// NAT gateway or VPC endpoints).
	// Default: no VPC.
	Vpc awsec2.IVpc
	// SubnetSelection picks the build's subnets in Vpc.
	// Default: the VPC's private subnets (the CDK's default).
	SubnetSelection *awsec2.SubnetSelection
	// SecurityGroups of the build in Vpc.
	// Default: a new security group that allows all outbound traffic.
	SecurityGroups *[]awsec2.ISecurityGroup
}

// Project is a privileged CodeBuild project, run by CodePipeline, that
// builds a Docker image and pushes it to an ECR repository.
type Project struct {
	constructs.Construct
	project  awscodebuild.PipelineProject
	logGroup awslogs.ILogGroup
}

var (
	reEnvName     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	reProjectName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9\-_]{1,149}$`)
)

// NewProject creates the build project. Invalid props fail the synth, each
// reported with the construct's path; a missing Repository panics at once.
func NewProject(scope constructs.Construct, id string, props *ProjectProps) *Project {
	p := withDefaults(props)
	c := &Project{}
	constructs.NewConstruct_Override(c, scope, &id)
	if err := p.validate(); err != nil {
		propcheck.Report(c, err)
		p = p.sanitized()
	}
	stack := awscdk.Stack_Of(c)

	c.logGroup = p.LogGroup
	if c.logGroup == nil {
		c.logGroup = awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
			Retention:     p.LogRetention,
			RemovalPolicy: p.RemovalPolicy,
		})
	}

	env := map[string]*awscodebuild.BuildEnvironmentVariable{
		"AWS_ACCOUNT_ID":     plain(stack.Account()),
		"AWS_DEFAULT_REGION": plain(stack.Region()),
		"IMAGE_REPO_NAME":    plain(p.Repository.RepositoryName()),
		"REPOSITORY_URI":     plain(p.Repository.RepositoryUri()),
		"IMAGE_PLATFORM":     plain(jsii.String(Platform(p.Architecture))),
	}
	if p.EnvironmentVariables != nil {
		for k, v := range *p.EnvironmentVariables {
			env[k] = v
		}
	}
	if p.BuildSecrets != nil {
		for k, v := range *p.BuildSecrets {
			env[k] = &awscodebuild.BuildEnvironmentVariable{
				Type:  awscodebuild.BuildEnvironmentVariableType_PARAMETER_STORE,
				Value: v,
			}
		}
	}

	var asset awss3assets.Asset
	if p.BuildSpec == nil {
		m := p.Managed.withDefaults()
		spec, err := managedBuildSpec()
		if err == nil {
			asset, err = c.deployBundle()
		}
		if err != nil {
			panic(fmt.Sprintf("%s: %v", *c.Node().Path(), err))
		}
		p.BuildSpec = spec
		for k, v := range map[string]*string{
			"APP_NAME":         jsii.String(m.AppName),
			"PARAMETER_PATH":   jsii.String(m.ParameterPath),
			"DOCKERFILE":       jsii.String(m.Dockerfile),
			"BUILD_CONTEXT":    jsii.String(m.BuildContext),
			"MOVING_TAG":       jsii.String(m.MovingTag),
			"CACHE_TAG":        jsii.String(m.CacheTag),
			"BUNDLE_S3_URL":    asset.S3ObjectUrl(),
			"BUILD_SECRET_IDS": jsii.String(sortedIDs(p.BuildSecrets)),
		} {
			if _, set := env[k]; !set {
				env[k] = plain(v)
			}
		}
		for k, v := range p.Managed.releaseEnv() {
			if _, set := env[k]; !set {
				env[k] = plain(v)
			}
		}
	}

	c.project = awscodebuild.NewPipelineProject(c, jsii.String("Resource"), &awscodebuild.PipelineProjectProps{
		ProjectName:     p.ProjectName,
		Description:     p.Description,
		Vpc:             p.Vpc,
		SubnetSelection: p.SubnetSelection,
		SecurityGroups:  p.SecurityGroups,
		Environment: &awscodebuild.BuildEnvironment{
			BuildImage:  p.BuildImage,
			ComputeType: p.ComputeType,
			// Privileged mode runs the Docker daemon that builds the image.
			Privileged: jsii.Bool(true),
		},
		EnvironmentVariables:                &env,
		BuildSpec:                           p.BuildSpec,
		Timeout:                             p.Timeout,
		ConcurrentBuildLimit:                concurrency(p.ConcurrentBuildLimit),
		CheckSecretsInPlainTextEnvVariables: jsii.Bool(true),
		Logging: &awscodebuild.LoggingOptions{
			CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: c.logGroup},
		},
	})
	p.Repository.GrantPullPush(c.project)
	if asset != nil {
		grantReadObject(c.project, asset)
	}
	return c
}

// grantReadObject lets the project download the one bundle object. The
// asset's own GrantRead covers the whole CDK assets bucket: every asset of
// every stack in the account and Region.
func grantReadObject(project awscodebuild.PipelineProject, asset awss3assets.Asset) {
	project.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: jsii.Strings(*asset.Bucket().ArnForObjects(asset.S3ObjectKey())),
	}))
}

func concurrency(limit *float64) *float64 {
	if *limit == 0 {
		return nil
	}
	return limit
}

func plain(v *string) *awscodebuild.BuildEnvironmentVariable {
	return &awscodebuild.BuildEnvironmentVariable{Value: v}
}

// BuildImage is the managed CodeBuild image for an architecture, chosen
// explicitly: an arm64 image pushed to x86_64 hosts fails with "exec format
// error", so the architecture is never left to a default.
func BuildImage(arch awsec2.InstanceArchitecture) awscodebuild.IBuildImage {
	if arch == awsec2.InstanceArchitecture_ARM_64 {
		return awscodebuild.LinuxArmBuildImage_AMAZON_LINUX_2023_STANDARD_3_0()
	}
	return awscodebuild.LinuxBuildImage_STANDARD_7_0()
}

// Platform is the Docker platform string for an architecture.
func Platform(arch awsec2.InstanceArchitecture) string {
	if arch == awsec2.InstanceArchitecture_ARM_64 {
		return "linux/arm64"
	}
	return "linux/amd64"
}

func withDefaults(props *ProjectProps) ProjectProps {
	var p ProjectProps
	if props != nil {
		p = *props
	}
	if p.Architecture == "" {
		p.Architecture = awsec2.InstanceArchitecture_X86_64
	}
	if p.ComputeType == "" {
		p.ComputeType = awscodebuild.ComputeType_SMALL
	}
	if p.Timeout == nil {
		p.Timeout = awscdk.Duration_Minutes(jsii.Number(30))
	}
	if p.ConcurrentBuildLimit == nil {
		p.ConcurrentBuildLimit = jsii.Number(1)
	}
	if p.LogRetention == "" {
		p.LogRetention = awslogs.RetentionDays_ONE_MONTH
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if p.Description == nil {
		p.Description = jsii.String("Builds the application image and pushes it to ECR")
	}
	if p.BuildImage == nil {
		p.BuildImage = BuildImage(p.Architecture)
	}
	return p
}

func (p ProjectProps) validate() error {
	var errs []error
	if p.BuildSpec == nil {
		if err := p.Managed.withDefaults().validate(); err != nil {
			errs = append(errs, err)
		}
		if err := p.Managed.validateRelease(); err != nil {
			errs = append(errs, err)
		}
	} else if p.Managed != nil {
		errs = append(errs, errors.New("Managed: got settings with a BuildSpec, want Managed only without BuildSpec (the managed buildspec is the default)"))
	}
	if p.Repository == nil {
		errs = append(errs, propcheck.Missing("Repository", "the ECR repository that receives the image"))
	}
	if p.Architecture != awsec2.InstanceArchitecture_X86_64 && p.Architecture != awsec2.InstanceArchitecture_ARM_64 {
		errs = append(errs, fmt.Errorf("Architecture: got %q, want awsec2.InstanceArchitecture_X86_64 or awsec2.InstanceArchitecture_ARM_64", p.Architecture))
	}
	if p.ProjectName != nil && !*awscdk.Token_IsUnresolved(p.ProjectName) && !reProjectName.MatchString(*p.ProjectName) {
		errs = append(errs, fmt.Errorf("ProjectName: got %q, want 2-150 letters, digits, '-' or '_', starting with a letter or digit", *p.ProjectName))
	}
	if p.Vpc == nil && (p.SubnetSelection != nil || p.SecurityGroups != nil) {
		errs = append(errs, errors.New("SubnetSelection, SecurityGroups: got them without a Vpc, want them only with Vpc"))
	}
	if m := p.Timeout.ToMinutes(nil); !*awscdk.Token_IsUnresolved(m) && (*m < 5 || *m > 2160) {
		errs = append(errs, fmt.Errorf("Timeout: got %v minutes, want 5-2160 minutes", *m))
	}
	if n := *p.ConcurrentBuildLimit; n < 0 || n != float64(int(n)) {
		errs = append(errs, fmt.Errorf("ConcurrentBuildLimit: got %v, want 0 (no limit) or a positive whole number", n))
	}
	if p.BuildSecrets != nil {
		keys := slices.Sorted(maps.Keys(*p.BuildSecrets))
		for _, k := range keys {
			if !reEnvName.MatchString(k) {
				errs = append(errs, fmt.Errorf("BuildSecrets: got id %q, want an environment variable name", k))
			}
			if v := (*p.BuildSecrets)[k]; v == nil || *v == "" {
				errs = append(errs, fmt.Errorf("BuildSecrets[%s]: got an empty parameter name, want a Parameter Store name", k))
			}
		}
	}
	return errors.Join(errs...)
}

// sanitized replaces the props the synth will reject anyway with defaults the
// CDK accepts, so that construction goes on and the synth lists every problem.
func (p ProjectProps) sanitized() ProjectProps {
	d := withDefaults(&ProjectProps{})
	p.Timeout, p.ConcurrentBuildLimit = d.Timeout, d.ConcurrentBuildLimit
	if p.Vpc == nil {
		p.SubnetSelection, p.SecurityGroups = nil, nil
	}
	return p
}

// Project is the CodeBuild project (the escape hatch).
func (c *Project) Project() awscodebuild.PipelineProject { return c.project }

// LogGroup receives the build logs.
func (c *Project) LogGroup() awslogs.ILogGroup { return c.logGroup }

// Role is the project's service role.
func (c *Project) Role() awsiam.IRole { return c.project.Role() }
