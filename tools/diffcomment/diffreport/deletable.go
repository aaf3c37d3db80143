package diffreport

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

// DataChange is a resource whose data a change makes deletable: by deleting
// the stack, removing the resource, replacing it or expiring its contents.
type DataChange struct {
	Type      string
	LogicalID string
	Path      string
	// Reasons say what changed and what is lost, one phrase each.
	Reasons []string
}

// Name is the construct path when known, else the logical id.
func (d DataChange) Name() string {
	if d.Path != "" {
		return d.Path
	}
	return d.LogicalID
}

// dataOf names what each data-holding resource type keeps.
var dataOf = map[string]string{
	"AWS::ECR::Repository":             "its images",
	"AWS::S3::Bucket":                  "its objects",
	"AWS::Logs::LogGroup":              "its log events",
	"AWS::KMS::Key":                    "the key, and with it what it encrypted",
	"AWS::SNS::Topic":                  "its subscriptions",
	"AWS::CodeDeploy::Application":     "its deployment history",
	"AWS::CodeDeploy::DeploymentGroup": "its deployment history",
	"AWS::CodePipeline::Pipeline":      "its execution history",
}

// keeps reports whether a DeletionPolicy or UpdateReplacePolicy value keeps
// the resource; ok is false for a value decided at deploy time (Fn::If).
// Absent means Delete for every type in dataOf.
func keeps(v any) (keep, ok bool) {
	switch v {
	case nil, "Delete":
		return false, true
	case "Retain", "RetainExceptOnCreate", "Snapshot":
		return true, true
	}
	return false, false
}

// deletable compares the resources both templates hold under the same
// logical id and type, in logical id order.
func deletable(deployed, synthesized map[string]any) []DataChange {
	oldRes, newRes := resources(deployed), resources(synthesized)
	autoDeleted := autoDeletedBuckets(oldRes, newRes)
	var out []DataChange
	for _, id := range slices.Sorted(maps.Keys(newRes)) {
		n, o := newRes[id], oldRes[id]
		typ, _ := n["Type"].(string)
		what, holdsData := dataOf[typ]
		if o == nil || o["Type"] != typ || !holdsData {
			continue
		}
		d := DataChange{Type: typ, LogicalID: id, Path: pathOf(n)}
		for _, policy := range []struct{ attr, consequence string }{
			{"DeletionPolicy", "deleting the stack, or removing the resource from it, deletes " + what},
			{"UpdateReplacePolicy", "a replacement deletes " + what},
		} {
			before, ok1 := keeps(o[policy.attr])
			after, ok2 := keeps(n[policy.attr])
			if ok1 && ok2 && before && !after {
				d.Reasons = append(d.Reasons, fmt.Sprintf("%s %v → Delete: %s", policy.attr, o[policy.attr], policy.consequence))
			}
		}
		oldProps, newProps := props(o), props(n)
		switch typ {
		case "AWS::ECR::Repository":
			if newProps["EmptyOnDelete"] == true && oldProps["EmptyOnDelete"] != true {
				d.Reasons = append(d.Reasons, "EmptyOnDelete on: CloudFormation deletes the repository even when it still holds images")
			}
		case "AWS::S3::Bucket":
			if autoDeleted[id] {
				d.Reasons = append(d.Reasons, "objects auto-deleted (Custom::S3AutoDeleteObjects added): deleting the bucket first deletes every object in it")
			}
		case "AWS::Logs::LogGroup":
			before, after := retentionDays(oldProps["RetentionInDays"]), retentionDays(newProps["RetentionInDays"])
			if after < before {
				d.Reasons = append(d.Reasons, fmt.Sprintf("RetentionInDays %s → %s: log events older than %s days are deleted",
					daysText(before), daysText(after), daysText(after)))
			}
		}
		if len(d.Reasons) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// autoDeletedBuckets lists the buckets that a Custom::S3AutoDeleteObjects
// resource, new in the synthesized template, empties on deletion.
func autoDeletedBuckets(oldRes, newRes map[string]map[string]any) map[string]bool {
	out := map[string]bool{}
	for id, r := range newRes {
		if r["Type"] != "Custom::S3AutoDeleteObjects" || oldRes[id] != nil {
			continue
		}
		if ref, ok := props(r)["BucketName"].(map[string]any); ok {
			if bucket, ok := ref["Ref"].(string); ok {
				out[bucket] = true
			}
		}
	}
	return out
}

// retentionDays is a log group's retention; absent means never expire.
func retentionDays(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case string:
		if f, err := strconv.ParseFloat(n, 64); err == nil {
			return f
		}
	}
	return math.Inf(1)
}

func daysText(d float64) string {
	if math.IsInf(d, 1) {
		return "unset (never expire)"
	}
	return strconv.FormatFloat(d, 'f', -1, 64)
}

func resources(t map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	rs, _ := t["Resources"].(map[string]any)
	for id, r := range rs {
		if m, ok := r.(map[string]any); ok {
			out[id] = m
		}
	}
	return out
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

func pathOf(r map[string]any) string {
	md, _ := r["Metadata"].(map[string]any)
	p, _ := md["aws:cdk:path"].(string)
	return shortPath(p)
}
