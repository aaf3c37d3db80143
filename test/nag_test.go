package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// TestNagAwsSolutions: cdk-nag's AwsSolutions pack finds no unsuppressed
// error or warning in any variant, in the pipeline's stack or in the other
// stacks of its environments (another account or Region).
func TestNagAwsSolutions(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		annotations := []assertions.Annotations{r.annotations}
		for _, other := range r.otherStacks() {
			annotations = append(annotations, assertions.Annotations_FromStack(other))
		}
		rules := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, a := range annotations {
			for level, found := range map[string]*[]*cxapi.SynthesisMessage{
				"error":   a.FindError(jsii.String("*"), rules),
				"warning": a.FindWarning(jsii.String("*"), rules),
			} {
				for _, m := range *found {
					data := compact(m.Entry.Data)
					if i := strings.Index(data, ": "); i > 0 && len(data) > 160 {
						data = data[:i] // the rule and finding; the rest is the rule's prose
					}
					t.Errorf("cdk-nag %s at %s: %s", level, *m.Id, data)
				}
			}
		}
	})
}

// TestNagSuppressionsAreScoped: every suppression names a rule and gives a
// specific reason, and none is attached to the stack itself (stack-wide).
func TestNagSuppressionsAreScoped(t *testing.T) {
	r := synthVariant(t, stackVariants[0])
	if md, ok := r.tmpl["Metadata"].(map[string]any); ok {
		if _, blanket := md["cdk_nag"]; blanket {
			t.Errorf("stack-wide cdk-nag suppressions: %s", compact(md["cdk_nag"]))
		}
	}
	count := 0
	for _, res := range resourcesOf(r.tmpl) {
		md, _ := res.Body["Metadata"].(map[string]any)
		nag, _ := md["cdk_nag"].(map[string]any)
		rules, _ := nag["rules_to_suppress"].([]any)
		for _, rule := range rules {
			m, _ := rule.(map[string]any)
			id, _ := m["id"].(string)
			reason, _ := m["reason"].(string)
			count++
			if !strings.HasPrefix(id, "AwsSolutions-") {
				t.Errorf("%s: suppression of %q, want one AwsSolutions rule", res.ID, id)
			}
			if len(reason) < 40 {
				t.Errorf("%s: suppression of %s with reason %q, want a specific reason", res.ID, id, reason)
			}
			if strings.HasPrefix(id, "AwsSolutions-IAM") && m["applies_to"] == nil {
				t.Errorf("%s: %s suppressed for every finding, want appliesTo naming the findings", res.ID, id)
			}
		}
	}
	if count == 0 {
		t.Error("no suppressions recorded in the template")
	}
}
