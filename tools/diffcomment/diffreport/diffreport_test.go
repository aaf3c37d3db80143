package diffreport_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shipline/shipline/tools/diffcomment/diffreport"
)

var update = flag.Bool("update", false, "rewrite the golden comments in testdata/golden")

const testdata = "../testdata"

type want struct {
	summary  string
	warnings map[diffreport.WarningKind]int
	// deletable are logical id prefixes of the resources whose data must be
	// reported deletable, each with the phrases its warning must hold.
	deletable map[string][]string
}

var cases = map[string]want{
	"no-change":      {summary: "No differences"},
	"added-resource": {summary: "1 to add"},
	"replaced-stateful": {summary: "2 to replace",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnStateful: 2}},
	"iam-broadening": {summary: "2 to update, 2 IAM statement changes, 1 managed policy change",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnIAM: 1, diffreport.WarnWildcard: 2}},
	"deleted-bucket": {summary: "1 to update, 3 to remove, 2 IAM statement changes",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnStateful: 2}},
	"renamed-construct": {summary: "2 to add, 1 to update, 2 to remove, 4 IAM statement changes",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnStateful: 1, diffreport.WarnIAM: 1}},
	"shorter-retention": {summary: "1 to update",
		warnings:  map[diffreport.WarningKind]int{diffreport.WarnData: 1},
		deletable: map[string][]string{"DeployLogs": {"RetentionInDays 30 → 7", "older than 7 days are deleted"}}},
	"repository-deletable": {summary: "1 to update",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnData: 1},
		deletable: map[string][]string{"Repo": {"DeletionPolicy Retain → Delete", "UpdateReplacePolicy Retain → Delete",
			"EmptyOnDelete on", "its images"}}},
	// shipline's own stack, default against -c removalPolicy=destroy: the
	// repository, both buckets, the build and the app log groups lose their Retain.
	"removal-destroy": {summary: "4 to add, 7 to update, 3 IAM statement changes, 1 managed policy change",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnData: 5, diffreport.WarnIAM: 2},
		deletable: map[string][]string{
			"AppLogs":                        {"DeletionPolicy Retain → Delete", "its log events"},
			"ImageRepository":                {"DeletionPolicy Retain → Delete", "its images", "EmptyOnDelete on"},
			"ReleasePipelineArtifactBucket":  {"DeletionPolicy Retain → Delete", "its objects", "Custom::S3AutoDeleteObjects"},
			"ReleasePipelineAccessLogBucket": {"DeletionPolicy Retain → Delete", "its objects", "Custom::S3AutoDeleteObjects"},
			"DockerBuildLogs":                {"DeletionPolicy Retain → Delete", "its log events"},
		}},
	// Nothing deployed: everything is added, and the added permissions are
	// still worth a look.
	"not-deployed": {warnings: map[diffreport.WarningKind]int{diffreport.WarnIAM: 2, diffreport.WarnWildcard: 2}},
}

func compare(t *testing.T, name string) *diffreport.Report {
	t.Helper()
	dir := filepath.Join(testdata, name)
	rep, err := diffreport.Compare("PipelineStack", filepath.Join(dir, "deployed.json"), filepath.Join(dir, "synthesized.json"), diffreport.CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestRecordedTemplates(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(testdata, "*", "synthesized.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != len(cases) {
		t.Errorf("%d template pairs in %s, %d cases in the test: add the new ones to cases", len(dirs), testdata, len(cases))
	}
	for _, file := range dirs {
		name := filepath.Base(filepath.Dir(file))
		t.Run(name, func(t *testing.T) {
			w, ok := cases[name]
			if !ok {
				t.Fatalf("no case for %s", name)
			}
			rep := compare(t, name)
			if w.summary != "" {
				if got := rep.Summary(); got != w.summary {
					t.Errorf("Summary() = %q, want %q", got, w.summary)
				}
			}
			kinds := map[diffreport.WarningKind]int{}
			for _, wn := range rep.Warnings() {
				kinds[wn.Kind]++
			}
			for _, k := range []diffreport.WarningKind{diffreport.WarnStateful, diffreport.WarnData, diffreport.WarnIAM, diffreport.WarnWildcard} {
				if kinds[k] != w.warnings[k] {
					t.Errorf("%d %s warnings, want %d: %+v", kinds[k], k, w.warnings[k], rep.Warnings())
				}
			}
			checkDeletable(t, rep, w.deletable)
			if rep.NotDeployed != (name == "not-deployed") {
				t.Errorf("NotDeployed = %v", rep.NotDeployed)
			}

			var b strings.Builder
			if err := diffreport.Render(&b, rep, diffreport.Options{Commit: "0123abc"}); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			if !strings.HasPrefix(got, diffreport.Marker+"\n") {
				t.Errorf("comment does not start with the marker %q", diffreport.Marker)
			}
			if strings.Contains(got, "\x1b[") {
				t.Error("comment contains ANSI escape sequences")
			}
			if (len(rep.Warnings()) > 0) != strings.Contains(got, "> [!WARNING]") {
				t.Error("WARNING section present iff there are warnings")
			}
			for _, d := range rep.Deletable {
				if !strings.Contains(got, "`"+d.Name()+"` becomes **deletable**") {
					t.Errorf("the comment does not say %s becomes deletable", d.Name())
				}
			}
			checkGolden(t, name, got)
		})
	}
}

// checkDeletable: exactly the expected resources are reported, each with
// the expected phrases.
func checkDeletable(t *testing.T, rep *diffreport.Report, want map[string][]string) {
	t.Helper()
	found := map[string]bool{}
	for _, d := range rep.Deletable {
		prefix := ""
		for p := range want {
			if strings.HasPrefix(d.LogicalID, p) && len(p) > len(prefix) {
				prefix = p
			}
		}
		if prefix == "" {
			t.Errorf("unexpected deletable resource %s: %q", d.LogicalID, d.Reasons)
			continue
		}
		found[prefix] = true
		reasons := strings.Join(d.Reasons, "; ")
		for _, phrase := range want[prefix] {
			if !strings.Contains(reasons, phrase) {
				t.Errorf("%s: reasons %q lack %q", d.LogicalID, reasons, phrase)
			}
		}
	}
	for p := range want {
		if !found[p] {
			t.Errorf("%s* is not reported deletable", p)
		}
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join(testdata, "golden", name+".md")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wantMD, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run `make diff-fixtures` to create it)", err)
	}
	if got != string(wantMD) {
		t.Errorf("comment differs from %s (run `make diff-fixtures` to refresh it, and review the diff):\n%s", golden, got)
	}
}
