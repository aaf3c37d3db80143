package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shipline/shipline/constructs/crossaccount"
	"github.com/shipline/shipline/internal/ops"
)

// Variant otherRegions: the pipeline in eu-west-1 (testPipelineAccount),
// dr in its account in testDRRegion, production in testTargetAccount and
// testProdRegion.

// TestOtherRegionsDeployActions: each deploy action runs in its
// environment's Region, from the artifact store of that Region, which holds
// the one build output; production's store is encrypted by its replica's
// key, named by alias.
func TestOtherRegionsDeployActions(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "otherRegions"})
	pipeline := resourcesOf(r.tmpl, "AWS::CodePipeline::Pipeline")[0].props()
	regions := map[string]any{}
	for _, s := range pipeline["Stages"].([]any) {
		stage := s.(map[string]any)
		for _, a := range stage["Actions"].([]any) {
			action := a.(map[string]any)
			if action["Name"] == "Deploy" {
				regions[stage["Name"].(string)] = action["Region"]
				if in := fullJSON(action["InputArtifacts"]); in != `[{"Name":"Bundle"}]` {
					t.Errorf("%s: input %s, want the one build output", stage["Name"], in)
				}
			}
		}
	}
	want := map[string]any{"Deploy-staging": nil, "Deploy-dr": testDRRegion, "Deploy-production": testProdRegion}
	for stage, region := range want {
		if regions[stage] != region {
			t.Errorf("%s runs in %v, want %v", stage, regions[stage], region)
		}
	}

	stores := map[string]map[string]any{}
	for _, s := range pipeline["ArtifactStores"].([]any) {
		s := s.(map[string]any)
		stores[s["Region"].(string)] = s["ArtifactStore"].(map[string]any)
	}
	if len(stores) != 3 || stores["eu-west-1"] == nil {
		t.Fatalf("artifact stores: got %s, want eu-west-1's and one per other Region", fullJSON(pipeline["ArtifactStores"]))
	}
	for _, region := range []string{testDRRegion, testProdRegion} {
		replica := templateOf(t, r, "PipelineStack-Artifacts-"+region)
		if got, want := stores[region]["Location"], replicaBucketName(t, replica); got != want {
			t.Errorf("%s store: bucket %v, want the replica's %s", region, got, want)
		}
	}
	// dr is in this account: S3-managed encryption, as the pipeline's own
	// store. Production reads with another account's roles: the key.
	if k := stores[testDRRegion]["EncryptionKey"]; k != nil {
		t.Errorf("%s store: key %s, want none", testDRRegion, fullJSON(k))
	}
	alias := "arn:aws:kms:" + testProdRegion + ":" + testPipelineAccount + ":alias/PipelineStack-artifacts"
	if got := fullJSON(stores[testProdRegion]["EncryptionKey"]); got != `{"Id":"`+alias+`","Type":"KMS"}` {
		t.Errorf("%s store: key %s, want the replica's alias %s", testProdRegion, got, alias)
	}
	replica := templateOf(t, r, "PipelineStack-Artifacts-"+testProdRegion)
	if len(resourcesOf(replica, "AWS::KMS::Alias")) != 1 || resourcesOf(replica, "AWS::KMS::Alias")[0].props()["AliasName"] != "alias/PipelineStack-artifacts" {
		t.Errorf("%s replica: want the key's alias alias/PipelineStack-artifacts", testProdRegion)
	}
}

// replicaBucketName is the physical name of a replica stack's artifact
// bucket (not its access log bucket).
func replicaBucketName(t *testing.T, tmpl map[string]any) any {
	t.Helper()
	return resourcesByID(tmpl)[replicaBucketID(t, tmpl)].props()["BucketName"]
}

// replicaBucketID is the logical id of a replica stack's artifact bucket.
func replicaBucketID(t *testing.T, tmpl map[string]any) string {
	t.Helper()
	for _, b := range resourcesOf(tmpl, "AWS::S3::Bucket") {
		if strings.HasPrefix(b.ID, "ArtifactsArtifactBucket") {
			return b.ID
		}
	}
	t.Fatal("no artifact bucket in the replica's template")
	return ""
}

