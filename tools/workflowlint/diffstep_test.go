package workflowlint_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// fakeAWS stands for the AWS CLI in the cdk-diff step: the diff role is of
// account 111111111111 and may read PipelineStack, in eu-west-1, and
// PipelineStack-dr in us-east-1 (when the assembly puts it in that account
// and Region); it may assume the role of PipelineStack-production, whose
// credentials read that stack only, in eu-west-1. A stack asked for in
// another Region does not exist there. Every call is logged, with the
// access key it ran with.
const fakeAWS = `#!/bin/bash
echo "${AWS_ACCESS_KEY_ID:-diff-role} $*" >>"$CALLS"
case "$1 $2" in
"sts get-caller-identity") echo 111111111111 ;;
"sts assume-role")
  if [ "$4" = arn:aws:iam::222222222222:role/myapp-production-diff ]; then
    printf 'AKIAREADER\tsecret\ttoken\n'
  else
    echo "An error occurred (AccessDenied) when calling the AssumeRole operation: not authorized to assume $4" >&2; exit 254
  fi ;;
"cloudformation get-template")
  region=$AWS_REGION
  [ "$5" = --region ] && region=$6
  case "$4 $region" in
  "PipelineStack eu-west-1"|"PipelineStack-production eu-west-1"|"PipelineStack-dr us-east-1") ;;
  *) echo "An error occurred (ValidationError) when calling the GetTemplate operation: Stack with id $4 does not exist" >&2; exit 254 ;;
  esac
  case "${AWS_ACCESS_KEY_ID:-diff-role} $4" in
  "diff-role PipelineStack"|"diff-role PipelineStack-dr"|"AKIAREADER PipelineStack-production") echo '{"Resources": {}}' ;;
  *) echo "An error occurred (AccessDenied) when calling the GetTemplate operation" >&2; exit 254 ;;
  esac ;;
*) echo "unexpected call: $*" >&2; exit 2 ;;
esac
`

// TestDiffStepReadsOtherAccounts runs the cdk-diff workflow's "Read the
// deployed templates" script against a cloud assembly of three stacks, with
// a fake AWS CLI: the pipeline's stack is read with the diff role's own
// credentials, a stack of another account through the role its output
// DiffReadRoleArn names, and a stack whose role cannot be assumed, or that
// has no such output, gets the reason in its .error file without failing
// the step.
func TestDiffStepReadsOtherAccounts(t *testing.T) {
	script := stepScript(t, "cdk-diff.yml", "Read the deployed templates")
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	diffcomment := filepath.Join(dir, "diffcomment")
	if out, err := exec.Command("go", "build", "-o", diffcomment, "../diffcomment").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	writeFile(t, filepath.Join(bin, "aws"), fakeAWS)
	// The step runs `go run ./tools/diffcomment ARGS`.
	writeFile(t, filepath.Join(bin, "go"), "#!/bin/bash\nshift 2\nexec "+diffcomment+" \"$@\"\n")

	for _, tc := range []struct {
		name, drRole, drError, drEnv string
	}{
		{name: "denied", drRole: "arn:aws:iam::333333333333:role/myapp-dr-diff", drError: "could not assume arn:aws:iam::333333333333:role/myapp-dr-diff"},
		{name: "no role", drError: "has no DiffReadRoleArn output"},
		// dr in the diff role's own account, in another Region.
		{name: "other region", drEnv: "aws://111111111111/us-east-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			assembly(t, filepath.Join(work, "cdk.out"), map[string]string{
				"PipelineStack-production": "arn:aws:iam::222222222222:role/myapp-production-diff",
				"PipelineStack-dr":         tc.drRole,
			})
			if tc.drEnv != "" {
				manifest := filepath.Join(work, "cdk.out", "manifest.json")
				writeFile(t, manifest, strings.Replace(readFile(t, manifest), "aws://333333333333/eu-west-1", tc.drEnv, 1))
			}
			calls, output := filepath.Join(work, "calls"), filepath.Join(work, "output")
			cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "CALLS="+calls, "GITHUB_OUTPUT="+output, "PR=7",
				"AWS_ACCESS_KEY_ID=", "AWS_REGION=eu-west-1")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the step failed: %v\n%s", err, out)
			}
			for _, name := range []string{"PipelineStack", "PipelineStack-production"} {
				if got := readFile(t, filepath.Join(work, "deployed", name+".json")); !strings.Contains(got, "Resources") {
					t.Errorf("deployed/%s.json: got %q, want its deployed template", name, got)
				}
			}
			if tc.drError == "" {
				if got := readFile(t, filepath.Join(work, "deployed", "PipelineStack-dr.json")); !strings.Contains(got, "Resources") {
					t.Errorf("deployed/PipelineStack-dr.json: got %q, want its deployed template, read in its Region", got)
				}
			} else if got := readFile(t, filepath.Join(work, "deployed", "PipelineStack-dr.error")); !strings.Contains(got, tc.drError) {
				t.Errorf("deployed/PipelineStack-dr.error: got %q, want %q", got, tc.drError)
			}
			log := readFile(t, calls)
			for _, want := range []string{
				"diff-role sts assume-role --role-arn arn:aws:iam::222222222222:role/myapp-production-diff --role-session-name cdk-diff-pr-7",
				"AKIAREADER cloudformation get-template --stack-name PipelineStack-production",
				"diff-role cloudformation get-template --stack-name PipelineStack ",
			} {
				if !strings.Contains(log, want) {
					t.Errorf("AWS calls: want %q in\n%s", want, log)
				}
			}
			if got := readFile(t, output); got != "failed=false\n" {
				t.Errorf("step output: got %q, want failed=false", got)
			}
		})
	}
}

// stepScript is the run: script of the step named name in workflow file.
func stepScript(t *testing.T, file, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(workflowDir, file))
	if err != nil {
		t.Fatal(err)
	}
	wf, errs := actionlint.Parse(data)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", file, errs)
	}
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			if run, ok := step.Exec.(*actionlint.ExecRun); ok && step.Name != nil && step.Name.Value == name {
				return run.Run.Value
			}
		}
	}
	t.Fatalf("%s: no run step named %q", file, name)
	return ""
}

// assembly writes a cloud assembly of the stacks of the diff comment's
// environments fixture, each stack of another account with the output
// DiffReadRoleArn given in roles (none for "").
func assembly(t *testing.T, dir string, roles map[string]string) {
	t.Helper()
	src := filepath.Join("..", "diffcomment", "testdata", "environments", "synthesized")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data := readFile(t, filepath.Join(src, e.Name()))
		stack := strings.TrimSuffix(e.Name(), ".template.json")
		if role := roles[stack]; role != "" {
			var tmpl map[string]any
			if err := json.Unmarshal([]byte(data), &tmpl); err != nil {
				t.Fatal(err)
			}
			outputs, _ := tmpl["Outputs"].(map[string]any)
			if outputs == nil {
				outputs = map[string]any{}
			}
			outputs["DiffReadRoleArn"] = map[string]any{"Value": role}
			tmpl["Outputs"] = outputs
			b, _ := json.Marshal(tmpl)
			data = string(b)
		}
		writeFile(t, filepath.Join(dir, e.Name()), data)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o755); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
