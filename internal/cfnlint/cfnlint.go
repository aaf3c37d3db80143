// Package cfnlint runs the AWS CloudFormation linter (cfn-lint) on
// synthesized templates from tests and fails the test on every finding that
// is not an accepted one.
package cfnlint

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Ignored are the cfn-lint findings accepted in the templates, each with the
// reason. Anything else (error, warning or informational) fails.
var ignored = []struct {
	rule    string
	message *regexp.Regexp
	reason  string
}{
	{
		rule:    "W3005",
		message: regexp.MustCompile(`^'[A-Za-z0-9]*Role[0-9A-F]{8}' dependency already enforced by a 'GetAtt'`),
		reason: "the CDK's L2 constructs (the pipeline, custom resource providers) add an explicit DependsOn " +
			"on the role they also reference with GetAtt, so the role's policy exists before first use; redundant and harmless",
	},
}

type match struct {
	Rule struct {
		ID string `json:"Id"`
	} `json:"Rule"`
	Message  string `json:"Message"`
	Filename string `json:"Filename"`
	Level    string `json:"Level"`
	Location struct {
		Path []any `json:"Path"`
	} `json:"Location"`
}

// Lint runs cfn-lint once on the template files (path → name shown in a
// failure). Without cfn-lint on PATH it skips the test, or fails it when
// CI=true.
func Lint(t testing.TB, files map[string]string) {
	t.Helper()
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not on PATH; CI must install it (pip install cfn-lint)")
		}
		t.Skip("cfn-lint is not on PATH: template lint skipped (pip install cfn-lint to run it)")
	}
	args := []string{"--format", "json", "--info", "--"}
	for f := range files {
		args = append(args, f)
	}
	// Informational findings too; exit status 0, 2 (errors), 4 (warnings),
	// 8 (informational) or a sum: the JSON output is what counts.
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		if _, exited := err.(*exec.ExitError); !exited {
			t.Fatalf("cfn-lint: %v", err)
		}
	}
	var matches []match
	if err := json.Unmarshal(out, &matches); err != nil {
		t.Fatalf("cfn-lint output is not JSON: %v\n%s", err, out)
	}
	skipped := 0
	for _, m := range matches {
		if accepted(m) {
			skipped++
			continue
		}
		t.Errorf("%s: cfn-lint %s %s at %v: %s", files[m.Filename], m.Level, m.Rule.ID, m.Location.Path, m.Message)
	}
	t.Logf("cfn-lint: %d templates, %d findings, %d of them accepted (see cfnlint.ignored)", len(files), len(matches), skipped)
}

func accepted(m match) bool {
	for _, ig := range ignored {
		if m.Rule.ID == ig.rule && ig.message.MatchString(m.Message) {
			return true
		}
	}
	return false
}

// LintStack synthesizes the app of stack and lints the stack's template.
func LintStack(t testing.TB, stack awscdk.Stack) {
	t.Helper()
	asm := awscdk.Stage_Of(stack).Synth(nil)
	file := *asm.GetStackArtifact(stack.ArtifactId()).TemplateFullPath()
	Lint(t, map[string]string{file: *stack.StackName()})
}
