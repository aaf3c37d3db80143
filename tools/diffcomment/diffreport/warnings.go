package diffreport

import (
	"fmt"
	"strings"
)

// StatefulTypes are the resource types whose replacement or deletion loses
// data or history: images, artifacts, deployment and pipeline history, logs,
// subscriptions.
var StatefulTypes = map[string]string{
	"AWS::ECR::Repository":             "its images are deleted or left behind",
	"AWS::S3::Bucket":                  "its objects are deleted or left behind",
	"AWS::CodeDeploy::DeploymentGroup": "its deployment history is lost",
	"AWS::CodeDeploy::Application":     "its deployment groups and history are lost",
	"AWS::CodePipeline::Pipeline":      "its execution history is lost",
	"AWS::Logs::LogGroup":              "its log events are deleted or left behind",
	"AWS::SNS::Topic":                  "its subscriptions must be confirmed again",
	"AWS::KMS::Key":                    "what it encrypted can no longer be decrypted once the old key is deleted",
}

// WarningKind groups warnings in the comment.
type WarningKind string

// The kinds of warning the comment raises.
const (
	WarnStateful WarningKind = "stateful"
	WarnData     WarningKind = "data"
	WarnIAM      WarningKind = "iam"
	WarnWildcard WarningKind = "wildcard"
)

// Warning is one line of the comment's WARNING section.
type Warning struct {
	Kind    WarningKind
	Message string // markdown
}

// Warnings lists the stateful resources replaced or deleted, the resources
// whose data becomes deletable, and the IAM and network permissions added,
// with a separate line for each wildcard.
func (r *Report) Warnings() []Warning {
	var out []Warning
	for _, c := range r.Changes {
		if w, ok := statefulWarning(r, c); ok {
			out = append(out, w)
		}
	}
	for _, d := range r.Deletable {
		out = append(out, Warning{Kind: WarnData, Message: fmt.Sprintf("`%s` %s becomes **deletable**: %s.",
			d.Type, code(d.Name()), strings.Join(d.Reasons, "; "))})
	}
	added := 0
	for _, row := range r.IAMStatements {
		if row.Sign != "+" {
			continue
		}
		added++
		if row.Cells["Effect"] != "Allow" {
			continue
		}
		if w := wildcards(row); w != "" {
			out = append(out, Warning{Kind: WarnWildcard, Message: fmt.Sprintf(
				"Wildcard %s in an added statement: %s on %s for %s.", w,
				codeList(row.Cells["Action"]), codeList(row.Cells["Resource"]), codeList(row.Cells["Principal"]))})
		}
	}
	if added > 0 {
		out = append(out, Warning{Kind: WarnIAM, Message: fmt.Sprintf(
			"IAM broadening: %s added (see IAM Statement Changes below).", plural(added, "policy statement"))})
	}
	sgAdded := 0
	for _, row := range r.SecurityGroupRows {
		if row.Sign == "+" {
			sgAdded++
		}
	}
	if sgAdded > 0 {
		out = append(out, Warning{Kind: WarnIAM, Message: fmt.Sprintf(
			"Network broadening: %s added (see Security Group Changes below).", plural(sgAdded, "security group rule"))})
	}
	for _, row := range r.ManagedPolicies {
		if row.Sign != "+" {
			continue
		}
		msg := fmt.Sprintf("IAM broadening: managed policy %s attached to %s.",
			codeList(row.Cells["Managed Policy ARN"]), codeList(row.Cells["Resource"]))
		kind := WarnIAM
		if strings.Contains(row.Cells["Managed Policy ARN"], "AdministratorAccess") {
			kind = WarnWildcard
		}
		out = append(out, Warning{Kind: kind, Message: msg})
	}
	return out
}

// statefulWarning is the warning for a stateful resource replaced or
// removed, if c is one.
func statefulWarning(r *Report, c Change) (Warning, bool) {
	why, stateful := StatefulTypes[c.Type]
	if !stateful {
		return Warning{}, false
	}
	var verb string
	switch {
	case c.Impact == ImpactReplace:
		verb = "will be **replaced**"
	case c.Impact == ImpactMayReplace:
		verb = "**may be replaced**"
	case c.Op == OpRemove && c.Impact == ImpactOrphan:
		verb, why = "will be **removed from the stack**", "it stays in the account, no longer managed"
	case c.Op == OpRemove:
		verb = "will be **deleted**"
	default:
		return Warning{}, false
	}
	msg := fmt.Sprintf("`%s` %s %s: %s.", c.Type, code(c.Name()), verb, why)
	if c.Op == OpRemove {
		if added := addedOfType(r, c.Type); len(added) > 0 {
			msg += fmt.Sprintf(" The added %s suggests a renamed construct id, which replaces the resource.",
				strings.Join(added, ", "))
		}
	}
	return Warning{Kind: WarnStateful, Message: msg}, true
}

// wildcards names what is a full wildcard in a statement row: the resource
// "*", an action "*" or "service:*", a principal "*" or "AWS:*".
func wildcards(row TableRow) string {
	var what []string
	for _, res := range strings.Split(row.Cells["Resource"], "\n") {
		if strings.TrimSpace(res) == "*" {
			what = append(what, "resource")
			break
		}
	}
	for _, a := range strings.Split(row.Cells["Action"], "\n") {
		a = strings.TrimSpace(a)
		if a == "*" || strings.HasSuffix(a, ":*") {
			what = append(what, "action")
			break
		}
	}
	for _, p := range strings.Split(row.Cells["Principal"], "\n") {
		p = strings.TrimSpace(p)
		if p == "*" || p == "AWS:*" {
			what = append(what, "principal")
			break
		}
	}
	return strings.Join(what, " and ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// code renders s as inline code, safe for backticks inside.
func code(s string) string {
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// codeList renders a multi-line cell as comma-separated inline code.
func codeList(cell string) string {
	var parts []string
	for _, p := range strings.Split(cell, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, code(p))
		}
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}

// addedOfType names the resources of type typ that the stack adds.
func addedOfType(r *Report, typ string) []string {
	var names []string
	for _, c := range r.Changes {
		if c.Op == OpAdd && c.Type == typ {
			names = append(names, code(c.Name()))
		}
	}
	return names
}
