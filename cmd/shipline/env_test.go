package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/shipline/shipline/internal/ops"
)

// The environments of the two-environment stack, as `environments` in the
// config makes them: staging then production (not name order).
const (
	stagingApp, stagingGroup, stagingLogs = "web-staging-app", "web-staging", "/shipline/web/staging"
	prodApp, prodGroup, prodLogs          = "web", "web-production", "/shipline/web/production"
	targetAccount                         = "222222222222"
	// prodRegion is production's Region when it is not the stack's
	// (us-east-1); replicaBucket holds the copies of the bundles that
	// CodePipeline makes there, in the stack's account.
	prodRegion    = "eu-central-1"
	replicaBucket = "web-artifacts-replica-" + prodRegion
)

// place is where production lives: its account and Region, empty for the
// stack's.
type place struct{ account, region string }

var (
	withStack             = place{}
	otherAccount          = place{account: targetAccount}
	otherRegion           = place{region: prodRegion}
	otherAccountAndRegion = place{account: targetAccount, region: prodRegion}
)

// described is how the stack's output descriptions say where production
// lives: " (account 222222222222, region eu-central-1)" and the like.
func (p place) described() string {
	switch {
	case p.account != "" && p.region != "":
		return " (account " + p.account + ", region " + p.region + ")"
	case p.account != "":
		return " (account " + p.account + ")"
	case p.region != "":
		return " (region " + p.region + ")"
	}
	return ""
}

// envOutputs are the outputs of a stack with staging and production, the
// latter in prod. An environment elsewhere has its resources in a target
// stack, whose instance profile the stack names.
func envOutputs(prod place) []ops.Output {
	out := []ops.Output{
		{Key: "PipelineName", Value: pipeline}, {Key: "RepositoryUri", Value: repoURI},
		{Key: "ConnectionArn", Value: connection}, {Key: "BuildProjectName", Value: projectName},
		{Key: "ArtifactBucketName", Value: bucketName}, {Key: "AppLogGroupName", Value: logGroup},
		{Key: "DeploymentGroupNameStaging", Value: stagingGroup, Description: "CodeDeploy deployment group of staging"},
		{Key: "DeployApplicationNameStaging", Value: stagingApp, Description: "CodeDeploy application of staging"},
		{Key: "HostPolicyArnStaging", Value: "arn:aws:iam::" + account + ":policy/web-staging-host"},
		{Key: "AppLogGroupNameStaging", Value: stagingLogs},
		{Key: "DeploymentGroupNameProduction", Value: prodGroup, Description: "CodeDeploy deployment group of production" + prod.described()},
		{Key: "DeployApplicationNameProduction", Value: prodApp, Description: "CodeDeploy application of production" + prod.described()},
		{Key: "AppLogGroupNameProduction", Value: prodLogs},
	}
	if prod == withStack {
		return append(out, ops.Output{Key: "HostPolicyArnProduction", Value: "arn:aws:iam::" + account + ":policy/web-production-host"})
	}
	out = append(out, ops.Output{Key: "HostProfileNameProduction", Value: "web-production-host",
		Description: "Instance profile for the hosts of production" + strings.TrimSuffix(prod.described(), ")") + ", stack PipelineStack-production)"})
	if prod.region != "" {
		out = append(out, ops.Output{Key: "DeployRegionProduction", Value: prod.region, Description: "Region of production"})
	}
	return out
}

// envPipelineInMoto creates the pipeline of a two-environment stack.
func (w *world) envPipelineInMoto() {
	w.t.Helper()
	w.pipelineWith("Source", "Build", "Deploy-staging", "Approve-production", "Deploy-production")
}

// clientsIn are clients of the account and Region of p: moto switches
// accounts on an assumed role's credentials, as AWS does, and keeps each
// Region's resources apart.
func (w *world) clientsIn(p place) *ops.Clients {
	w.t.Helper()
	var creds aws.CredentialsProvider = credentials.NewStaticCredentialsProvider("testing", "testing", "")
	if p.account != "" {
		creds = w.assumeRole(p.account)
	}
	opts := []func(*config.LoadOptions) error{config.WithCredentialsProvider(creds)}
	if p.region != "" {
		opts = append(opts, config.WithRegion(p.region))
	}
	cfg, err := config.LoadDefaultConfig(w.ctx, opts...)
	w.must(err)
	return ops.NewClients(cfg)
}

