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
	stacksWithDiffs int
	changes         int
	warnings        map[diffreport.WarningKind]int
	summary         string
	notes           int
}

var cases = map[string]want{
	"no-change":      {stacksWithDiffs: 0, summary: "No differences"},
	"added-resource": {stacksWithDiffs: 1, changes: 1, summary: "1 to add"},
	"replaced-stateful": {stacksWithDiffs: 1, changes: 2, summary: "2 to replace",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnStateful: 2}},
	"iam-broadening": {stacksWithDiffs: 1, changes: 2,
		summary:  "2 to update, 2 IAM statement changes, 1 managed policy change",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnIAM: 1, diffreport.WarnWildcard: 2}},
	"iam-broadening-color": {stacksWithDiffs: 1, changes: 2,
		summary:  "2 to update, 2 IAM statement changes, 1 managed policy change",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnIAM: 1, diffreport.WarnWildcard: 2}},
	"deleted-bucket": {stacksWithDiffs: 1, changes: 4, summary: "1 to update, 3 to remove, 2 IAM statement changes",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnStateful: 2}},
	"renamed-construct": {stacksWithDiffs: 1, changes: 5,
		summary:  "2 to add, 1 to update, 2 to remove, 4 IAM statement changes",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnStateful: 1, diffreport.WarnIAM: 1}},
	"changeset-may-replace": {stacksWithDiffs: 1, changes: 3, summary: "1 to update, 2 to replace",
		warnings: map[diffreport.WarningKind]int{diffreport.WarnStateful: 2}},
	"fallback-template": {stacksWithDiffs: 1, changes: 1, summary: "1 to add", notes: 1},
	"error":             {stacksWithDiffs: -1, summary: "No differences"},
}

func TestRecordedOutputs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(cases) {
		t.Errorf("%d recordings in %s, %d cases in the test: add the new ones to cases", len(files), testdata, len(cases))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) {
			w, ok := cases[name]
			if !ok {
				t.Fatalf("no case for %s", file)
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := diffreport.Parse(strings.NewReader(string(raw)))
			if err != nil {
				t.Fatal(err)
			}
			if rep.StacksWithDifferences != w.stacksWithDiffs {
				t.Errorf("StacksWithDifferences = %d, want %d", rep.StacksWithDifferences, w.stacksWithDiffs)
			}
			n := 0
			for _, s := range rep.Stacks {
				n += len(s.Changes)
			}
			if n != w.changes {
				t.Errorf("%d resource changes, want %d", n, w.changes)
			}
			if got := rep.Summary(); got != w.summary {
				t.Errorf("Summary() = %q, want %q", got, w.summary)
			}
			if len(rep.Notes) != w.notes {
				t.Errorf("Notes = %q, want %d", rep.Notes, w.notes)
			}
			kinds := map[diffreport.WarningKind]int{}
			for _, wn := range rep.Warnings() {
				kinds[wn.Kind]++
			}
			for _, k := range []diffreport.WarningKind{diffreport.WarnStateful, diffreport.WarnIAM, diffreport.WarnWildcard} {
				if kinds[k] != w.warnings[k] {
					t.Errorf("%d %s warnings, want %d: %+v", kinds[k], k, w.warnings[k], rep.Warnings())
				}
			}

			var b strings.Builder
			opt := diffreport.Options{Method: "template", Commit: "0123abc"}
			if strings.HasPrefix(name, "changeset") {
				opt.Method = "change-set"
			}
			if name == "error" {
				opt.Failed = true
			}
			if err := diffreport.Render(&b, rep, string(raw), opt); err != nil {
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
				t.Fatalf("%v (run go test with -update to create it)", err)
			}
			if got != string(wantMD) {
				t.Errorf("comment differs from %s (run go test with -update to refresh it):\n%s", golden, got)
			}
		})
	}
}

