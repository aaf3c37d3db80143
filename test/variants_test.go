package test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/shipline/shipline/internal/cdktest"
)

const validateFlag = "@aws-cdk/core:validateAgainstDefaultRules"

// TestValidateAgainstDefaultRules: with the flag from cdk.json, the CDK
// validates each template against CloudFormation's schemas and default rules
// at synth; no variant may have an error (warnings are listed).
func TestValidateAgainstDefaultRules(t *testing.T) {
	if on, _ := cdktest.CDKJSONContext()[validateFlag].(bool); !on {
		t.Fatalf("cdk.json does not set %s to true", validateFlag)
	}
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		for _, v := range cfnValidateViolations(r.report) {
			if v.severity == "error" || v.severity == "fatal" {
				t.Errorf("CloudFormation Validate %s %s: %s", v.severity, v.rule, v.description)
			} else {
				t.Logf("CloudFormation Validate %s %s: %s", v.severity, v.rule, v.description)
			}
		}
	})
}

// TestValidateAgainstDefaultRulesIsLive: the validation runs in these test
// apps (it reports only violations, so a clean report alone proves nothing).
func TestValidateAgainstDefaultRulesIsLive(t *testing.T) {
	dir := t.TempDir()
	ctx := map[string]any{validateFlag: true, "@aws-cdk/core:failSynthOnValidationErrors": false}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(dir)})
	stack := awscdk.NewStack(app, jsii.String("Control"), nil)
	topic := awssns.NewTopic(stack, jsii.String("Topic"), nil)
	topic.Node().DefaultChild().(awssns.CfnTopic).AddPropertyOverride(jsii.String("FifoTopic"), "not-a-boolean")
	app.Synth(nil)
	report := filepath.Join(dir, "validation-report.json")
	if _, err := os.Stat(report); err != nil {
		t.Fatalf("no validation report for a template with an error: %v", err)
	}
	found := false
	for _, v := range cfnValidateViolations(readJSON(report)) {
		if v.severity == "error" {
			found = true
		}
	}
	if !found {
		t.Error("CloudFormation Validate did not report FifoTopic: \"not-a-boolean\"")
	}
}

type violation struct{ rule, severity, description string }

func cfnValidateViolations(report map[string]any) []violation {
	var out []violation
	plugins, _ := report["pluginReports"].([]any)
	for _, p := range plugins {
		pm, _ := p.(map[string]any)
		if pm["pluginName"] != "CloudFormation Validate" {
			continue
		}
		vs, _ := pm["violations"].([]any)
		for _, v := range vs {
			vm, _ := v.(map[string]any)
			rule, _ := vm["ruleName"].(string)
			sev, _ := vm["severity"].(string)
			desc, _ := vm["description"].(string)
			out = append(out, violation{rule, sev, desc})
		}
	}
	return out
}
