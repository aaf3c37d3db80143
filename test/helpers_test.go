// Package test holds the stack-level tests: compliance (cdk-nag, cfn-lint,
// the CloudFormation schema, CDK's own template validation), security
// invariants, retention, notifications and the bad-config behaviour of the app.
//
// Each stack variant is synthesized once per test binary (synthVariant) and
// its template shared by every test: a synth costs seconds.
package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/stacks"
)

// stackVariant is one shape of the stack: the cdk.json context plus settings.
type stackVariant struct {
	name     string
	settings map[string]any
}

const (
	testConnectionArn = "arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	testTopicArn      = "arn:aws:sns:eu-west-1:123456789012:release-approvals"
	testTopicKeyArn   = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	testTargetGroup   = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef"
)

// stackVariants is every stack shape the config can produce. Settings that
// the stack does not use yet (managed host, Auto Scaling group) still
// synthesize; their resources are checked as soon as the stack makes them.
var stackVariants = []stackVariant{
	{"default", nil},
	{"arm64", map[string]any{"architecture": "arm64"}},
	{"beforeDeploy", map[string]any{"approvalPosition": "beforeDeploy"}},
	{"existingResources", map[string]any{"connectionArn": testConnectionArn, "approvalTopicArn": testTopicArn, "approvalTopicKeyArn": testTopicKeyArn}},
	{"repositoryBuildspec", map[string]any{"buildspec": "ci/buildspec.yml"}},
	{"removalDestroy", map[string]any{"removalPolicy": "destroy"}},
	{"tuned", map[string]any{
		"buildSecrets":         map[string]any{"NPM_TOKEN": "/myapp/build/npm-token"},
		"minHealthyHosts":      "75%",
		"agentInstall":         "schedule",
		"agentSchedule":        "rate(14 days)",
		"logRetentionDays":     90.0,
		"deployTagValues":      []any{"web", "api"},
		"healthTimeoutSeconds": 120.0,
		"keepReleases":         5.0,
		"requiredSettings":     []any{"DATABASE_URL", "SECRET_KEY"},
	}},
	{"managedHost", map[string]any{"managedHost": true}},
	{"managedHostArm64", map[string]any{"managedHost": true, "architecture": "arm64", "removalPolicy": "destroy"}},
	{"autoScalingGroup", map[string]any{"autoScalingGroupName": "web-asg", "targetGroupArn": testTargetGroup}},
	{"diffRole", map[string]any{"diffRoleRepo": "acme/infra"}},
	{"twoEnvironments", nil}, // variantEnvironments
	// With variantEnvironments too: environments in two other Regions.
	{"otherRegions", nil},
	// With variantEnvironments too: production's stack has a role the
	// diff role assumes to read it.
	{"twoEnvironmentsDiff", map[string]any{"diffRoleRepo": "acme/infra"}},
	// With variantEnvironments too: the approval stage and production's.
	{"chatApprovals", map[string]any{
		"approvalSlackWorkspaceId": "T0123ABCD", "approvalSlackChannelId": "C0123ABCD",
		"approvalTeamsTenantId": testTeamsTenant, "approvalTeamsTeamId": testTeamsTeam,
		"approvalTeamsChannelId": "19:b6ef35dc342d56ba5654e6fc6d25a071@thread.tacv2",
	}},
}

// synthResult is one synthesized variant.
type synthResult struct {
	variant     stackVariant
	stack       awscdk.Stack
	annotations assertions.Annotations
	dir         string         // the cloud assembly directory
	file        string         // the template file
	tmpl        map[string]any // the template
	report      map[string]any // validation-report.json, when written
	failure     string         // the synth error, if synthesis failed
	pipeline    *stacks.PipelineStack
}

var synthCache = map[string]*synthResult{}

// otherStacks are the variant's stacks beside the pipeline's: the target
// stacks of environments in other accounts or Regions, and the artifact
// replicas of other Regions.
func (r *synthResult) otherStacks() []awscdk.Stack {
	var out []awscdk.Stack
	for _, env := range r.pipeline.Environments {
		if env.Target != nil {
			out = append(out, env.Target.Stack)
		}
	}
	for _, region := range slices.Sorted(maps.Keys(r.pipeline.Replicas)) {
		out = append(out, r.pipeline.Replicas[region].Stack)
	}
	return out
}

// synthVariant synthesizes a variant once, with cdk-nag's AwsSolutions
// checks and the stack's suppressions applied as `-c nag=true` does, and
// returns it; it fails the test when the synth failed.
//
// The cache is keyed by name: a bare stackVariant{name: X} stands for the
// registered variant X, and a variant that gives X other settings fails
// rather than getting whichever template was cached first.
func synthVariant(t *testing.T, v stackVariant) *synthResult {
	t.Helper()
	if i := slices.IndexFunc(stackVariants, func(r stackVariant) bool { return r.name == v.name }); i >= 0 {
		if v.settings == nil {
			v = stackVariants[i]
		} else if !reflect.DeepEqual(v.settings, stackVariants[i].settings) {
			t.Fatalf("variant %s: got settings %v, but the registered variant of that name has %v: give the new variant its own name", v.name, v.settings, stackVariants[i].settings)
		}
	}
	r, ok := synthCache[v.name]
	if !ok {
		r = doSynth(v)
		synthCache[v.name] = r
	}
	if r.failure != "" {
		t.Fatalf("variant %s: synth failed:\n%s", v.name, r.failure)
	}
	return r
}

// forEachVariant runs f in a subtest per variant.
func forEachVariant(t *testing.T, f func(t *testing.T, r *synthResult)) {
	for _, v := range stackVariants {
		t.Run(v.name, func(t *testing.T) {
			f(t, synthVariant(t, v))
		})
	}
}

