package test

import (
	"strings"
	"testing"

	"github.com/shipline/shipline/tools/diffcomment/diffreport"
)

// TestDiffCommentRemovalDestroy: the pull-request comment for
// `-c removalPolicy=destroy` against the default stack warns that every
// resource the default keeps (the image repository, the buckets, the log
// groups) becomes deletable.
func TestDiffCommentRemovalDestroy(t *testing.T) {
	var deployed, synthesized *synthResult
	for _, v := range stackVariants {
		switch v.name {
		case "default":
			deployed = synthVariant(t, v)
		case "removalDestroy":
			synthesized = synthVariant(t, v)
		}
	}
	rep, err := diffreport.Compare("PipelineStack", deployed.file, synthesized.file, diffreport.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := diffreport.Render(&b, rep, diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	comment := b.String()

	reported := map[string]diffreport.DataChange{}
	for _, d := range rep.Deletable {
		reported[d.LogicalID] = d
	}
	kept := map[string]int{}
	for _, typ := range []string{"AWS::ECR::Repository", "AWS::S3::Bucket", "AWS::Logs::LogGroup"} {
		for _, r := range resourcesOf(deployed.tmpl, typ) {
			if r.Body["DeletionPolicy"] != "Retain" {
				continue
			}
			kept[typ]++
			d, ok := reported[r.ID]
			if !ok {
				t.Errorf("%s %s is kept by default and deletable with removalPolicy=destroy, but the comment does not warn", typ, r.ID)
				continue
			}
			if !strings.Contains(strings.Join(d.Reasons, "; "), "DeletionPolicy Retain → Delete") {
				t.Errorf("%s: reasons %q do not name the DeletionPolicy change", r.ID, d.Reasons)
			}
			if !strings.Contains(comment, "`"+d.Name()+"` becomes **deletable**") {
				t.Errorf("the comment's warnings do not name %s", d.Name())
			}
		}
	}
	// The repository, the artifact bucket and its access log bucket, the
	// build log group: if the stack keeps fewer, this test checks less.
	if kept["AWS::ECR::Repository"] < 1 || kept["AWS::S3::Bucket"] < 2 || kept["AWS::Logs::LogGroup"] < 1 {
		t.Errorf("the default stack keeps %v; want at least the repository, two buckets and a log group", kept)
	}
	if !strings.Contains(comment, "> [!WARNING]") {
		t.Errorf("no WARNING section:\n%s", comment)
	}
}