// assumeRole returns the credentials of a role of account id.
func (w *world) assumeRole(id string) credentials.StaticCredentialsProvider {
	w.t.Helper()
	cfg, err := config.LoadDefaultConfig(w.ctx, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")))
	w.must(err)
	role, err := sts.NewFromConfig(cfg).AssumeRole(w.ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + id + ":role/operator"), RoleSessionName: aws.String("test"),
	})
	w.must(err)
	c := role.Credentials
	return credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

// targetProfiles writes an AWS config with the profiles "production" (of
// targetAccount) and "elsewhere" (another account), holding a role's
// temporary credentials, as `aws configure export-credentials` writes them.
func (w *world) targetProfiles() {
	w.t.Helper()
	var b strings.Builder
	for name, id := range map[string]string{"production": targetAccount, "elsewhere": "333333333333"} {
		c := w.assumeRole(id).Value
		fmt.Fprintf(&b, "[profile %s]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n", name, c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	file := filepath.Join(w.t.TempDir(), "config")
	w.must(os.WriteFile(file, []byte(b.String()), 0o600))
	w.t.Setenv("AWS_CONFIG_FILE", file)
}

// envWorld is what twoEnvironments made: the clients of production's
// account and Region, the three builds, and the two of them production
// ran (their bundles copied to production's Region when it is not the
// stack's).
type envWorld struct {
	prod       *ops.Clients
	builds     []build
	prodBuilds []build
}

// twoEnvironments deploys three releases to staging and two to production,
// all successful, staging in the stack's account and Region and production
// in prod.
func (w *world) twoEnvironments(prod place) envWorld {
	w.t.Helper()
	w.stackOf(envOutputs(prod))
	w.storage()
	w.envPipelineInMoto()
	e := envWorld{prod: w.c}
	if prod != withStack {
		e.prod = w.clientsIn(prod)
	}
	w.group(w.c, stagingApp, stagingGroup, "web-staging")
	w.group(e.prod, prodApp, prodGroup, "web-production")
	for _, commit := range []string{"1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "3333333ccccccccccccccccccccccccccccccccc"} {
		e.builds = append(e.builds, w.release(commit))
	}
	for _, b := range e.builds {
		d := w.deployIn(w.c, stagingApp, stagingGroup, b, succeeded(1))
		w.hostTargets(d, map[string]string{"i-0sta": "Succeeded"})
	}
	e.prodBuilds = e.builds[:2]
	if prod.region != "" {
		e.prodBuilds = w.replicate(prod.region, e.prodBuilds)
	}
	for _, b := range e.prodBuilds {
		d := w.deployIn(e.prod, prodApp, prodGroup, b, succeeded(1))
		w.hostTargets(d, map[string]string{"i-0pro": "Succeeded"})
	}
	return e
}

// replicate copies the builds' bundles to replicaBucket in region, as
// CodePipeline does for a deploy action in another Region: CodeDeploy
// takes its bundles from a bucket of its own Region.
func (w *world) replicate(region string, builds []build) []build {
	w.t.Helper()
	c := w.clientsIn(place{region: region})
	_, err := c.S3.CreateBucket(w.ctx, &s3.CreateBucketInput{Bucket: aws.String(replicaBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}})
	w.must(err)
	var out []build
	for _, b := range builds {
		cp, err := c.S3.CopyObject(w.ctx, &s3.CopyObjectInput{Bucket: aws.String(replicaBucket), Key: aws.String(b.bundle.Key),
			CopySource: aws.String(b.bundle.Bucket + "/" + b.bundle.Key)})
		w.must(err)
		b.bundle.Bucket, b.bundle.ETag = replicaBucket, strings.Trim(aws.ToString(cp.CopyObjectResult.ETag), `"`)
		out = append(out, b)
	}
	return out
}

// createdDeployment reads, from moto, the group and the bundle of the one
// deployment the command created, in the account of c.
func (w *world) createdDeployment(c *ops.Clients) (group string, bundle map[string]any) {
	w.t.Helper()
	d, err := c.CodeDeploy.GetDeployment(w.ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(w.createdOne())})
	w.must(err)
	s3 := d.DeploymentInfo.Revision.S3Location
	return aws.ToString(d.DeploymentInfo.DeploymentGroupName), map[string]any{
		"bucket": aws.ToString(s3.Bucket), "key": aws.ToString(s3.Key), "bundleType": string(s3.BundleType), "eTag": aws.ToString(s3.ETag),
	}
}

func TestEnvRollbackDeploysToTheNamedEnvironment(t *testing.T) {
	w := newWorld(t)
	builds := w.twoEnvironments(withStack).builds
	w.next = []deploymentState{{status: "InProgress", overview: map[string]int{"InProgress": 1}}, succeeded(1)}
	out, stderr, code := shipline(t, "rollback", "--env", "production", "--poll", "10ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	group, bundle := w.createdDeployment(w.c)
	if group != prodGroup {
		t.Errorf("deployment created in group %s, want production's %s", group, prodGroup)
	}
	// Production ran 1111111 then 2222222: its previous release is 1111111
	// (staging's would be 2222222).
	wantBundle(t, bundle, builds[0])
	if !strings.Contains(stderr, "Rolling back "+prodGroup+" (production) to release 1111111") || !strings.Contains(out, "Release 1111111 is live") {
		t.Errorf("stdout %q, stderr %q: want production's group and release 1111111 named", out, stderr)
	}
}

func TestEnvRequiredWithSeveral(t *testing.T) {
	w := newWorld(t)
	w.twoEnvironments(withStack)
	for _, args := range [][]string{{"rollback"}, {"releases"}, {"logs"}, {"doctor"}} {
		out, stderr, code := shipline(t, args...)
		want := "shipline " + args[0] + ": stack " + stackName + " has 2 environments (staging, production): name one with --env\n"
		if code != 2 || stderr != want || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and the one line %q (pipeline order)", args[0], code, out, stderr, want)
		}
	}
	if len(w.created) != 0 {
		t.Errorf("deployments created: %v, want none", w.created)
	}
}

func TestEnvUnknownName(t *testing.T) {
	w := newWorld(t)
	w.twoEnvironments(withStack)
	_, stderr, code := shipline(t, "rollback", "--env", "prod")
	want := "shipline rollback: stack " + stackName + " has no environment \"prod\": want one of staging, production\n"
	if code != 2 || stderr != want {
		t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
	// A stack without environments has nothing to choose.
	w2 := newWorld(t)
	w2.stack(defaultOutputs())
	_, stderr, code = shipline(t, "releases", "--env", "staging")
	if code != 2 || !strings.Contains(stderr, "has no environments") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want exit 2 and one line saying the stack has no environments", code, stderr)
	}
}

func TestEnvCompletion(t *testing.T) {
	w := newWorld(t)
	w.twoEnvironments(otherAccount)
	out, stderr, code := shipline(t, "__complete", "rollback", "--env", "")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "staging\tdeployment group web-staging\nproduction\tdeployment group web-production, account " + targetAccount + "\n:4\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("completion of --env =\n%s\nwant, in pipeline order:\n%s", out, want)
	}
}

