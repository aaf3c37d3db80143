package test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The CloudFormation JSON schema shipped with goformation describes every
// property with its literal type; a template holds intrinsic functions
// ({"Ref": ...}, {"Fn::GetAtt": ...}) wherever a value is resolved at deploy
// time. The schema is adapted once: every property also accepts one
// intrinsic function, and the root accepts the Rules section (valid in
// CloudFormation, absent from the schema; the CDK writes its bootstrap
// version check there).
const schemaURL = "mem://cloudformation.schema.json"

var intrinsicSchema = map[string]any{
	"type":          "object",
	"minProperties": 1.0,
	"maxProperties": 1.0,
	"patternProperties": map[string]any{
		`^(Ref|Condition|Fn::(Base64|Cidr|FindInMap|GetAtt|GetAZs|ImportValue|Join|Length|Select|Split|Sub|ToJsonString|Transform|If|Equals|And|Or|Not))$`: map[string]any{},
	},
	"additionalProperties": false,
}

var cfnSchema *jsonschema.Compiler

func schemaCompiler(t *testing.T) *jsonschema.Compiler {
	t.Helper()
	if cfnSchema != nil {
		return cfnSchema
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema.CloudformationSchema))
	if err != nil {
		t.Fatalf("goformation schema: %v", err)
	}
	root := doc.(map[string]any)
	// Its "$id" is the draft-04 meta-schema's own URL; it is a draft-04 schema.
	delete(root, "$id")
	root["$schema"] = "http://json-schema.org/draft-04/schema#"
	top := root["properties"].(map[string]any)
	top["Rules"] = map[string]any{"type": "object"}
	// Resources are validated one by one against their type's definition
	// (TestTemplateSchema); at the root, an anyOf over every resource type
	// is slow and its errors unreadable.
	top["Resources"] = map[string]any{
		"type":                 "object",
		"additionalProperties": false,
		"patternProperties": map[string]any{
			"^[a-zA-Z0-9]+$": map[string]any{"type": "object", "required": []any{"Type"}},
		},
	}
	defs := root["definitions"].(map[string]any)
	defs["Intrinsic"] = intrinsicSchema
	// Its custom resource definition rejects digits in the type name
	// (Custom::S3AutoDeleteObjects) and the resource attributes every other
	// type allows; CloudFormation accepts both.
	custom := defs["CustomResource"].(map[string]any)["properties"].(map[string]any)
	custom["Type"] = map[string]any{"type": "string", "pattern": "^Custom::[A-Za-z0-9_@-]{1,60}$"}
	for attr, sch := range defs["AWS::SNS::Topic"].(map[string]any)["properties"].(map[string]any) {
		if attr != "Type" && attr != "Properties" {
			custom[attr] = sch
		}
	}
	for name, def := range defs {
		d, ok := def.(map[string]any)
		if !ok || name == "Intrinsic" || name == "Parameter" {
			continue
		}
		props, _ := d["properties"].(map[string]any)
		if strings.Contains(name, ".") || name == "Tag" {
			// A property type: each of its fields.
			acceptIntrinsics(props)
			continue
		}
		// A resource: the fields of its Properties.
		if p, ok := props["Properties"].(map[string]any); ok {
			fields, _ := p["properties"].(map[string]any)
			acceptIntrinsics(fields)
			if optional := noLongerRequired[name]; len(optional) > 0 {
				req, _ := p["required"].([]any)
				var keep []any
				for _, r := range req {
					if !slices.Contains(optional, r.(string)) {
						keep = append(keep, r)
					}
				}
				if len(keep) == 0 {
					delete(p, "required") // draft-04: required holds at least one name
				} else {
					p["required"] = keep
				}
			}
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource(schemaURL, root); err != nil {
		t.Fatalf("goformation schema: %v", err)
	}
	cfnSchema = c
	return c
}

// acceptIntrinsics lets each field (and each list item or map value of it)
// be an intrinsic function instead of its literal type.
func acceptIntrinsics(fields map[string]any) {
	for k, f := range fields {
		fields[k] = orIntrinsic(f)
	}
}

func orIntrinsic(node any) any {
	n, ok := node.(map[string]any)
	if !ok {
		return node
	}
	if items, ok := n["items"]; ok {
		n["items"] = orIntrinsic(items)
	}
	if ap, ok := n["additionalProperties"].(map[string]any); ok {
		n["additionalProperties"] = orIntrinsic(ap)
	}
	if pp, ok := n["patternProperties"].(map[string]any); ok {
		for k, v := range pp {
			pp[k] = orIntrinsic(v)
		}
	}
	return map[string]any{"anyOf": []any{n, map[string]any{"$ref": "#/definitions/Intrinsic"}}}
}

// newerThanSchema lists properties CloudFormation accepts that the pinned
// goformation schema does not know yet: they are checked by cfn-lint (whose
// specs are newer) and dropped here before validation.
var newerThanSchema = map[string][]string{
	// Added to CloudFormation in 2025, after goformation v7.14.9's schema.
	"AWS::ECR::Repository": {"ImageTagMutabilityExclusionFilters"},
	// IMDSv2 settings on the instance itself (the managed host); newer than the schema.
	"AWS::EC2::Instance": {"MetadataOptions"},
}

// noLongerRequired lists properties the pinned schema requires that
// CloudFormation has since made optional.
var noLongerRequired = map[string][]string{
	// Optional since 2023: IAM trusts GitHub's OIDC endpoint by its CA, not thumbprints.
	"AWS::IAM::OIDCProvider": {"ThumbprintList"},
}

var compiledTypes = map[string]*jsonschema.Schema{}

func typeSchema(t *testing.T, typ string) (*jsonschema.Schema, error) {
	if s, ok := compiledTypes[typ]; ok {
		return s, nil
	}
	s, err := schemaCompiler(t).Compile(schemaURL + "#/definitions/" + strings.ReplaceAll(typ, "/", "~1"))
	if err == nil {
		compiledTypes[typ] = s
	}
	return s, err
}

// TestTemplateSchema validates every variant against the CloudFormation
// schema: each resource against the definition of its type (precise errors),
// then the whole template against the root (sections, logical ids, resource
// attributes such as DeletionPolicy).
func TestTemplateSchema(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		for _, res := range resourcesOf(r.tmpl) {
			typ := res.Type
			switch {
			case typ == "AWS::CDK::Metadata":
				continue // the CDK's version reporting; not a CloudFormation type in the schema
			case strings.HasPrefix(typ, "Custom::"):
				typ = "CustomResource"
			}
			sch, err := typeSchema(t, typ)
			if err != nil {
				t.Errorf("%s: type %s is not in the CloudFormation schema: %v", res.ID, res.Type, err)
				continue
			}
			body := res.Body
			if drop := newerThanSchema[res.Type]; len(drop) > 0 {
				body = withoutProperties(body, drop)
			}
			if res.Type == "AWS::CodePipeline::Pipeline" {
				body = withoutStageConditions(body)
			}
			if err := sch.Validate(body); err != nil {
				t.Errorf("%s (%s) does not match the schema:\n%s", res.ID, res.Type, schemaErrors(err))
			}
		}

		root, err := schemaCompiler(t).Compile(schemaURL)
		if err != nil {
			t.Fatal(err)
		}
		if err := root.Validate(r.tmpl); err != nil {
			t.Errorf("template does not match the schema:\n%s", schemaErrors(err))
		}
	})
}

