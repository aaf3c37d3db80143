// Package diffreport compares a stack's deployed template with its
// synthesized one and renders the result as a pull-request comment: a summary
// line, a warning section for changes that lose data or broaden permissions,
// the resource changes as a table and the full diff folded away.
//
// The comparison is structured, not read back from the text `cdk diff`
// prints: the CDK's own diff engine (@aws-cdk/cloudformation-diff, pinned in
// tools/diffcomment/cfndiff) says which resources are added, updated,
// replaced or removed and which IAM statements change, and this package reads
// both templates for what makes data deletable (deletion and replacement
// policies, emptying on delete, shorter log retention).
package diffreport

import "strings"

// Op is what happens to a resource.
type Op string

// The resource operations, as `cdk diff` marks them [+], [~], [-] and [←].
const (
	OpAdd    Op = "add"
	OpUpdate Op = "update"
	OpRemove Op = "remove"
	OpImport Op = "import"
)

// Impact is what an operation does to the resource in the account.
type Impact string

// The impacts the diff engine reports beyond a plain add or update.
const (
	ImpactNone       Impact = ""
	ImpactReplace    Impact = "replace"
	ImpactMayReplace Impact = "may be replaced"
	ImpactDestroy    Impact = "destroy"
	ImpactOrphan     Impact = "orphan"
)

// Change is one changed resource.
type Change struct {
	Op        Op
	Type      string // AWS::S3::Bucket
	Path      string // construct path without the stack's name; empty when unknown
	LogicalID string
	Impact    Impact
	// Environment is the environment the resource belongs to; empty for
	// the pipeline's own resources.
	Environment string
}

// Replaced reports whether the change replaces the resource (certainly or possibly).
func (c Change) Replaced() bool {
	return c.Impact == ImpactReplace || c.Impact == ImpactMayReplace
}

// Name is the construct path when known, else the logical id.
func (c Change) Name() string {
	if c.Path != "" {
		return c.Path
	}
	return c.LogicalID
}

// TableRow is one row of an IAM or security group table: its sign ("+" or
// "-") and its cells by column name; a cell of several lines holds them
// joined by "\n".
type TableRow struct {
	Sign  string
	Cells map[string]string
}

// Report is the diff of one stack.
type Report struct {
	Stack string
	// Account is the stack's account, when the app places the stack.
	Account string
	// Environment is the environment the stack deploys (the stack of an
	// environment in another account); empty for the pipeline's stack.
	Environment string
	// Environments are the environments whose resources the stack holds
	// (set by CompareStack on the pipeline's stack).
	Environments []string
	// Stages are the pipeline stages added, changed or removed.
	Stages []StageChange
	// Failure, when set, says why the stack could not be compared (the
	// output of the step that failed); the other fields are then empty.
	Failure string
	// NotDeployed is set when there was no deployed template to compare with.
	NotDeployed bool
	Changes     []Change
	// IAMStatements are the rows of "IAM Statement Changes" (columns Resource,
	// Effect, Action, Principal, Condition).
	IAMStatements []TableRow
	// ManagedPolicies are the rows of "IAM Policy Changes" (columns Resource,
	// Managed Policy ARN).
	ManagedPolicies []TableRow
	// SecurityGroupRows are the rows of "Security Group Changes".
	SecurityGroupRows []TableRow
	// Sections lists the other sections with changes (Parameters, Outputs, ...).
	Sections []string
	// Deletable lists the resources whose data a change makes deletable.
	Deletable []DataChange
	// Text is the diff as `cdk diff` prints it, without colors.
	Text string
}

// shortPath drops the stack's name and the CDK's trailing /Resource and
// /Default parts from a construct path.
func shortPath(path string) string {
	if _, rest, ok := strings.Cut(path, "/"); ok {
		path = rest
	}
	for {
		trimmed := path
		for _, suffix := range []string{"/Resource", "/Default"} {
			if p, ok := strings.CutSuffix(trimmed, suffix); ok && p != "" {
				trimmed = p
			}
		}
		if trimmed == path {
			return path
		}
		path = trimmed
	}
}
