// Package diffreport reads the text that `cdk diff` prints and renders it as a
// pull-request comment: a summary line, a warning section for changes that
// lose data or broaden IAM permissions, the resource changes as a table and the
// full output folded away.
package diffreport

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Op is what happens to a resource.
type Op string

// The resource operations `cdk diff` prints as [+], [~], [-] and [←].
const (
	OpAdd    Op = "add"
	OpUpdate Op = "update"
	OpRemove Op = "remove"
	OpImport Op = "import"
)

// Impact is the trailing word of a resource line.
type Impact string

// The impacts `cdk diff` prints after a resource's logical id.
const (
	ImpactNone         Impact = ""
	ImpactReplace      Impact = "replace"
	ImpactMayReplace   Impact = "may be replaced"
	ImpactDestroy      Impact = "destroy"
	ImpactOrphan       Impact = "orphan"
	ImpactImportImpact Impact = "import"
)

// Change is one line of a stack's Resources section.
type Change struct {
	Op        Op
	Type      string // AWS::S3::Bucket
	Path      string // construct path as cdk diff shortens it; empty when not shown
	LogicalID string
	Impact    Impact
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

// TableRow is one row of an IAM table: its sign ("+" or "-") and its cells by
// column name; a cell that spans several lines holds them joined by "\n".
type TableRow struct {
	Sign  string
	Cells map[string]string
}

// Stack is the diff of one stack.
type Stack struct {
	Name string
	// NoDifferences is set when cdk diff said so for this stack.
	NoDifferences bool
	Changes       []Change
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
}

// Report is a parsed `cdk diff` output.
type Report struct {
	Stacks []*Stack
	// StacksWithDifferences is the CLI's closing count, -1 when absent (the
	// diff did not finish).
	StacksWithDifferences int
	// Notes are CLI messages worth repeating, such as the fallback from a
	// change set to a template diff.
	Notes []string
}

var (
	ansiRE     = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]`)
	resourceRE = regexp.MustCompile(`^\[(\+|~|-|←)\] (\S+) (.+)$`)
	countRE    = regexp.MustCompile(`Number of stacks with differences: (\d+)`)
	moveRE     = regexp.MustCompile(`\s*\(OR move .*\)$`)
)

// StripANSI removes terminal escape sequences (colors, bold, cursor codes).
func StripANSI(s string) string {
	return ansiRE.ReplaceAllString(s, "")
}

var sectionHeaders = map[string]bool{
	"Template":                    true,
	"IAM Statement Changes":       true,
	"IAM Policy Changes":          true,
	"IAM Identity Center Changes": true,
	"Security Group Changes":      true,
	"Parameters":                  true,
	"Metadata":                    true,
	"Mappings":                    true,
	"Conditions":                  true,
	"Resources":                   true,
	"Outputs":                     true,
	"Other Changes":               true,
}

var notePrefixes = []string{
	"Could not create a change set",
	"Could not access stack",
}

// Parse reads `cdk diff` output, colored or not.
func Parse(r io.Reader) (*Report, error) {
	rep := &Report{StacksWithDifferences: -1}
	var (
		stack   *Stack
		section string
		table   *tableParser
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(StripANSI(sc.Text()), " \r")
		trimmed := strings.TrimSpace(line)

		if m := countRE.FindStringSubmatch(line); m != nil {
			rep.StacksWithDifferences, _ = strconv.Atoi(m[1])
			continue
		}
		if note := matchNote(trimmed); note != "" {
			rep.Notes = appendUnique(rep.Notes, note)
			continue
		}
		if name, ok := strings.CutPrefix(line, "Stack "); ok && !strings.HasPrefix(line, " ") {
			stack = &Stack{Name: strings.TrimSpace(name)}
			rep.Stacks = append(rep.Stacks, stack)
			section, table = "", nil
			continue
		}
		if stack == nil {
			continue
		}
		if trimmed == "There were no differences" {
			stack.NoDifferences = true
			continue
		}
		if sectionHeaders[line] {
			section, table = line, nil
			switch section {
			case "IAM Statement Changes", "IAM Policy Changes", "Security Group Changes":
				table = &tableParser{}
			case "Resources", "Template":
			default:
				stack.Sections = appendUnique(stack.Sections, section)
			}
			continue
		}
		switch section {
		case "IAM Statement Changes", "IAM Policy Changes", "Security Group Changes":
			if !table.feed(line) {
				continue
			}
			if table.rowDone != nil {
				flushRow(stack, section, *table.rowDone)
				table.rowDone = nil
			}
		case "Resources":
			if m := resourceRE.FindStringSubmatch(line); m != nil {
				stack.Changes = append(stack.Changes, parseResource(m[1], m[2], m[3]))
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return rep, nil
}

func flushRow(stack *Stack, section string, row TableRow) {
	switch section {
	case "IAM Statement Changes":
		stack.IAMStatements = append(stack.IAMStatements, row)
	case "IAM Policy Changes":
		stack.ManagedPolicies = append(stack.ManagedPolicies, row)
	case "Security Group Changes":
		stack.SecurityGroupRows = append(stack.SecurityGroupRows, row)
	}
}

func matchNote(line string) string {
	for _, p := range notePrefixes {
		if strings.HasPrefix(line, p) {
			return line
		}
	}
	return ""
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func parseResource(prefix, typ, rest string) Change {
	c := Change{Type: typ}
	switch prefix {
	case "+":
		c.Op = OpAdd
	case "~":
		c.Op = OpUpdate
	case "-":
		c.Op = OpRemove
	case "←":
		c.Op = OpImport
	}
	rest = moveRE.ReplaceAllString(rest, "")
	for _, imp := range []Impact{ImpactMayReplace, ImpactReplace, ImpactDestroy, ImpactOrphan, ImpactImportImpact} {
		if s, ok := strings.CutSuffix(rest, " "+string(imp)); ok {
			c.Impact, rest = imp, s
			break
		}
	}
	fields := strings.Fields(rest)
	switch len(fields) {
	case 0:
	case 1:
		c.LogicalID = fields[0]
	default:
		c.LogicalID = fields[len(fields)-1]
		c.Path = strings.Join(fields[:len(fields)-1], " ")
	}
	return c
}

// tableParser reads the box-drawn tables of the IAM and security group sections.
type tableParser struct {
	columns []string
	row     *TableRow
	rowDone *TableRow
	ended   bool
}

// feed takes one line; it reports whether the line belonged to the table.
// A finished row is left in rowDone.
func (t *tableParser) feed(line string) bool {
	if t.ended {
		return false
	}
	s := strings.TrimSpace(line)
	switch {
	case s == "":
		return false
	case strings.HasPrefix(s, "┌"):
		return true
	case strings.HasPrefix(s, "├"), strings.HasPrefix(s, "└"):
		t.finish()
		if strings.HasPrefix(s, "└") {
			t.ended = true
		}
		return true
	case strings.HasPrefix(s, "│"):
	default:
		t.finish()
		t.ended = true
		return true
	}
	cells := strings.Split(strings.Trim(s, "│"), "│")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	if t.columns == nil {
		t.columns = cells
		return true
	}
	if cells[0] != "" || t.row == nil {
		t.finish()
		t.row = &TableRow{Sign: cells[0], Cells: map[string]string{}}
	}
	for i := 1; i < len(cells) && i < len(t.columns); i++ {
		if cells[i] == "" {
			continue
		}
		col := t.columns[i]
		if prev := t.row.Cells[col]; prev != "" {
			t.row.Cells[col] = prev + "\n" + cells[i]
		} else {
			t.row.Cells[col] = cells[i]
		}
	}
	return true
}

func (t *tableParser) finish() {
	if t.row != nil {
		t.rowDone = t.row
		t.row = nil
	}
}