// The colored recording must parse exactly like the plain one.
func TestColorMatchesPlain(t *testing.T) {
	parse := func(name string) *diffreport.Report {
		raw, err := os.ReadFile(filepath.Join(testdata, name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := diffreport.Parse(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	plain, color := parse("iam-broadening"), parse("iam-broadening-color")
	var a, b strings.Builder
	if err := diffreport.Render(&a, plain, "", diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := diffreport.Render(&b, color, "", diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("colored output renders differently:\n%s\n---\n%s", a.String(), b.String())
	}
}

func TestParseResourceLine(t *testing.T) {
	tests := []struct {
		line string
		want diffreport.Change
	}{
		{"[+] AWS::S3::Bucket Artifacts Artifacts82DD59A1",
			diffreport.Change{Op: diffreport.OpAdd, Type: "AWS::S3::Bucket", Path: "Artifacts", LogicalID: "Artifacts82DD59A1"}},
		{"[-] AWS::S3::Bucket ArtifactBucket7410C9EF destroy",
			diffreport.Change{Op: diffreport.OpRemove, Type: "AWS::S3::Bucket", LogicalID: "ArtifactBucket7410C9EF", Impact: diffreport.ImpactDestroy}},
		{"[~] AWS::ECR::Repository Repo Repo02AC86CF replace",
			diffreport.Change{Op: diffreport.OpUpdate, Type: "AWS::ECR::Repository", Path: "Repo", LogicalID: "Repo02AC86CF", Impact: diffreport.ImpactReplace}},
		{"[~] AWS::SNS::Topic Approval/Topic ApprovalTopicAB12 may be replaced",
			diffreport.Change{Op: diffreport.OpUpdate, Type: "AWS::SNS::Topic", Path: "Approval/Topic", LogicalID: "ApprovalTopicAB12", Impact: diffreport.ImpactMayReplace}},
		{"[-] AWS::Logs::LogGroup Logs1234 orphan (OR move to Other.Logs1234 via refactoring)",
			diffreport.Change{Op: diffreport.OpRemove, Type: "AWS::Logs::LogGroup", LogicalID: "Logs1234", Impact: diffreport.ImpactOrphan}},
		{"[←] AWS::S3::Bucket Old Old5678 import",
			diffreport.Change{Op: diffreport.OpImport, Type: "AWS::S3::Bucket", Path: "Old", LogicalID: "Old5678", Impact: diffreport.ImpactImportImpact}},
	}
	for _, tt := range tests {
		rep, err := diffreport.Parse(strings.NewReader("Stack S\nResources\n" + tt.line + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Stacks) != 1 || len(rep.Stacks[0].Changes) != 1 {
			t.Errorf("%q: parsed %+v", tt.line, rep.Stacks)
			continue
		}
		if got := rep.Stacks[0].Changes[0]; got != tt.want {
			t.Errorf("%q:\n got %+v\nwant %+v", tt.line, got, tt.want)
		}
	}
}

func TestWildcardPrincipalAndTwoStacks(t *testing.T) {
	out := `Stack One
IAM Statement Changes
┌───┬──────────┬────────┬───────────┬───────────┬───────────┐
│   │ Resource │ Effect │ Action    │ Principal │ Condition │
├───┼──────────┼────────┼───────────┼───────────┼───────────┤
│ + │ ${Topic} │ Allow  │ sns:Publish │ AWS:*   │           │
└───┴──────────┴────────┴───────────┴───────────┴───────────┘
Resources
[~] AWS::SNS::TopicPolicy Topic/Policy TopicPolicy1
Stack Two
There were no differences
`
	rep, err := diffreport.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	warns := rep.Warnings()
	if len(warns) != 2 || warns[0].Kind != diffreport.WarnWildcard || !strings.Contains(warns[0].Message, "principal") {
		t.Fatalf("warnings = %+v", warns)
	}
	var b strings.Builder
	if err := diffreport.Render(&b, rep, out, diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## cdk diff: `One`, `Two`", "> - `One`: Wildcard principal", "| Stack |", "> [!CAUTION]"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("comment lacks %q:\n%s", s, b.String())
		}
	}
}

func TestTruncatesLongOutput(t *testing.T) {
	raw := "Stack S\nResources\n" + strings.Repeat("[~] AWS::IAM::Policy P P1\n", 5000) +
		"\n✨  Number of stacks with differences: 1\n"
	rep, err := diffreport.Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := diffreport.Render(&b, rep, raw, diffreport.Options{MaxOutput: 1000}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Output truncated") {
		t.Error("no truncation note")
	}
}

func TestFenceLongerThanBackticks(t *testing.T) {
	raw := "Stack S\n```\nweird\n"
	rep, _ := diffreport.Parse(strings.NewReader(raw))
	var b strings.Builder
	if err := diffreport.Render(&b, rep, raw, diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "````text\n") {
		t.Errorf("fence not lengthened:\n%s", b.String())
	}
}

// A diff that stopped before any stack (no closing count) gets no summary line.
func TestIncompleteHasNoSummary(t *testing.T) {
	raw := "Unable to resolve AWS account to use.\n"
	rep, err := diffreport.Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := diffreport.Render(&b, rep, raw, diffreport.Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "**Summary:**") || !strings.Contains(b.String(), "[!CAUTION]") {
		t.Errorf("comment for an incomplete diff:\n%s", b.String())
	}
}
