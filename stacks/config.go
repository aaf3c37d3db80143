package stacks

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shipline/shipline/constructs/serverdeploy"
)

// Config is everything a user sets for the pipeline stack. It is read from CDK
// context (cdk.json and `-c key=value`) by ConfigFromContext; Validate reports
// every mistake at once.
type Config struct {
	// AppName names the application: the prefix of its Parameter Store path
	// (/<appName>/), the deploy directory on hosts (/opt/<appName>) and the
	// default deployment tag value.
	AppName string

	GitHubOwner  string
	GitHubRepo   string
	GitHubBranch string
	// ConnectionArn is an existing CodeConnections (or CodeStar Connections)
	// connection. Empty: the stack creates one, which must be completed once
	// in the console.
	ConnectionArn string

	ApproverEmails []string
	// ApprovalTopicArn reuses an existing SNS topic for approvals and
	// notifications instead of creating one.
	ApprovalTopicArn string
	// ApprovalTopicKeyArn is the KMS key of an existing encrypted topic, so
	// that publishers are granted its use.
	ApprovalTopicKeyArn string
	// ApprovalPosition is "beforeBuild" (the seed's order) or "beforeDeploy".
	ApprovalPosition string

	// Buildspec is "managed" (shipline's buildspec and deploy bundle) or the
	// path of a buildspec file in the app repository.
	Buildspec           string
	Dockerfile          string
	BuildContext        string
	BuildComputeType    string
	BuildTimeoutMinutes int
	// BuildConcurrencyLimit caps concurrent builds; 0 means no limit.
	BuildConcurrencyLimit int
	// BuildSecrets maps a build secret id to the Parameter Store parameter
	// holding its value.
	BuildSecrets map[string]string
	// Architecture is the CPU architecture of the image and the hosts.
	Architecture           string
	LogRetentionDays       int
	KeepReleaseImages      int
	ArtifactExpirationDays int

	DeployTagKey    string
	DeployTagValues []string
	// AutoScalingGroupName targets an existing Auto Scaling group, instead of
	// or besides the tags.
	AutoScalingGroupName string
	// TargetGroupArn puts deployments behind an existing ALB target group.
	TargetGroupArn   string
	DeploymentConfig string
	// MinHealthyHosts defines a custom deployment config such as "75%" or
	// "2"; it replaces DeploymentConfig.
	MinHealthyHosts string
	AgentInstall    string
	AgentSchedule   string

	ManagedHost       bool
	HostInstanceType  string
	VpcID             string
	SubnetIDs         []string
	AvailabilityZones []string
	IngressCidr       string

	AppPort         int
	HTTPPort        int
	HealthCheckPath string

	// RemovalPolicy is "retain" (keep images, artifacts and logs on stack
	// deletion) or "destroy".
	RemovalPolicy string
	// Nag applies the cdk-nag AwsSolutions rules at synth.
	Nag bool

	// DiffRoleRepo ("owner/repo") creates a role that pull requests of that
	// repository (where this CDK app lives) assume to run `cdk diff`.
	DiffRoleRepo string
	// DiffRoleProviderArn reuses the account's GitHub OIDC provider.
	DiffRoleProviderArn string
}

// Placeholder values of the default cdk.json: the stack synthesizes with them
// and warns until they are replaced.
const (
	PlaceholderOwner = "your-github-owner"
	PlaceholderRepo  = "your-app-repo"
	PlaceholderEmail = "approver@example.com"
)

// DefaultConfig is the config with every setting at its default.
func DefaultConfig() Config {
	return Config{
		AppName:                "myapp",
		GitHubOwner:            PlaceholderOwner,
		GitHubRepo:             PlaceholderRepo,
		GitHubBranch:           "main",
		ApproverEmails:         []string{PlaceholderEmail},
		ApprovalPosition:       ApprovalBeforeBuild,
		Buildspec:              BuildspecManaged,
		Dockerfile:             "Dockerfile",
		BuildContext:           ".",
		BuildComputeType:       "SMALL",
		BuildTimeoutMinutes:    30,
		BuildConcurrencyLimit:  1,
		BuildSecrets:           map[string]string{},
		Architecture:           ArchX86,
		LogRetentionDays:       30,
		KeepReleaseImages:      20,
		ArtifactExpirationDays: 30,
		DeployTagKey:           "App",
		DeploymentConfig:       "OneAtATime",
		AgentInstall:           AgentOnce,
		IngressCidr:            "0.0.0.0/0",
		AppPort:                8080,
		HTTPPort:               80,
		HealthCheckPath:        "/health",
		RemovalPolicy:          RemovalRetain,
	}
}