func TestEnvSingleEnvironmentNeedsNoFlag(t *testing.T) {
	w := newWorld(t)
	var outs []ops.Output
	for _, o := range envOutputs(withStack) {
		if !strings.HasSuffix(o.Key, "Production") {
			outs = append(outs, o)
		}
	}
	w.stackOf(outs)
	w.storage()
	w.group(w.c, stagingApp, stagingGroup, "web-staging")
	old, cur := w.release("1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), w.release("2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	w.deployIn(w.c, stagingApp, stagingGroup, old, succeeded(1))
	w.deployIn(w.c, stagingApp, stagingGroup, cur, succeeded(1))
	w.next = []deploymentState{succeeded(1)}
	if _, stderr, code := shipline(t, "rollback", "--poll", "10ms"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	group, bundle := w.createdDeployment(w.c)
	if group != stagingGroup {
		t.Errorf("group %s, want %s", group, stagingGroup)
	}
	wantBundle(t, bundle, old)
}

func TestEnvStatusInPipelineOrder(t *testing.T) {
	w := newWorld(t)
	w.twoEnvironments(withStack)
	w.fillPipelineGaps(map[string]stageRun{"Source": {status: "Succeeded"}, "Build": {status: "Succeeded"},
		"Deploy-staging": {status: "Succeeded"}, "Approve-production": {status: "InProgress"}}, "3333333ccccccccccccccccccccccccccccccccc", "Cache")
	out, stderr, code := shipline(t, "status", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var st ops.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	var got []string
	for _, e := range st.Environments {
		release := "-"
		if len(e.Hosts) == 1 && e.Hosts[0].Release != nil && e.Hosts[0].Healthy {
			release = e.Hosts[0].Instance + "@" + e.Hosts[0].Release.ID
		}
		got = append(got, e.Name+"="+e.Group+":"+release)
	}
	if want := "staging=web-staging:i-0sta@3333333 production=web-production:i-0pro@2222222"; strings.Join(got, " ") != want {
		t.Errorf("environments = %s, want %s", strings.Join(got, " "), want)
	}

	text, _, _ := shipline(t, "status")
	staging, production := strings.Index(text, "Environment staging: deployment group web-staging"), strings.Index(text, "Environment production: deployment group web-production")
	if staging < 0 || production < staging {
		t.Errorf("text status: want staging's section, then production's:\n%s", text)
	}
	only, _, _ := shipline(t, "status", "--env", "production", "-o", "json")
	st = ops.Status{}
	if err := json.Unmarshal([]byte(only), &st); err != nil || len(st.Environments) != 1 || st.Environments[0].Name != "production" {
		t.Errorf("status --env production = %s, want production only", only)
	}
}

func TestEnvLogsReadTheEnvironmentsGroup(t *testing.T) {
	w := newWorld(t)
	w.twoEnvironments(withStack)
	now := time.Now()
	for group, line := range map[string]string{logGroup: "stack-wide", stagingLogs: "from staging", prodLogs: "from production"} {
		w.logLineIn(w.c, group, "app/i-0/web-app-1", line, now.Add(-time.Minute))
	}
	out, stderr, code := shipline(t, "logs", "--env", "staging")
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "from staging") || strings.Count(out, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q: want staging's line only", code, out, stderr)
	}
}

func TestEnvLogsFallBackToTheStacksGroup(t *testing.T) {
	w := newWorld(t)
	var outs []ops.Output
	for _, o := range envOutputs(withStack) {
		if !strings.HasPrefix(o.Key, "AppLogGroupName") || o.Key == "AppLogGroupName" {
			outs = append(outs, o)
		}
	}
	w.stackOf(outs)
	w.logLineIn(w.c, logGroup, "app/i-0/web-app-1", "stack-wide", time.Now().Add(-time.Minute))
	out, stderr, code := shipline(t, "logs", "--env", "production")
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "stack-wide") {
		t.Errorf("exit %d, stdout %q, stderr %q: want the stack's group (no AppLogGroupNameProduction output)", code, out, stderr)
	}
}

func TestEnvInAnotherAccount(t *testing.T) {
	w := newWorld(t)
	e := w.twoEnvironments(otherAccount)
	prod, builds := e.prod, e.builds
	w.fillPipelineGaps(map[string]stageRun{"Source": {status: "Succeeded"}}, builds[2].commit, "Cache")

	// Without a profile of that account: staging shows, production says
	// what it needs, and the command still succeeds.
	out, stderr, code := shipline(t, "status")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Environment staging: deployment group web-staging", "i-0sta  3333333",
		"Environment production (account " + targetAccount + "): deployment group web-production",
		"  not read: environment production is in account " + targetAccount + ", which your credentials do not reach: add --target-profile NAME"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	out, _, code = shipline(t, "doctor", "--env", "production")
	if code != 1 || !strings.Contains(out, "fail  account      environment production is in account "+targetAccount) {
		t.Errorf("doctor --env production: exit %d:\n%s\nwant the account finding and exit 1", code, out)
	}
	_, stderr, code = shipline(t, "rollback", "--env", "production")
	if code != 1 || !strings.Contains(stderr, "--target-profile") || len(w.created) != 0 {
		t.Errorf("rollback --env production without a profile: exit %d, stderr %q; want 1, --target-profile named, no deployment", code, stderr)
	}

	// With a profile of the wrong account: said so.
	w.targetProfiles()
	_, stderr, code = shipline(t, "releases", "--env", "production", "--target-profile", "elsewhere")
	if code != 1 || !strings.Contains(stderr, "--target-profile elsewhere is a profile of account 333333333333, environment production is in account "+targetAccount) {
		t.Errorf("wrong account: exit %d, stderr %q", code, stderr)
	}

	// With the production profile: production's deployments, in its
	// account; the bundles and images still in the stack's.
	out, stderr, code = shipline(t, "status", "--target-profile", "production")
	if code != 0 || !strings.Contains(out, "i-0pro  2222222") || strings.Contains(out, "not read") {
		t.Errorf("status --target-profile production: exit %d, stderr %q:\n%s\nwant production's host on 2222222", code, stderr, out)
	}
	w.next = []deploymentState{succeeded(1)}
	_, stderr, code = shipline(t, "rollback", "--env", "production", "--target-profile", "production", "--poll", "10ms")
	if code != 0 {
		t.Fatalf("rollback in the other account: exit %d: %s", code, stderr)
	}
	group, bundle := w.createdDeployment(prod)
	if group != prodGroup {
		t.Errorf("group %s, want %s", group, prodGroup)
	}
	wantBundle(t, bundle, builds[0])

	// Logs: production's group, in production's account.
	w.logLineIn(prod, prodLogs, "app/i-0pro/web-app-1", "from production", time.Now().Add(-time.Minute))
	out, stderr, code = shipline(t, "logs", "--env", "production", "--target-profile", "production")
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "from production") {
		t.Errorf("logs in the other account: exit %d, stdout %q, stderr %q", code, out, stderr)
	}

	// Doctor: production's hosts and settings, in production's account.
	host := w.hostIn(prod, "web-production", false)
	w.buildProjectWith(map[string]string{"PARAMETER_PATH": "/web/", "REQUIRED_SETTINGS": "DATABASE_URL",
		"PARAMETER_PATHS": stagingGroup + "=/web/staging/ " + prodGroup + "=/web/production/"})
	_, err := prod.SSM.PutParameter(w.ctx, &ssm.PutParameterInput{Name: aws.String("/web/production/DATABASE_URL"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeSecureString})
	w.must(err)
	w.fillDoctorGaps("AVAILABLE", []string{host}, map[string]string{host: "agent=running\ncredentials=absent\n"})
	out, _, code = shipline(t, "doctor", "--env", "production", "--target-profile", "production", "--poll", "10ms")
	for _, want := range []string{
		"ok    hosts        1 running host(s) with tag deploy=web-production: " + host,
		"fail  profile      " + host + " has no instance profile: attach the instance profile web-production-host that the environment's stack creates in account " + targetAccount,
		"ok    settings     1 parameter(s) under /web/production/, the 1 required present",
	} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("doctor in the other account: exit %d, no %q in:\n%s", code, want, out)
		}
	}
}

