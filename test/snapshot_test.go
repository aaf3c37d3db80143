package test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/")

// goldenPath is the default stack's template; tools/diagram renders the
// README's picture from it.
var goldenPath = filepath.Join("testdata", "PipelineStack.golden.json")

// reAssetHash matches content hashes of assets, which change with every
// edit of the bundle and say nothing about the stack's shape.
var reAssetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// TestSnapshot compares the default stack (cdk.json's context) with the
// golden template. Run `go test ./test -run TestSnapshot -update` after an
// intended change and review the diff.
func TestSnapshot(t *testing.T) {
	ctx := cdktest.CDKJSONContext()
	cfg, err := config.FromContext(ctx)
	if err != nil {
		t.Fatalf("cdk.json context: %v", err)
	}
	app := cdktest.NewApp(nil)
	stack := stacks.NewPipelineStack(app, "PipelineStack", &stacks.PipelineStackProps{Config: &cfg})
	got := normalize(t, cdktest.JSON(assertions.Template_FromStack(stack, nil)))

	if *update {
		if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		var g, w any
		_ = json.Unmarshal(got, &g)
		_ = json.Unmarshal(want, &w)
		t.Errorf("template differs from %s at %s\nrun `go test ./test -run TestSnapshot -update` if the change is intended, and review the diff",
			goldenPath, firstDifference("", g, w))
	}
}

func normalize(t *testing.T, tmpl map[string]any) []byte {
	t.Helper()
	raw, err := json.MarshalIndent(tmpl, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(reAssetHash.ReplaceAll(raw, []byte("<asset-hash>")), '\n')
}

// firstDifference names the first JSON path where got and want differ.
func firstDifference(path string, got, want any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path + " (type)"
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				return path + "/" + k + " (missing)"
			}
		}
		for k, gv := range g {
			wv, ok := w[k]
			if !ok {
				return path + "/" + k + " (added)"
			}
			if d := firstDifference(path+"/"+k, gv, wv); d != "" {
				return d
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path + " (list length)"
		}
		for i := range w {
			if d := firstDifference(path+"/"+string(rune('0'+i%10)), g[i], w[i]); d != "" {
				return d
			}
		}
	default:
		if gj, wj := mustJSON(got), mustJSON(want); gj != wj {
			return path + ": got " + gj + ", want " + wj
		}
	}
	return ""
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
