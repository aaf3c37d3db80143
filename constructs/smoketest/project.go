package smoketest

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// Script is the check each action runs (CodeBuild runs it with sh). It reads
// CHECK_URL, CHECK_ATTEMPTS, CHECK_INTERVAL (seconds), CHECK_TIMEOUT
// (seconds per request, default 10) and CHECK_COMMAND (optional).
//
//go:embed check.sh
var Script string

// ProjectProps configures a Project. props may be nil.
type ProjectProps struct {
	// Timeout of one check, all attempts and the command included.
	// Default: 15 minutes.
	Timeout awscdk.Duration
	// LogRetention of the check logs.
	// Default: awslogs.RetentionDays_ONE_MONTH.
	LogRetention awslogs.RetentionDays
	// RemovalPolicy of the log group.
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// Project is an unprivileged CodeBuild project that checks an environment
// after its deployment; each pipeline action made by NewAction names the
// URL and the attempts. One project serves every environment.
type Project struct {
	constructs.Construct
	project  awscodebuild.PipelineProject
	logGroup awslogs.LogGroup
}

// NewProject creates the project and its log group.
func NewProject(scope constructs.Construct, id string, props *ProjectProps) *Project {
	var p ProjectProps
	if props != nil {
		p = *props
	}
	if p.Timeout == nil {
		p.Timeout = awscdk.Duration_Minutes(jsii.Number(15))
	}
	if p.LogRetention == "" {
		p.LogRetention = awslogs.RetentionDays_ONE_MONTH
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	c := &Project{}
	constructs.NewConstruct_Override(c, scope, &id)
	c.logGroup = awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     p.LogRetention,
		RemovalPolicy: p.RemovalPolicy,
	})
	c.project = awscodebuild.NewPipelineProject(c, jsii.String("Resource"), &awscodebuild.PipelineProjectProps{
		Description: jsii.String("Checks an environment's URL after each deployment, then runs the check command from the app repository"),
		Environment: &awscodebuild.BuildEnvironment{
			BuildImage:  awscodebuild.LinuxBuildImage_STANDARD_7_0(),
			ComputeType: awscodebuild.ComputeType_SMALL,
		},
		BuildSpec: awscodebuild.BuildSpec_FromObject(&map[string]any{
			"version": "0.2",
			"phases":  map[string]any{"build": map[string]any{"commands": []string{Script}}},
		}),
		Timeout: p.Timeout,
		Logging: &awscodebuild.LoggingOptions{
			CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: c.logGroup},
		},
	})
	return c
}

// ActionOptions shape one check action.
type ActionOptions struct {
	// ActionName in the pipeline.
	// Default: "Check".
	ActionName *string
	// Input is the app repository (the pipeline's source artifact): the
	// Command runs from its root.
	Input awscodepipeline.Artifact
	// URL is requested until it answers 2xx or 3xx (redirects followed),
	// e.g. "https://staging.example.com/health".
	URL *string
	// Attempts before the check fails, 1-100.
	// Default: 10.
	Attempts *float64
	// IntervalSeconds between attempts, 1-300.
	// Default: 10.
	IntervalSeconds *float64
	// Command runs after the URL answered, from the repository's root, with
	// CHECK_URL set, e.g. "./scripts/smoke.sh"; a non-zero exit fails the
	// check.
	// Default: none.
	Command *string
	// RunOrder within the stage.
	// Default: 1.
	RunOrder *float64
}

// NewAction makes a pipeline action that checks one environment.
func (c *Project) NewAction(opts *ActionOptions) awscodepipelineactions.CodeBuildAction {
	var o ActionOptions
	if opts != nil {
		o = *opts
	}
	if o.ActionName == nil {
		o.ActionName = jsii.String("Check")
	}
	if o.Attempts == nil {
		o.Attempts = jsii.Number(10)
	}
	if o.IntervalSeconds == nil {
		o.IntervalSeconds = jsii.Number(10)
	}
	// A missing Input or URL stops here; other problems fail the synth,
	// listed with every other construct's, under the project's path.
	propcheck.Report(c, o.validate())
	env := map[string]*awscodebuild.BuildEnvironmentVariable{
		"CHECK_URL":      {Value: o.URL},
		"CHECK_ATTEMPTS": {Value: jsii.String(strconv.Itoa(int(*o.Attempts)))},
		"CHECK_INTERVAL": {Value: jsii.String(strconv.Itoa(int(*o.IntervalSeconds)))},
	}
	if o.Command != nil {
		env["CHECK_COMMAND"] = &awscodebuild.BuildEnvironmentVariable{Value: o.Command}
	}
	return awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
		ActionName:           o.ActionName,
		Project:              c.project,
		Input:                o.Input,
		EnvironmentVariables: &env,
		RunOrder:             o.RunOrder,
	})
}

func (o ActionOptions) validate() error {
	var errs []error
	if o.Input == nil {
		errs = append(errs, propcheck.Missing("ActionOptions.Input", "the pipeline's source artifact"))
	}
	switch {
	case o.URL == nil:
		errs = append(errs, propcheck.Missing("ActionOptions.URL", "the environment's URL, e.g. https://staging.example.com/health"))
	case !*awscdk.Token_IsUnresolved(o.URL) && !ValidURL(*o.URL):
		errs = append(errs, fmt.Errorf("ActionOptions.URL: got %q, want an http:// or https:// URL with a host, e.g. https://staging.example.com/health", *o.URL))
	}
	whole := func(name string, v *float64, lo, hi float64) {
		if *v != float64(int(*v)) || *v < lo || *v > hi {
			errs = append(errs, fmt.Errorf("ActionOptions.%s: got %v, want a whole number %v-%v", name, *v, lo, hi))
		}
	}
	whole("Attempts", o.Attempts, 1, 100)
	whole("IntervalSeconds", o.IntervalSeconds, 1, 300)
	if o.Command != nil && *o.Command == "" {
		errs = append(errs, errors.New(`ActionOptions.Command: got "", want a command or nil`))
	}
	return errors.Join(errs...)
}

// ValidURL tells whether s is an absolute http or https URL with a host.
func ValidURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// Project is the CodeBuild project (the escape hatch).
func (c *Project) Project() awscodebuild.PipelineProject { return c.project }

// LogGroup receives the check logs.
func (c *Project) LogGroup() awslogs.LogGroup { return c.logGroup }