// decoy puts production's group, a deployment of b to it, a host and a log
// line in production's account but in the stack's Region, where an
// environment in another Region must not be looked for: a command that
// looks there shows them. It returns the host.
func (w *world) decoy(prod place, b build) string {
	w.t.Helper()
	c := w.clientsIn(place{account: prod.account})
	w.group(c, prodApp, prodGroup, "web-production")
	d := w.deployIn(c, prodApp, prodGroup, b, succeeded(1))
	w.hostTargets(d, map[string]string{"i-0decoy": "Succeeded"})
	w.logLineIn(c, prodLogs, "app/i-0decoy/web-app-1", "decoy in the stack's Region", time.Now().Add(-time.Minute))
	return w.hostIn(c, "web-production", false)
}

func TestEnvInAnotherRegion(t *testing.T) {
	for _, tc := range []struct {
		name  string
		prod  place
		where string // as the commands name production's place
	}{
		{"same account", otherRegion, "region " + prodRegion},
		{"other account", otherAccountAndRegion, "account " + targetAccount + ", region " + prodRegion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			e := w.twoEnvironments(tc.prod)
			decoyHost := w.decoy(tc.prod, e.builds[2])
			w.fillPipelineGaps(map[string]stageRun{"Source": {status: "Succeeded"}}, e.builds[2].commit, "Cache")
			heading := "Environment production (" + tc.where + "): deployment group web-production\n"
			var reach []string
			if tc.prod.account != "" {
				out, stderr, code := shipline(t, "status")
				want := heading + "  not read: environment production is in " + tc.where + ", which your credentials do not reach: add --target-profile NAME"
				if code != 0 || !strings.Contains(out, want) {
					t.Errorf("status without --target-profile: exit %d, stderr %q:\n%s\nwant %q", code, stderr, out, want)
				}
				w.targetProfiles()
				reach = []string{"--target-profile", "production"}
			}
			run := func(args ...string) (string, string, int) {
				t.Helper()
				out, stderr, code := shipline(t, append(args, reach...)...)
				if strings.Contains(out+stderr, "decoy") || strings.Contains(out+stderr, decoyHost) {
					t.Errorf("%s read production in the stack's Region:\n%s%s", args, out, stderr)
				}
				return out, stderr, code
			}

			// Status: production's host runs 2222222 in its Region (the
			// decoy in the stack's Region runs 3333333).
			out, stderr, code := run("status")
			if code != 0 || !strings.Contains(out, heading) || !strings.Contains(out, "i-0pro  2222222") || !strings.Contains(out, "i-0sta  3333333") {
				t.Errorf("status: exit %d, stderr %q:\n%s\nwant %q and production's host on 2222222", code, stderr, out, heading)
			}
			out, _, _ = run("status", "-o", "json")
			var st ops.Status
			if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Environments) != 2 || len(st.Stack.Environments) != 2 {
				t.Fatalf("status -o json: %v in %s", err, out)
			}
			if got := st.Environments[0].Region + "|" + st.Environments[1].Region + "|" + st.Stack.Environments[1].Region; got != "|"+prodRegion+"|"+prodRegion {
				t.Errorf("regions in JSON (staging, production, production's outputs) = %s, want production's only", got)
			}

			// Releases: production's bundles are the copies in its Region;
			// their images are in the stack's ECR, so all can be deployed.
			out, stderr, code = run("releases", "--env", "production", "-o", "json")
			var rs []ops.Release
			if err := json.Unmarshal([]byte(out), &rs); code != 0 || err != nil {
				t.Fatalf("releases -o json: exit %d, %v, stderr %q: %s", code, err, stderr, out)
			}
			var got []string
			for _, r := range rs {
				got = append(got, fmt.Sprintf("%s@%s current=%v deployable=%v", r.ID, r.Bundle.Bucket, r.Current, r.Deployable))
			}
			if want := "2222222@" + replicaBucket + " current=true deployable=true 1111111@" + replicaBucket + " current=false deployable=true"; strings.Join(got, " ") != want {
				t.Errorf("releases = %s, want %s", strings.Join(got, " "), want)
			}
			if out, _, _ = run("releases", "--env", "production"); !strings.HasPrefix(out, heading+"\n") {
				t.Errorf("releases text: want it to start with %q:\n%s", heading, out)
			}

			// Rollback: a deployment of the copy of 1111111, created in
			// production's Region (createdDeployment reads it there).
			w.next = []deploymentState{succeeded(1)}
			_, stderr, code = run("rollback", "--env", "production", "--poll", "10ms")
			if code != 0 || !strings.Contains(stderr, "Rolling back web-production (production, "+tc.where+") to release 1111111") {
				t.Fatalf("rollback: exit %d, stderr %q", code, stderr)
			}
			group, bundle := w.createdDeployment(e.prod)
			if group != prodGroup {
				t.Errorf("group %s, want %s", group, prodGroup)
			}
			wantBundle(t, bundle, e.prodBuilds[0])

			// Logs: production's group in its Region.
			w.logLineIn(e.prod, prodLogs, "app/i-0pro/web-app-1", "from production", time.Now().Add(-time.Minute))
			out, stderr, code = run("logs", "--env", "production")
			if code != 0 || strings.TrimSpace(out) == "" || !strings.HasSuffix(strings.TrimSpace(out), "from production") || strings.Count(out, "\n") != 1 {
				t.Errorf("logs: exit %d, stdout %q, stderr %q: want production's line only", code, out, stderr)
			}

			// Doctor: production's hosts and settings in its Region.
			host := w.hostIn(e.prod, "web-production", false)
			w.buildProjectWith(map[string]string{"PARAMETER_PATH": "/web/", "REQUIRED_SETTINGS": "DATABASE_URL",
				"PARAMETER_PATHS": stagingGroup + "=/web/staging/ " + prodGroup + "=/web/production/", "REGIONS": prodGroup + "=" + prodRegion})
			_, err := e.prod.SSM.PutParameter(w.ctx, &ssm.PutParameterInput{Name: aws.String("/web/production/DATABASE_URL"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeSecureString})
			w.must(err)
			w.fillDoctorGaps("AVAILABLE", []string{host}, map[string]string{host: "agent=running\ncredentials=absent\n"})
			out, _, code = run("doctor", "--env", "production", "--poll", "10ms")
			for _, want := range []string{
				"ok    hosts        1 running host(s) with tag deploy=web-production in " + prodRegion + ": " + host,
				"fail  profile      " + host + " has no instance profile: attach the instance profile web-production-host that the environment's stack creates in " + tc.where,
				"ok    agent        " + host + " runs the CodeDeploy agent",
				"ok    settings     1 parameter(s) under /web/production/ in " + prodRegion + ", the 1 required present",
			} {
				if code != 1 || !strings.Contains(out, want) {
					t.Errorf("doctor: exit %d, no %q in:\n%s", code, want, out)
				}
			}

			out, _, _ = shipline(t, "__complete", "rollback", "--env", "")
			if want := "production\tdeployment group web-production, " + tc.where + "\n"; !strings.Contains(out, want) {
				t.Errorf("completion of --env =\n%s\nwant %q", out, want)
			}
		})
	}
}