// Values of the enumerated settings.
const (
	ApprovalBeforeBuild  = "beforeBuild"
	ApprovalBeforeDeploy = "beforeDeploy"
	BuildspecManaged     = "managed"
	ArchX86              = "x86_64"
	ArchArm              = "arm64"
	AgentNever           = "never"
	AgentOnce            = "once"
	AgentNow             = "now"
	AgentSchedule        = "schedule"
	RemovalRetain        = "retain"
	RemovalDestroy       = "destroy"
)

// Parsed is a config read from context, with the keys the user set and the
// warnings (unknown keys, placeholders) to show at synth.
type Parsed struct {
	Config   Config
	Set      map[string]bool
	Warnings []string
}

// ConfigFromContext reads the settings from a CDK context map (values from
// cdk.json are JSON types, values from `-c` are strings), fills defaults and
// validates the result. The error lists every problem, one per line.
func ConfigFromContext(ctx map[string]any) (Parsed, error) {
	p := Parsed{Config: DefaultConfig(), Set: map[string]bool{}}
	var errs []error
	known := map[string]bool{}
	for _, s := range settings {
		known[s.Key] = true
		raw, ok := ctx[s.Key]
		if !ok {
			continue
		}
		p.Set[s.Key] = true
		if err := s.apply(&p.Config, raw); err != nil {
			errs = append(errs, &SettingError{Setting: s.Key, Problem: err.Error()})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(ctx)) {
		if known[k] || strings.ContainsAny(k, ":@/") {
			continue // CDK's own keys carry a ':' or '@'
		}
		if hint := closestKey(k); hint != "" {
			p.Warnings = append(p.Warnings, fmt.Sprintf("context key %q is not a shipline setting; did you mean %q?", k, hint))
		}
	}
	if p.Set["approvalTopicArn"] && !p.Set["approverEmails"] && p.Config.ApprovalTopicArn != "" {
		// An existing topic has its own subscribers: the placeholder address
		// is not subscribed to it.
		p.Config.ApproverEmails = nil
	}
	errs = append(errs, p.Config.validate(p.Set)...)
	if len(errs) > 0 {
		return p, errors.Join(errs...)
	}
	p.Warnings = append(p.Warnings, p.Config.placeholderWarnings()...)
	if p.Set["deployTagKey"] && !usesDeployTags(p.Config) {
		p.Warnings = append(p.Warnings, "deployTagKey has no effect: with autoScalingGroupName and no deployTagValues, the deployment group targets the Auto Scaling group alone")
	}
	return p, nil
}

func (c Config) placeholderWarnings() []string {
	var w []string
	if c.GitHubOwner == PlaceholderOwner {
		w = append(w, fmt.Sprintf("githubOwner is the placeholder %q: set it to the owner of your app repository", PlaceholderOwner))
	}
	if c.GitHubRepo == PlaceholderRepo {
		w = append(w, fmt.Sprintf("githubRepo is the placeholder %q: set it to your app repository", PlaceholderRepo))
	}
	for _, e := range c.ApproverEmails {
		if strings.EqualFold(e, PlaceholderEmail) {
			w = append(w, fmt.Sprintf("approverEmails holds the placeholder %q: set the approvers' addresses", PlaceholderEmail))
		}
	}
	return w
}

// TagValues is the deploy tag values, defaulting to the app name.
func (c Config) TagValues() []string {
	if len(c.DeployTagValues) == 0 {
		return []string{c.AppName}
	}
	return c.DeployTagValues
}

// ParameterPath is the Parameter Store path of the app's settings.
func (c Config) ParameterPath() string { return "/" + c.AppName + "/" }

// BuildSecretsPath is where the app's build secrets live: read by the build,
// never by the hosts.
func (c Config) BuildSecretsPath() string { return c.ParameterPath() + serverdeploy.BuildSecretsDir }
