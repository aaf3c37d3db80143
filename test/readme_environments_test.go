package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/internal/mdblock"
	"github.com/shipline/shipline/stacks"
	"github.com/shipline/shipline/tools/diagram/flowchart"
)

// readmeEnvironments is the settings of the README's two-environment
// example: the keys it adds to cdk.json's context.
func readmeEnvironments(t *testing.T) map[string]any {
	t.Helper()
	block, err := mdblock.EnvironmentsExample.Content(readReadme(t))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	body, ok := strings.CutPrefix(block, "```json\n")
	body, ok2 := strings.CutSuffix(body, "```\n")
	if !ok || !ok2 {
		t.Fatalf("README.md's environments example: want one ```json block of cdk.json context keys, got:\n%s", block)
	}
	var settings map[string]any
	if err := json.Unmarshal([]byte("{"+body+"}"), &settings); err != nil {
		t.Fatalf("README.md's environments example is not the keys of a JSON object: %v", err)
	}
	return settings
}

func readReadme(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(cdktest.ModuleRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestReadmeEnvironmentsExample: the README's two-environment cdk.json
// example, read as `cdk synth` reads cdk.json, synthesizes the very
// templates of the twoEnvironments variant, so every check of that variant
// (stage order, one build output, alarm rollback, key policy, cdk-nag,
// cfn-lint) holds for the configuration the README shows.
func TestReadmeEnvironmentsExample(t *testing.T) {
	variant := synthVariant(t, stackVariant{name: "twoEnvironments"})
	settings := readmeEnvironments(t)
	ctx := cdktest.CDKJSONContext()
	for k, v := range settings {
		ctx[k] = v
	}
	cfg, err := config.FromContext(ctx)
	if err != nil {
		t.Fatalf("README.md's environments example: %v", err)
	}
	if cfg.Account != testPipelineAccount || cfg.Region != "eu-west-1" {
		t.Fatalf("README.md's environments example: account %q, region %q; the variant's pipeline is in %s, eu-west-1", cfg.Account, cfg.Region, testPipelineAccount)
	}
	dir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(dir)})
	stacks.NewPipelineStack(app, "PipelineStack", &stacks.PipelineStackProps{
		StackProps: awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(cfg.Account), Region: jsii.String(cfg.Region)}},
		Config:     &cfg,
	})
	app.Synth(nil)

	got, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
	want, _ := filepath.Glob(filepath.Join(variant.dir, "*.template.json"))
	if fmt.Sprint(baseNames(got)) != fmt.Sprint(baseNames(want)) {
		t.Fatalf("README.md's environments example synthesizes %v, the twoEnvironments variant %v", baseNames(got), baseNames(want))
	}
	for i := range got {
		g, w := withoutMetadata(readJSON(got[i])), withoutMetadata(readJSON(want[i]))
		if d := firstDifference("", g, w); d != "" {
			t.Errorf("%s: README.md's environments example and twoEnvironments() (test/environments_test.go) differ at %s: keep them the same configuration",
				filepath.Base(got[i]), d)
		}
	}
}

func baseNames(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, filepath.Base(p))
	}
	return out
}

// withoutMetadata drops the resources' Metadata, where the variant's
// cdk-nag suppressions are recorded.
func withoutMetadata(tmpl map[string]any) map[string]any {
	res, _ := tmpl["Resources"].(map[string]any)
	for _, r := range res {
		delete(r.(map[string]any), "Metadata")
	}
	return tmpl
}

// TestReadmeEnvironmentsDiagram fails when the README's two-environment
// diagram is not the one the variant's templates draw. `make diagram` (or
// this test with -update) redraws it.
func TestReadmeEnvironmentsDiagram(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironments"})
	pipeline, err := flowchart.Load(r.file)
	if err != nil {
		t.Fatal(err)
	}
	var others []*flowchart.Template
	matches, _ := filepath.Glob(filepath.Join(r.dir, "PipelineStack-*.template.json"))
	for _, m := range matches {
		o, err := flowchart.Load(m)
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, o)
	}
	want, err := flowchart.Block(pipeline, others...)
	if err != nil {
		t.Fatal(err)
	}
	readme := readReadme(t)
	updated, err := mdblock.EnvironmentsDiagram.Replace(readme, want)
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if updated == readme {
		return
	}
	if *update {
		if err := os.WriteFile(filepath.Join(cdktest.ModuleRoot(), "README.md"), []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, _ := mdblock.EnvironmentsDiagram.Content(readme)
	t.Errorf("README.md's two-environment diagram is stale: run `make diagram`.\nwant:\n%s\ngot:\n%s", want, got)
}
