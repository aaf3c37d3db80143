package test

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// cfnLintIgnored are the cfn-lint findings accepted in the templates, each
// with the reason. Anything else (error, warning or informational) fails.
var cfnLintIgnored = []struct {
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

type cfnLintMatch struct {
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

// TestCfnLint runs the AWS CloudFormation linter on every variant's
// template, in one cfn-lint run.
func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not on PATH; CI must install it (pip install cfn-lint)")
		}
		t.Skip("cfn-lint is not on PATH: template lint skipped (pip install cfn-lint to run it)")
	}
	byFile := map[string]string{}
	var files []string
	for _, v := range stackVariants {
		r := synthVariant(t, v)
		byFile[r.file] = v.name
		files = append(files, r.file)
	}
	// Informational findings too; exit status 0, 2 (errors), 4 (warnings),
	// 8 (informational) or a sum: the JSON output is what counts.
	out, err := exec.Command(bin, append([]string{"--format", "json", "--info", "--"}, files...)...).Output()
	if err != nil {
		if _, exited := err.(*exec.ExitError); !exited {
			t.Fatalf("cfn-lint: %v", err)
		}
	}
	var matches []cfnLintMatch
	if err := json.Unmarshal(out, &matches); err != nil {
		t.Fatalf("cfn-lint output is not JSON: %v\n%s", err, out)
	}
	ignored := 0
	for _, m := range matches {
		skip := false
		for _, ig := range cfnLintIgnored {
			if m.Rule.ID == ig.rule && ig.message.MatchString(m.Message) {
				skip = true
			}
		}
		if skip {
			ignored++
			continue
		}
		t.Errorf("%s: cfn-lint %s %s at %v: %s", byFile[m.Filename], m.Level, m.Rule.ID, m.Location.Path, m.Message)
	}
	t.Logf("cfn-lint: %d templates, %d findings, %d of them ignored (see cfnLintIgnored)", len(files), len(matches), ignored)
}
