package releasepipeline_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/manualapproval"
	"github.com/shipline/shipline/constructs/releasepipeline"
	"github.com/shipline/shipline/constructs/smoketest"
	"github.com/shipline/shipline/internal/cdktest"
)

const (
	pipelineAccount = "111111111111"
	targetAccount   = "222222222222"
	deployRoleArn   = "arn:aws:iam::" + targetAccount + ":role/web-production-deploy"
)

// twoEnvironments is a pipeline deploying to staging (same account, checked,
// with an alarm) and then, after an approval, to production in another
// account through its deploy role.
func twoEnvironments(t *testing.T) (map[string]any, *releasepipeline.Pipeline) {
	t.Helper()
	stack := awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Pipeline"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String(pipelineAccount), Region: jsii.String("eu-west-1")},
	})
	approval := manualapproval.NewApproval(stack, "Approval", &manualapproval.ApprovalProps{Emails: jsii.Strings("ops@example.com")})
	staging := awscodedeploy.NewServerDeploymentGroup(stack, jsii.String("Staging"), &awscodedeploy.ServerDeploymentGroupProps{
		Ec2InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"Env": jsii.Strings("staging")}),
	})
	production := awscodedeploy.ServerDeploymentGroup_FromServerDeploymentGroupAttributes(stack, jsii.String("Production"),
		&awscodedeploy.ServerDeploymentGroupAttributes{
			Application:         awscodedeploy.ServerApplication_FromServerApplicationName(stack, jsii.String("App"), jsii.String("web")),
			DeploymentGroupName: jsii.String("web-production"),
		})
	alarm := awscloudwatch.Alarm_FromAlarmName(stack, jsii.String("StagingErrors"), jsii.String("web-staging-5xx"))
	p := releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
		Owner: jsii.String("acme"), Repo: jsii.String("web"),
		BuildProject: awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
		ArtifactKey:  awskms.NewKey(stack, jsii.String("ArtifactKey"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
		Environments: []*releasepipeline.Environment{
			{
				Name: jsii.String("staging"), DeploymentGroup: staging,
				Check:  &smoketest.ActionOptions{URL: jsii.String("https://staging.example.com/health"), Command: jsii.String("make smoke")},
				Alarms: []awscloudwatch.IAlarm{alarm},
			},
			{
				Name: jsii.String("production"), DeploymentGroup: production, Approval: approval,
				DeployRole: awsiam.Role_FromRoleArn(stack, jsii.String("DeployRole"), jsii.String(deployRoleArn), &awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)}),
				Check:      &smoketest.ActionOptions{URL: jsii.String("https://example.com/health")},
			},
		},
	})
	return cdktest.JSON(assertions.Template_FromStack(stack, nil)), p
}

func TestEnvironmentsStageOrder(t *testing.T) {
	tmpl, p := twoEnvironments(t)
	var order []string
	var bundleReaders []string
	stages := map[string]map[string]any{}
	for _, r := range cdktest.Resources(tmpl, "AWS::CodePipeline::Pipeline") {
		for _, s := range r["Properties"].(map[string]any)["Stages"].([]any) {
			stage := s.(map[string]any)
			stages[stage["Name"].(string)] = stage
			for _, a := range stage["Actions"].([]any) {
				action := a.(map[string]any)
				order = append(order, stage["Name"].(string)+"/"+action["Name"].(string))
				for _, in := range asSlice(action["InputArtifacts"]) {
					if in.(map[string]any)["Name"] == "Bundle" {
						bundleReaders = append(bundleReaders, stage["Name"].(string))
					}
				}
			}
		}
	}
	want := "Source/GitHub,Build/DockerBuild,Deploy-staging/Deploy,Deploy-staging/Check,Approve-production/Approve,Deploy-production/Deploy,Deploy-production/Check"
	if got := strings.Join(order, ","); got != want {
		t.Errorf("actions in order:\n got %s\nwant %s", got, want)
	}
	// One build output feeds both deployments.
	if got := strings.Join(bundleReaders, ","); got != "Deploy-staging,Deploy-production" {
		t.Errorf("readers of the build output: got %s, want both deploy stages", got)
	}
	// A failed check rolls the stage back; staging's alarm holds production's approval.
	for _, name := range []string{"Deploy-staging", "Deploy-production"} {
		if got := toJSON(stages[name]["OnFailure"]); got != `{"Result":"ROLLBACK"}` {
			t.Errorf("%s OnFailure: got %s, want a rollback", name, got)
		}
	}
	hold := toJSON(stages["Approve-production"]["BeforeEntry"])
	for _, w := range []string{`"Result":"FAIL"`, `"Provider":"CloudWatchAlarm"`, `"AlarmName":"web-staging-5xx"`, `"AlarmStates":"ALARM"`, `"Name":"production-alarm-1"`} {
		if !strings.Contains(hold, w) {
			t.Errorf("Approve-production BeforeEntry: want %s in %s", w, hold)
		}
	}
	if stages["Deploy-production"]["BeforeEntry"] != nil || stages["Deploy-staging"]["BeforeEntry"] != nil {
		t.Error("BeforeEntry: want the hold on the first stage of the next environment only")
	}
	// Production's deployment runs as the target account's deploy role.
	prodDeploy := stages["Deploy-production"]["Actions"].([]any)[0].(map[string]any)
	if got := prodDeploy["RoleArn"]; got != deployRoleArn {
		t.Errorf("production deploy RoleArn: got %v, want %s", got, deployRoleArn)
	}
	if p.CheckProject() == nil {
		t.Error("CheckProject: want the project created for the checks")
	}
	if n := len(cdktest.Resources(tmpl, "AWS::CodeBuild::Project")); n != 2 {
		t.Errorf("CodeBuild projects: got %d, want the build and one check project", n)
	}
}