func TestEnvDeployRegionOfTheStacksOwn(t *testing.T) {
	w := newWorld(t)
	w.stackOf(envOutputs(place{region: "us-east-1"}))
	s, err := ops.LoadStack(w.ctx, w.c, stackName)
	w.must(err)
	for _, e := range s.Environments {
		if e.Region != "" {
			t.Errorf("environment %s has Region %q: want none, the stack's Region (us-east-1) is no other", e.Name, e.Region)
		}
	}
}

func TestEnvInAnotherRegionNotThere(t *testing.T) {
	w := newWorld(t)
	w.stackOf(envOutputs(otherRegion))
	w.storage()
	w.envPipelineInMoto()
	w.group(w.c, stagingApp, stagingGroup, "web-staging")
	b := w.release("1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	w.hostTargets(w.deployIn(w.c, stagingApp, stagingGroup, b, succeeded(1)), map[string]string{"i-0sta": "Succeeded"})
	// Production's group, log group and host only in the stack's Region.
	w.decoy(otherRegion, b)
	w.fillPipelineGaps(map[string]stageRun{"Source": {status: "Succeeded"}}, b.commit, "Cache")
	w.fillMissingGroupGap()

	missing := "deployment group web-production of application web (stack outputs DeploymentGroupNameProduction, DeployApplicationNameProduction) does not exist in region " + prodRegion + ": was it deleted outside CloudFormation?"
	out, stderr, code := shipline(t, "status")
	if want := "Environment production (region " + prodRegion + "): deployment group web-production\n  not read: " + missing + "\n"; code != 0 || !strings.Contains(out, want) || !strings.Contains(out, "i-0sta  1111111") {
		t.Errorf("status: exit %d, stderr %q:\n%s\nwant staging's host and %q", code, stderr, out, want)
	}
	for _, tc := range []struct{ args, want []string }{
		{[]string{"releases", "--env", "production"}, []string{missing}},
		{[]string{"logs", "--env", "production"}, []string{"log group " + prodLogs + " (stack output AppLogGroupNameProduction) does not exist in region " + prodRegion + ": "}},
	} {
		out, stderr, code := shipline(t, tc.args...)
		if want := "shipline " + tc.args[0] + ": " + tc.want[0]; code != 1 || out != "" || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and the one line %q", tc.args, code, out, stderr, want)
		}
	}

	// Doctor: the group is not there, and a build without production's
	// Region in REGIONS would have its hosts read their settings in the
	// stack's Region.
	w.buildProjectWith(map[string]string{"PARAMETER_PATH": "/web/", "PARAMETER_PATHS": prodGroup + "=/web/production/"})
	out, _, code = shipline(t, "doctor", "--env", "production", "--poll", "10ms")
	for _, want := range []string{
		"fail  hosts        cannot list the deployment targets: " + missing,
		"fail  settings     the hosts of web-production read their settings in us-east-1 (the build's, with no pair in REGIONS of build project web-build), not in " + prodRegion + " where the environment is: deploy the stack again with this version (`cdk deploy`)",
	} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("doctor: exit %d, no %q in:\n%s", code, want, out)
		}
	}
}