func doSynth(v stackVariant) (r *synthResult) {
	r = &synthResult{variant: v}
	defer func() {
		// A CDK error (or a failed validation) is a panic: keep it as the
		// variant's failure instead of ending the test binary.
		if p := recover(); p != nil {
			r.failure = fmt.Sprint(p)
		}
	}()
	dir, err := os.MkdirTemp(scratchDir(), v.name+"-")
	if err != nil {
		panic(err)
	}
	r.dir = dir
	ctx := cdktest.CDKJSONContext()
	for k, val := range v.settings {
		ctx[k] = val
	}
	cfg, err := config.FromContext(ctx)
	if err != nil {
		panic(fmt.Sprintf("config: %v", err))
	}
	// Findings go to the validation report and the annotations, which the
	// tests read, instead of aborting the synth at the first variant.
	ctx["@aws-cdk/core:failSynthOnValidationErrors"] = false
	// Construct paths in the resources' metadata, as `cdk synth` writes
	// them: the pull-request comment names resources and environments by them.
	ctx["aws:cdk:enable-path-metadata"] = true
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(dir)})
	props := &stacks.PipelineStackProps{
		Config:       &cfg,
		Environments: variantEnvironments[v.name],
	}
	if props.Environments != nil {
		props.Env = &awscdk.Environment{Account: jsii.String(testPipelineAccount), Region: jsii.String("eu-west-1")}
	}
	stack := stacks.NewPipelineStack(app, "PipelineStack", props)
	r.pipeline = stack
	stacks.ApplyNagSuppressions(stack)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	r.stack = stack.Stack
	r.annotations = assertions.Annotations_FromStack(stack) // synthesizes into dir
	r.file = filepath.Join(dir, "PipelineStack.template.json")
	r.tmpl = readJSON(r.file)
	if _, err := os.Stat(filepath.Join(dir, "validation-report.json")); err == nil {
		r.report = readJSON(filepath.Join(dir, "validation-report.json"))
	}
	return r
}

var scratch string

// scratchDir holds this test binary's cloud assemblies and app build. Test
// binaries have no hook after the last test without a TestMain, so each run
// removes the directories of runs whose process is gone.
func scratchDir() string {
	if scratch != "" {
		return scratch
	}
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "shipline-test-*"))
	for _, d := range old {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "shipline-test-"))
		if err == nil && syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(d)
		}
	}
	scratch = filepath.Join(os.TempDir(), fmt.Sprintf("shipline-test-%d", os.Getpid()))
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		panic(err)
	}
	return scratch
}

func readJSON(path string) map[string]any {
	raw, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(fmt.Sprintf("%s: %v", path, err))
	}
	return m
}

// cfnResource is one template resource with its logical id.
type cfnResource struct {
	ID   string
	Type string
	Body map[string]any
}

func (c cfnResource) props() map[string]any {
	p, _ := c.Body["Properties"].(map[string]any)
	return p
}

// resourcesOf lists the template's resources, of the given types (all when
// none), sorted by logical id.
func resourcesOf(tmpl map[string]any, types ...string) []cfnResource {
	res, _ := tmpl["Resources"].(map[string]any)
	var out []cfnResource
	for id, body := range res {
		b, _ := body.(map[string]any)
		typ, _ := b["Type"].(string)
		if len(types) == 0 || slices.Contains(types, typ) {
			out = append(out, cfnResource{ID: id, Type: typ, Body: b})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// statement is one IAM policy statement and where it comes from.
type statement struct {
	Source   string // logical id
	Identity bool   // an identity policy (role, policy); false for resource policies
	Body     map[string]any
}

func (s statement) list(key string) []any {
	switch v := s.Body[key].(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

// Actions are the statement's actions as strings.
func (s statement) Actions() []string {
	var out []string
	for _, a := range s.list("Action") {
		if str, ok := a.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// policyStatements collects every policy statement of the template: identity
// policies (AWS::IAM::Policy, ManagedPolicy, inline role policies) and
// resource policies (bucket, topic, key, repository).
func policyStatements(tmpl map[string]any) []statement {
	var out []statement
	addDoc := func(source string, identity bool, doc any) {
		d, _ := doc.(map[string]any)
		sts, _ := d["Statement"].([]any)
		for _, s := range sts {
			if m, ok := s.(map[string]any); ok {
				out = append(out, statement{Source: source, Identity: identity, Body: m})
			}
		}
	}
	for _, r := range resourcesOf(tmpl) {
		p := r.props()
		switch r.Type {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			addDoc(r.ID, true, p["PolicyDocument"])
		case "AWS::IAM::Role":
			pols, _ := p["Policies"].([]any)
			for _, pol := range pols {
				pm, _ := pol.(map[string]any)
				addDoc(r.ID, true, pm["PolicyDocument"])
			}
		case "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy":
			addDoc(r.ID, false, p["PolicyDocument"])
		case "AWS::KMS::Key":
			addDoc(r.ID, false, p["KeyPolicy"])
		case "AWS::ECR::Repository":
			addDoc(r.ID, false, p["RepositoryPolicyText"])
		}
	}
	return out
}

// refersTo tells whether a template value references the logical id (Ref or
// Fn::GetAtt anywhere inside it).
func refersTo(v any, id string) bool {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && ref == id {
			return true
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) > 0 && ga[0] == id {
			return true
		}
		for _, val := range x {
			if refersTo(val, id) {
				return true
			}
		}
	case []any:
		for _, val := range x {
			if refersTo(val, id) {
				return true
			}
		}
	}
	return false
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return strings.ReplaceAll(s, "\n", " ")
}