// withoutProperties is a copy of a resource without some of its properties.
func withoutProperties(body map[string]any, drop []string) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	props := map[string]any{}
	for k, v := range (cfnResource{Body: body}).props() {
		if !slices.Contains(drop, k) {
			props[k] = v
		}
	}
	out["Properties"] = props
	return out
}

// stageConditions are the stage properties of CodePipeline V2 stage
// conditions and rollback (CloudFormation, 2024), newer than the schema and
// checked by cfn-lint.
var stageConditions = []string{"BeforeEntry", "OnSuccess", "OnFailure"}

// withoutStageConditions is a copy of a pipeline without its stages'
// conditions.
func withoutStageConditions(body map[string]any) map[string]any {
	props := map[string]any{}
	for k, v := range (cfnResource{Body: body}).props() {
		props[k] = v
	}
	var stages []any
	for _, st := range listOf(props["Stages"]) {
		stage := map[string]any{}
		for k, v := range st.(map[string]any) {
			if !slices.Contains(stageConditions, k) {
				stage[k] = v
			}
		}
		stages = append(stages, stage)
	}
	props["Stages"] = stages
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	out["Properties"] = props
	return out
}

// schemaErrors lists the leaf errors of a validation error, one per line.
func schemaErrors(err error) string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err.Error()
	}
	var lines []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			lines = append(lines, fmt.Sprintf("  at /%s: %s", strings.Join(e.InstanceLocation, "/"), e.Error()))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(lines)
	if len(lines) > 20 {
		lines = append(lines[:20], fmt.Sprintf("  ... %d more", len(lines)-20))
	}
	return strings.Join(lines, "\n")
}
