package test

import (
	"fmt"
	"regexp"
	"strings"
)

// A small evaluator of identity-policy statements, enough to answer "may
// this role call this action on this ARN" for the statements CDK writes:
// Action/NotAction, Resource/NotResource with '*' and '?' wildcards, the
// String*/Bool condition operators, and IAM's rule that an explicit Deny
// beats any Allow (IAM user guide, "Policy evaluation logic"). moto's IAM
// checks SSM and ECR calls only against "*", so resource scoping can only be
// seen by evaluating the statements themselves.

// pseudo are the values the evaluator gives CloudFormation's pseudo parameters.
var pseudo = map[string]string{
	"AWS::Partition": "aws", "AWS::Region": "eu-west-1", "AWS::AccountId": "111122223333", "AWS::URLSuffix": "amazonaws.com",
}

// request is one API call: an action, the ARN it is authorized against, and
// its condition context (e.g. "ssm:Recursive": "true").
type request struct {
	Action   string
	Resource string
	Context  map[string]string
}

func (r request) String() string {
	if len(r.Context) == 0 {
		return r.Action + " on " + r.Resource
	}
	return fmt.Sprintf("%s on %s with %v", r.Action, r.Resource, r.Context)
}

// allowed evaluates the request against statements (already resolved with
// resolve): denied by an explicit Deny, allowed by an Allow, else implicitly
// denied. It names the deciding statement.
func allowed(statements []map[string]any, r request) (bool, string) {
	var allow string
	for _, st := range statements {
		if !applies(st, r) {
			continue
		}
		if st["Effect"] == "Deny" {
			return false, fmt.Sprintf("denied by %v", st["Sid"])
		}
		if allow == "" {
			allow = fmt.Sprintf("allowed by %s", compact(st))
		}
	}
	if allow != "" {
		return true, allow
	}
	return false, "no statement allows it"
}

func applies(st map[string]any, r request) bool {
	if a, ok := st["Action"]; ok && !matchAny(strings.ToLower, a, r.Action) {
		return false
	}
	if a, ok := st["NotAction"]; ok && matchAny(strings.ToLower, a, r.Action) {
		return false
	}
	if res, ok := st["Resource"]; ok && !matchAny(nil, res, r.Resource) {
		return false
	}
	if res, ok := st["NotResource"]; ok && matchAny(nil, res, r.Resource) {
		return false
	}
	cond, _ := st["Condition"].(map[string]any)
	for op, kv := range cond {
		if !conditionHolds(op, kv.(map[string]any), r.Context) {
			return false
		}
	}
	return true
}

// conditionHolds evaluates one condition operator block. An operator the
// evaluator does not know makes the test fail loudly rather than guess.
func conditionHolds(op string, kv map[string]any, ctx map[string]string) bool {
	for key, want := range kv {
		got, present := ctx[key]
		if !present {
			return false
		}
		switch op {
		case "StringEquals":
			if !equalsAny(want, got) {
				return false
			}
		case "Bool":
			if !equalsAny(want, strings.ToLower(got)) {
				return false
			}
		case "StringLike", "ArnLike", "ArnEquals":
			// ArnEquals and ArnLike match alike, wildcards included (IAM
			// user guide, "ARN condition operators").
			if !matchAny(nil, want, got) {
				return false
			}
		default:
			panic(fmt.Sprintf("evaluator: condition operator %s is not supported; add it", op))
		}
	}
	return true
}

func equalsAny(patterns any, value string) bool {
	for _, p := range asList(patterns) {
		if p == value {
			return true
		}
	}
	return false
}

// matchAny tells whether value matches one of the patterns; fold (e.g.
// strings.ToLower) makes the match case-insensitive, as for actions.
func matchAny(fold func(string) string, patterns any, value string) bool {
	if fold == nil {
		fold = func(s string) string { return s }
	}
	for _, p := range asList(patterns) {
		if wildcard(fold(p)).MatchString(fold(value)) {
			return true
		}
	}
	return false
}

func asList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, item := range x {
			s, ok := item.(string)
			if !ok {
				panic(fmt.Sprintf("evaluator: unresolved value %s", compact(item)))
			}
			out = append(out, s)
		}
		return out
	}
	panic(fmt.Sprintf("evaluator: unresolved value %s", compact(v)))
}

// wildcard turns an IAM pattern into a regexp: '*' matches any run of
// characters ('/' included), '?' any one character.
func wildcard(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range p {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// resolve replaces the intrinsic functions of a template value with strings:
// pseudo parameters by their values, a resource's Ref by its logical id, a
// bucket's Arn by arn:aws:s3:::<logical id>, a log group's by its ARN
// with the logical id as name, any other Arn by
// arn:<logical id>, Fn::Join by the joined string.
func resolve(tmpl map[string]any, v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = resolve(tmpl, item)
		}
		return out
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
			if val, ok := pseudo[ref]; ok {
				return val
			}
			return ref
		}
		if ga, ok := x["Fn::GetAtt"].([]any); ok && len(x) == 1 && len(ga) == 2 && ga[1] == "Arn" {
			id := ga[0].(string)
			switch typeOf(tmpl, id) {
			case "AWS::S3::Bucket":
				return "arn:aws:s3:::" + id
			case "AWS::Logs::LogGroup":
				// CloudFormation's Arn of a log group ends in ":*".
				return "arn:aws:logs:eu-west-1:111122223333:log-group:" + id + ":*"
			}
			return "arn:" + id
		}
		if j, ok := x["Fn::Join"].([]any); ok && len(x) == 1 {
			var parts []string
			for _, p := range resolve(tmpl, j[1]).([]any) {
				parts = append(parts, fmt.Sprint(p))
			}
			return strings.Join(parts, j[0].(string))
		}
		out := map[string]any{}
		for k, val := range x {
			out[k] = resolve(tmpl, val)
		}
		return out
	}
	return v
}

func typeOf(tmpl map[string]any, id string) string {
	res, _ := tmpl["Resources"].(map[string]any)
	body, _ := res[id].(map[string]any)
	typ, _ := body["Type"].(string)
	return typ
}
