package flowchart_test

import (
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/shipline/shipline/tools/diagram/flowchart"
)

var update = flag.Bool("update", false, "rewrite testdata/pipeline.mmd")

func load(t *testing.T) *flowchart.Template {
	t.Helper()
	data, err := os.ReadFile("../testdata/pipeline.template.json")
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := flowchart.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestRenderFixture(t *testing.T) {
	got, err := flowchart.Render(load(t))
	if err != nil {
		t.Fatal(err)
	}
	const golden = "../testdata/pipeline.mmd"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("diagram differs from %s (run go test with -update to refresh it):\n%s", golden, got)
	}

	for _, s := range []string{
		`subgraph p1_s1 ["1. Source"]`, `subgraph p1_s4 ["4. Deploy"]`,
		"p1_s1 --> p1_s2 --> p1_s3 --> p1_s4",
		"CodeStarSourceConnection<br/>acme/web@${Branch}", // Fn::Join and Ref spelled out
		"Approve #quot;release#quot;",                     // quotes escaped
		"2 email subscriptions",                           // the sms one is not counted
		`r_Build ==>|"docker push"| r_Repo5678`,           // found through IMAGE_REPO_NAME
		"CodeDeployDefault.HalfAtATime",
		`p1 -.-|"artifacts"| r_Artifacts1234`,
		"(existing)",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("diagram lacks %q", s)
		}
	}
	// RunOrder 1 before RunOrder 2, whatever the template order.
	if strings.Index(got, "<b>Image</b>") > strings.Index(got, "<b>Zeta</b>") {
		t.Error("actions not in RunOrder")
	}
	// A resource used twice is declared once.
	if n := strings.Count(got, "r_Build(["); n != 1 {
		t.Errorf("r_Build declared %d times", n)
	}
}

func TestDeterministic(t *testing.T) {
	first, err := flowchart.Render(load(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		again, _ := flowchart.Render(load(t))
		if again != first {
			t.Fatal("two renders of the same template differ")
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := flowchart.Parse([]byte("not json")); err == nil {
		t.Error("Parse accepted non-JSON")
	}
	if _, err := flowchart.Parse([]byte(`{"Outputs":{}}`)); err == nil {
		t.Error("Parse accepted a template without Resources")
	}
	tpl, err := flowchart.Parse([]byte(`{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flowchart.Render(tpl); !errors.Is(err, flowchart.ErrNoPipeline) {
		t.Errorf("Render without a pipeline: %v", err)
	}
}

func TestOddShapes(t *testing.T) {
	// Stage names as tokens, GetAtt in string form, references to unknown ids,
	// and a connection created in the template.
	tpl, err := flowchart.Parse([]byte(`{"Resources":{
	  "Conn":{"Type":"AWS::CodeConnections::Connection"},
	  "P":{"Type":"AWS::CodePipeline::Pipeline","Properties":{"Stages":[
	    {"Name":{"Fn::Sub":"Src-${AWS::Region}"},"Actions":[{"Name":"S",
	      "ActionTypeId":{"Provider":"CodeStarSourceConnection"},
	      "Configuration":{"ConnectionArn":{"Fn::GetAtt":"Conn.ConnectionArn"},"Other":{"Ref":"Missing"}}}]},
	    {"Name":{"Fn::If":["c","a","b"]},"Actions":[]}]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := flowchart.Render(tpl)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`["1. Src-${AWS::Region}"]`, `["2. …"]`, "p1_s1_a1 -.- r_Conn", "CodeConnections connection"} {
		if !strings.Contains(got, s) {
			t.Errorf("diagram lacks %q:\n%s", s, got)
		}
	}
	if strings.Contains(got, "Missing") || strings.Contains(got, "(existing)") {
		t.Errorf("unexpected node:\n%s", got)
	}
}

// TestEnvironments: stages of environments in order, with what holds them
// and what a failure does; a deploy in another account reaches the
// deployment group of that account's stack, found by application and group
// name; every deploy takes the bundle of the one build.
func TestEnvironments(t *testing.T) {
	pipeline, err := flowchart.Load("../testdata/environments.template.json")
	if err != nil {
		t.Fatal(err)
	}
	target, err := flowchart.Load("../testdata/environments-target.template.json")
	if err != nil {
		t.Fatal(err)
	}
	target.Name = "PipelineStack-production"
	got, err := flowchart.Render(pipeline, target)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"p1_s1 --> p1_s2 --> p1_s3 --> p1_s4 --> p1_s5 --> p1_s6",
		`subgraph p1_s3 ["3. Deploy-staging<br/>on failure: roll back"]`,
		`subgraph p1_s4 ["4. Approve-production"]`, // FAIL is what a failure does anyway
		`subgraph p1_s5 ["5. Deploy-production<br/>on failure: retry"]`,
		`p1_s4_e1{{"<b>Before entry</b><br/>alarm web-staging-errors<br/>in ALARM: fail"}}`,
		`p1_s4_e2{{"<b>Before entry</b><br/>DeploymentWindow change-window<br/>not met: fail"}}`,
		`p1_s3_a2["<b>Check</b><br/>CodeBuild<br/>https://staging.example.com/health"]`,
		`p1_s5_a1["<b>Deploy</b><br/>CodeDeploy<br/>in account 222222222222"]`,
		// The staging group's rollback, alarms by name or by the alarm's AlarmName.
		"CodeDeployDefault.AllAtOnce<br/>rolls back on failure<br/>stops and rolls back on alarm: web-staging-errors, web-staging-5xx",
		// Production's group, in its own stack; an alarm without a name by its logical id.
		"p1_s5_a1 -.- r_PipelineStack_production_Group",
		"p1_s5_a1 -.- r_PipelineStack_production_App",
		"<br/>stack PipelineStack-production<br/>CodeDeployDefault.OneAtATime<br/>stops and rolls back on alarm: Errors5xx",
		// A group the app does not define, in another account and Region.
		`p1_s6_a1["<b>Deploy</b><br/>CodeDeploy<br/>in account 333333333333, region us-east-1"]`,
		"p1_s6_a1 -.- named_web_elsewhere",
		"web-elsewhere<br/>(not in this app)",
		// One build, every deploy.
		`p1_s2_a1 ==>|"Bundle"| p1_s3_a1`,
		`p1_s2_a1 ==>|"Bundle"| p1_s5_a1`,
		`p1_s2_a1 ==>|"Bundle"| p1_s6_a1`,
	} {
		if !strings.Contains(got, s) {
			t.Errorf("diagram lacks %q", s)
		}
	}
	for _, s := range []string{"AGroup", "AApp", `p1_s3_a2 ==>`, `p1_s1_a1 ==>`} {
		if strings.Contains(got, s) {
			t.Errorf("diagram has %q:\n%s", s, got)
		}
	}
	// The entry condition is drawn inside its stage, before the actions.
	stage := got[strings.Index(got, `subgraph p1_s4 `):]
	stage = stage[:strings.Index(stage, "end\n")]
	if !strings.Contains(stage, "p1_s4_e1") || strings.Index(stage, "p1_s4_e1") > strings.Index(stage, "p1_s4_a1") {
		t.Errorf("entry condition not first in its stage:\n%s", stage)
	}
	if t.Failed() {
		t.Logf("diagram:\n%s", got)
	}
	// Without the other stack, the group is one the app does not define.
	alone, err := flowchart.Render(pipeline)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(alone, "web-production<br/>(not in this app)") {
		t.Errorf("without the target stack:\n%s", alone)
	}
}