// TestEnvironmentsCrossAccountKey: the artifact key's policy admits, from
// the target account, only its deploy role; the pipeline role may read the
// alarm of the entry condition.
func TestEnvironmentsCrossAccountKey(t *testing.T) {
	tmpl, _ := twoEnvironments(t)
	keys := cdktest.Resources(tmpl, "AWS::KMS::Key")
	var policy string
	for id, k := range keys {
		if strings.HasPrefix(id, "ArtifactKey") {
			policy = toJSON(k["Properties"].(map[string]any)["KeyPolicy"])
		}
	}
	if policy == "" {
		t.Fatal("no artifact key")
	}
	if !strings.Contains(policy, `"AWS":"`+deployRoleArn+`"`) {
		t.Errorf("key policy: want the deploy role %s as a principal:\n%s", deployRoleArn, policy)
	}
	if strings.Count(policy, targetAccount) != strings.Count(policy, deployRoleArn) {
		t.Errorf("key policy: want no principal of %s but the deploy role:\n%s", targetAccount, policy)
	}
	for _, b := range cdktest.Resources(tmpl, "AWS::S3::Bucket") {
		enc := toJSON(b["Properties"].(map[string]any)["BucketEncryption"])
		if strings.Contains(enc, "ArtifactKey") && !strings.Contains(enc, `"SSEAlgorithm":"aws:kms"`) {
			t.Errorf("artifact bucket: want SSE-KMS with the key, got %s", enc)
		}
	}
	policies := ""
	for _, p := range cdktest.Resources(tmpl, "AWS::IAM::Policy") {
		policies += toJSON(p)
	}
	if !strings.Contains(policies, `"Action":"cloudwatch:DescribeAlarms"`) || !strings.Contains(policies, ":alarm:web-staging-5xx") {
		t.Errorf("pipeline role: want cloudwatch:DescribeAlarms on the staging alarm")
	}
}

// TestEnvironmentsDeployRoleReadsBundles: the bucket policy lets the other
// account's deploy role read the bundle artifact's objects, not the whole
// bucket (the stock CodeDeploy action's grant), and its deploy action keeps
// the configuration CodeDeploy needs.
func TestEnvironmentsDeployRoleReadsBundles(t *testing.T) {
	tmpl, _ := twoEnvironments(t)
	var reads []string
	for _, bp := range cdktest.Resources(tmpl, "AWS::S3::BucketPolicy") {
		doc := bp["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, st := range asSlice(doc["Statement"]) {
			if strings.Contains(toJSON(st.(map[string]any)["Principal"]), deployRoleArn) {
				reads = append(reads, toJSON(st.(map[string]any)["Resource"]))
			}
		}
	}
	if len(reads) != 1 || !strings.Contains(reads[0], `"/*/Bundle/*"`) || strings.Contains(reads[0], `"/*"]`) {
		t.Errorf("bucket policy statements of the deploy role: got resources %v, want the bucket and its <pipeline>/Bundle/* objects only", reads)
	}
	for _, r := range cdktest.Resources(tmpl, "AWS::CodePipeline::Pipeline") {
		for _, s := range r["Properties"].(map[string]any)["Stages"].([]any) {
			stage := s.(map[string]any)
			if stage["Name"] != "Deploy-production" {
				continue
			}
			got := toJSON(stage["Actions"].([]any)[0].(map[string]any)["Configuration"])
			if want := `{"ApplicationName":"web","DeploymentGroupName":"web-production"}`; got != want {
				t.Errorf("Deploy-production configuration: got %s, want %s", got, want)
			}
		}
	}
}

func TestEnvironmentsValidation(t *testing.T) {
	stack := cdktest.NewStack()
	group := awscodedeploy.NewServerDeploymentGroup(stack, jsii.String("Group"), &awscodedeploy.ServerDeploymentGroupProps{
		Ec2InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings("web")}),
	})
	msg := cdktest.MustPanic(t, func() {
		releasepipeline.NewPipeline(stack, "Release", &releasepipeline.PipelineProps{
			Owner: jsii.String("acme"), Repo: jsii.String("web"),
			BuildProject:    awscodebuild.NewPipelineProject(stack, jsii.String("Build"), nil),
			DeploymentGroup: group,
			Environments: []*releasepipeline.Environment{
				{Name: jsii.String("staging"), DeploymentGroup: group},
				{Name: jsii.String("staging"), DeploymentGroup: group},
				{Name: jsii.String("prod uction")},
			},
		})
	})
	for _, w := range []string{
		"DeploymentGroup, Environments: got both",
		`Environments[1].Name: got "staging" twice`,
		`Environments[2].Name: got "prod uction", want 1-40 of letters, digits, '-' and '_'`,
		"Environments[2].DeploymentGroup: got nil",
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("want %q in: %s", w, msg)
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