// TestOtherRegionsReplicaPolicies: the replica of production's Region
// admits, from production's account, only its deploy and host roles, to the
// deploy bundles only; the pipeline's role uses that replica's key by its
// alias, never every key.
func TestOtherRegionsReplicaPolicies(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "otherRegions"})
	roles := []string{
		crossaccount.RoleArn(testTargetAccount, "myapp-production-deploy"),
		crossaccount.RoleArn(testTargetAccount, "myapp-production-host"),
	}
	replica := templateOf(t, r, "PipelineStack-Artifacts-"+testProdRegion)
	admitted := map[string][]string{} // source -> principals of the target account
	for _, st := range policyStatements(replica) {
		if st.Identity {
			continue
		}
		for _, p := range principalsOf(st.Body["Principal"]) {
			if !strings.Contains(p, testTargetAccount) {
				continue
			}
			if !slices.Contains(roles, p) {
				t.Errorf("%s admits %s, want only %v from account %s", st.Source, p, roles, testTargetAccount)
			}
			admitted[typeOf(replica, st.Source)] = append(admitted[typeOf(replica, st.Source)], p)
			if typeOf(replica, st.Source) == "AWS::S3::BucketPolicy" {
				for _, res := range st.list("Resource") {
					if s := fullJSON(res); strings.Contains(s, "/") && !strings.HasSuffix(s, `"/*/Bundle/*"]]}`) {
						t.Errorf("bucket policy: %s may read %s, want the deploy bundles (*/Bundle/*) only", p, s)
					}
				}
			}
		}
	}
	for _, typ := range []string{"AWS::S3::BucketPolicy", "AWS::KMS::Key"} {
		for _, role := range roles {
			if !slices.Contains(admitted[typ], role) {
				t.Errorf("%s of the %s replica: want %s admitted", typ, testProdRegion, role)
			}
		}
	}
	if dr := templateOf(t, r, "PipelineStack-Artifacts-"+testDRRegion); len(resourcesOf(dr, "AWS::KMS::Key")) != 0 {
		t.Errorf("%s replica: a key, want S3-managed encryption for an environment of this account", testDRRegion)
	}

	replicaKeyUse := false
	for _, st := range policyStatements(r.tmpl) {
		if !st.Identity || !slices.ContainsFunc(st.Actions(), func(a string) bool { return strings.HasPrefix(a, "kms:") }) {
			continue
		}
		res, aliased := fullJSON(st.Body["Resource"]), strings.Contains(fullJSON(st.Body["Condition"]), `"kms:ResourceAliases":"alias/PipelineStack-artifacts"`)
		switch {
		case res == `"*"`:
			t.Errorf("%s: KMS actions %v on every key", st.Source, st.Actions())
		case strings.Contains(res, ":key/*") && !aliased:
			t.Errorf("%s: KMS actions on %s without the replica's alias condition", st.Source, res)
		case res == `"arn:aws:kms:`+testProdRegion+`:`+testPipelineAccount+`:key/*"` && strings.HasPrefix(st.Source, "ReleasePipelineRole") &&
			slices.Contains(st.Actions(), "kms:GenerateDataKey*") && slices.Contains(st.Actions(), "kms:Decrypt"):
			replicaKeyUse = true
		}
	}
	if !replicaKeyUse {
		t.Errorf("the pipeline's role may not encrypt and decrypt with the %s replica's key", testProdRegion)
	}
}

// principalsOf lists the AWS principals of a policy statement.
func principalsOf(p any) []string {
	m, _ := p.(map[string]any)
	switch v := m["AWS"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// TestOtherRegionsTargetStacks: dr and production each get a stack in their
// account and Region, whose hosts read their settings and write their logs
// there, pull the image from the pipeline's Region and forward their events
// to the pipeline's bus; the build tells each group's hosts their Region.
func TestOtherRegionsTargetStacks(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "otherRegions"})
	manifest := readJSON(filepath.Join(r.dir, "manifest.json"))["artifacts"].(map[string]any)
	for name, env := range map[string]string{
		"PipelineStack-dr":         "aws://" + testPipelineAccount + "/" + testDRRegion,
		"PipelineStack-production": "aws://" + testTargetAccount + "/" + testProdRegion,
	} {
		if got := manifest[name].(map[string]any)["environment"]; got != env {
			t.Errorf("%s deploys to %v, want %s", name, got, env)
		}
	}
	for _, c := range []struct {
		stack, region string
	}{{"PipelineStack-dr", testDRRegion}, {"PipelineStack-production", testProdRegion}} {
		tmpl := templateOf(t, r, c.stack)
		policies := fullJSON(policyStatementsOf(tmpl))
		for _, want := range []string{
			"arn:aws:ecr:eu-west-1:" + testPipelineAccount + ":repository/*",
			"arn:aws:events:eu-west-1:" + testPipelineAccount + ":event-bus/default",
			":ssm:" + c.region + ":",
		} {
			if !strings.Contains(policies, want) {
				t.Errorf("%s: no statement on %s", c.stack, want)
			}
		}
	}

	var regions string
	for _, p := range resourcesOf(r.tmpl, "AWS::CodeBuild::Project") {
		env, _ := p.props()["Environment"].(map[string]any)
		vars, _ := env["EnvironmentVariables"].([]any)
		for _, v := range vars {
			if v := v.(map[string]any); v["Name"] == "REGIONS" {
				regions = fullJSON(v["Value"])
			}
		}
	}
	for _, pair := range []string{"myapp-dr=" + testDRRegion, "myapp-production=" + testProdRegion, `"eu-west-1"`} {
		if !strings.Contains(regions, pair) {
			t.Errorf("build variable REGIONS = %s, want %s in it", regions, pair)
		}
	}
	outputs := r.tmpl["Outputs"].(map[string]any)
	for key, want := range map[string]string{"DeployRegionDr": testDRRegion, "DeployRegionProduction": testProdRegion} {
		if got := fullJSON(outputs[key]); !strings.Contains(got, `"Value":"`+want+`"`) {
			t.Errorf("output %s = %s, want %s", key, got, want)
		}
	}
	if _, ok := outputs["DeployRegionStaging"]; ok {
		t.Error("output DeployRegionStaging: want none for an environment in the pipeline's Region")
	}
	// The shipline command reads them as it reads a deployed stack's.
	var outs []ops.Output
	for key, o := range outputs {
		o := o.(map[string]any)
		value, _ := o["Value"].(string)
		desc, _ := o["Description"].(string)
		outs = append(outs, ops.Output{Key: key, Value: value, Description: desc})
	}
	got := map[string]string{}
	for _, e := range ops.EnvironmentsOf(outs) {
		got[e.Name] = e.Account + "/" + e.Region + "/" + e.HostProfile
	}
	for name, want := range map[string]string{
		"staging":    "//",
		"dr":         "/" + testDRRegion + "/myapp-dr-host",
		"production": testTargetAccount + "/" + testProdRegion + "/myapp-production-host",
	} {
		if got[name] != want {
			t.Errorf("shipline reads %s as account/region/host profile %q, want %q", name, got[name], want)
		}
	}
}

