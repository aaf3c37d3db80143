// Package cdktest gives tests a CDK app with the project's feature flags:
// without them, unit tests synthesize with older defaults than `cdk synth`.
package cdktest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/shipline/shipline/internal/modroot"
)

// FeatureFlags reads the feature flags ("@aws-cdk/..." and "@aws-cdk-containers/...")
// from the cdk.json at the module root.
func FeatureFlags() map[string]any {
	ctx := CDKJSONContext()
	flags := map[string]any{}
	for k, v := range ctx {
		if strings.HasPrefix(k, "@aws-cdk") {
			flags[k] = v
		}
	}
	return flags
}

// CDKJSONContext is the whole "context" object of the module's cdk.json.
func CDKJSONContext() map[string]any {
	path := filepath.Join(ModuleRoot(), "cdk.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		panic(fmt.Sprintf("cdktest: %v", err))
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(fmt.Sprintf("cdktest: %s: %v", path, err))
	}
	return doc.Context
}

// ModuleRoot is the directory holding go.mod, found from the working directory up.
func ModuleRoot() string {
	root, err := modroot.Find()
	if err != nil {
		panic("cdktest: " + err.Error())
	}
	return root
}

// NewApp is an app with the project's feature flags plus extra context.
// aws-cdk-lib's built-in CloudFormation validation is off: it costs about a
// second and a half on the first synth of every test binary, and the
// stack-level tests in test/ run it on every stack variant (ValidatingApp).
func NewApp(extra map[string]any) awscdk.App {
	return newApp(extra, false)
}

// ValidatingApp is NewApp with the built-in CloudFormation validation on, as
// `cdk synth` runs it.
func ValidatingApp(extra map[string]any) awscdk.App {
	return newApp(extra, true)
}

func newApp(extra map[string]any, validate bool) awscdk.App {
	ctx := FeatureFlags()
	for k, v := range extra {
		ctx[k] = v
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx, BuiltinCloudFormationValidation: jsii.Bool(validate)})
}

// NewStack is a stack in a fresh app with the project's feature flags.
func NewStack() awscdk.Stack {
	return awscdk.NewStack(NewApp(nil), jsii.String("TestStack"), nil)
}

// JSON is the synthesized template as plain Go values, for checks that the
// assertions package cannot express.
func JSON(t assertions.Template) map[string]any {
	return *t.ToJSON()
}

// Resources lists the template's resources of one type, by logical id.
func Resources(tmpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	res, _ := tmpl["Resources"].(map[string]any)
	for id, r := range res {
		rm, _ := r.(map[string]any)
		if rm["Type"] == typ {
			out[id] = rm
		}
	}
	return out
}

// PanicMessage runs f and returns what it panicked with, or "" when it
// returned: constructs report invalid props by panicking.
func PanicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// MustPanic is PanicMessage that fails the test when f does not panic.
func MustPanic(t testing.TB, f func()) string {
	t.Helper()
	msg := PanicMessage(f)
	if msg == "" {
		t.Fatal("want a panic, got none")
	}
	return msg
}

// SynthFailure runs build, which adds constructs to stack, then synthesizes
// the stack's app, and returns the message of the panic either raised, or ""
// when both succeeded. Constructs report invalid props through the synth's
// validation ("[path] Prop: got ..., want ..."), or at once when they cannot
// be built.
func SynthFailure(stack awscdk.Stack, build func()) string {
	return PanicMessage(func() {
		build()
		awscdk.Stage_Of(stack).Synth(nil)
	})
}

// MustFailSynth is SynthFailure that fails the test when nothing failed.
func MustFailSynth(t testing.TB, stack awscdk.Stack, build func()) string {
	t.Helper()
	msg := SynthFailure(stack, build)
	if msg == "" {
		t.Fatal("want the synth to fail, it succeeded")
	}
	return msg
}