// TestOtherRegionsDeployOrder: `cdk deploy --all` deploys the target
// stacks, then the replicas (production's names production's roles), then
// the pipeline's stack.
func TestOtherRegionsDeployOrder(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "otherRegions"})
	raw, err := os.ReadFile(filepath.Join(r.dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Artifacts map[string]struct{ Dependencies []string } `json:"artifacts"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	for stack, deps := range map[string][]string{
		"PipelineStack": {"PipelineStack-dr", "PipelineStack-production", "PipelineStack-Artifacts-" + testDRRegion, "PipelineStack-Artifacts-" + testProdRegion},
		"PipelineStack-Artifacts-" + testProdRegion: {"PipelineStack-production"},
	} {
		for _, d := range deps {
			if !slices.Contains(manifest.Artifacts[stack].Dependencies, d) {
				t.Errorf("%s: depends on %v, want %s among them", stack, manifest.Artifacts[stack].Dependencies, d)
			}
		}
	}
}

// policyStatementsOf are the bodies of a template's identity statements.
func policyStatementsOf(tmpl map[string]any) []map[string]any {
	var out []map[string]any
	for _, st := range policyStatements(tmpl) {
		if st.Identity {
			out = append(out, st.Body)
		}
	}
	return out
}

// TestOtherRegionsEventsReceived: the pipeline's stack takes the forwarded
// alarm and deployment events of dr and production from their own Regions
// (alarm ARNs there), and keeps their mirrors apart by Region.
func TestOtherRegionsEventsReceived(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "otherRegions"})
	seen := map[string]bool{}
	for _, rule := range resourcesOf(r.tmpl, "AWS::Events::Rule") {
		pattern := fullJSON(rule.props()["EventPattern"])
		for _, c := range []struct{ env, region string }{{"dr", testDRRegion}, {"production", testProdRegion}} {
			if !strings.HasPrefix(rule.ID, "Environment"+c.env+"Events") {
				continue
			}
			seen[c.env] = true
			if !strings.Contains(pattern, `"region":["`+c.region+`"]`) {
				t.Errorf("%s: pattern %s, want events of %s only", rule.ID, pattern, c.region)
			}
			if strings.Contains(pattern, "cloudwatch") && (!strings.Contains(pattern, ":cloudwatch:"+c.region+":") || strings.Contains(pattern, ":cloudwatch:eu-west-1:")) {
				t.Errorf("%s: pattern %s, want the alarm ARNs of %s", rule.ID, pattern, c.region)
			}
		}
	}
	if !seen["dr"] || !seen["production"] {
		t.Fatalf("rules for dr and production: got %v", seen)
	}
	var mirrors int
	for _, a := range resourcesOf(r.tmpl, "AWS::CloudWatch::Alarm") {
		if dims := fullJSON(a.props()["Dimensions"]); strings.Contains(dims, `"AlarmName","Value":"myapp-dr-errors"`) {
			mirrors++
			if !strings.Contains(dims, `{"Name":"Region","Value":"`+testDRRegion+`"}`) {
				t.Errorf("dr's mirror: dimensions %s, want its Region", dims)
			}
		}
	}
	if mirrors != 1 {
		t.Errorf("mirrors of myapp-dr-errors: got %d, want 1", mirrors)
	}
}
