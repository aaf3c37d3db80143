package diffreport

import (
	"fmt"
	"io"
	"strings"
)

// Marker is the hidden first line of the comment; the workflow finds the
// comment to update by it.
const Marker = "<!-- shipline-cdk-diff -->"

// DefaultMaxOutput bounds the full output embedded in the comment; GitHub
// rejects comments over 65,536 characters.
const DefaultMaxOutput = 50000

// Options tune the rendered comment.
type Options struct {
	// Method is how the diff was computed: "change-set" or "template"; empty
	// omits the line.
	Method string
	// Commit is the commit the diff was computed for; empty omits it.
	Commit string
	// Failed is set when cdk diff itself failed; the comment says so.
	Failed bool
	// MaxOutput bounds the embedded output. Default: DefaultMaxOutput.
	MaxOutput int
}

// Summary is the one-line count of changes.
func (r *Report) Summary() string {
	var add, update, replace, remove, iam, policies int
	for _, s := range r.Stacks {
		for _, c := range s.Changes {
			switch {
			case c.Replaced():
				replace++
			case c.Op == OpAdd || c.Op == OpImport:
				add++
			case c.Op == OpRemove:
				remove++
			default:
				update++
			}
		}
		for _, row := range s.IAMStatements {
			if row.Sign == "+" || row.Sign == "-" {
				iam++
			}
		}
		for _, row := range s.ManagedPolicies {
			if row.Sign == "+" || row.Sign == "-" {
				policies++
			}
		}
	}
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{{add, "to add"}, {update, "to update"}, {replace, "to replace"}, {remove, "to remove"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.verb))
		}
	}
	if iam > 0 {
		parts = append(parts, plural(iam, "IAM statement change"))
	}
	if policies > 0 {
		parts = append(parts, plural(policies, "managed policy change"))
	}
	if len(parts) == 0 {
		other := 0
		for _, s := range r.Stacks {
			other += len(s.Sections)
		}
		if other > 0 {
			return "No resource changes; other sections changed"
		}
		return "No differences"
	}
	return strings.Join(parts, ", ")
}

// Render writes the markdown comment for rep; raw is the cdk diff output as
// captured, embedded (without colors) in a folded section.
func Render(w io.Writer, rep *Report, raw string, opt Options) error {
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = DefaultMaxOutput
	}
	var b strings.Builder
	b.WriteString(Marker + "\n")
	names := make([]string, 0, len(rep.Stacks))
	for _, s := range rep.Stacks {
		names = append(names, "`"+s.Name+"`")
	}
	title := "## cdk diff"
	if len(names) > 0 {
		title += ": " + strings.Join(names, ", ")
	}
	b.WriteString(title + "\n\n")

	incomplete := opt.Failed || rep.StacksWithDifferences < 0
	if incomplete {
		b.WriteString("> [!CAUTION]\n> `cdk diff` did not complete; the output below says why.\n\n")
	}
	if len(rep.Stacks) > 0 || !incomplete {
		fmt.Fprintf(&b, "**Summary:** %s.\n\n", rep.Summary())
	}

	if warns := rep.Warnings(); len(warns) > 0 {
		b.WriteString("> [!WARNING]\n> **Review before merging:** this change loses data or broadens permissions.\n>\n")
		multi := len(rep.Stacks) > 1
		for _, wn := range warns {
			prefix := ""
			if multi {
				prefix = "`" + wn.Stack + "`: "
			}
			fmt.Fprintf(&b, "> - %s%s\n", prefix, wn.Message)
		}
		b.WriteString("\n")
	}

	writeChanges(&b, rep)

	out := strings.TrimSpace(StripANSI(raw))
	if out != "" {
		truncated := false
		if len(out) > opt.MaxOutput {
			cut := strings.LastIndex(out[:opt.MaxOutput], "\n")
			if cut < 0 {
				cut = opt.MaxOutput
			}
			out, truncated = out[:cut], true
		}
		fence := fenceFor(out)
		b.WriteString("<details><summary>Full <code>cdk diff</code> output</summary>\n\n")
		fmt.Fprintf(&b, "%stext\n%s\n%s\n", fence, out, fence)
		if truncated {
			b.WriteString("\n_Output truncated; the workflow log has all of it._\n")
		}
		b.WriteString("\n</details>\n\n")
	}

	var foot []string
	switch opt.Method {
	case "":
	case "template":
		foot = append(foot, "method: template (compares templates; replacements that depend on deploy-time values are not known)")
	default:
		foot = append(foot, "method: "+opt.Method)
	}
	if opt.Commit != "" {
		foot = append(foot, "commit: "+opt.Commit)
	}
	for _, n := range rep.Notes {
		foot = append(foot, n)
	}
	if len(foot) > 0 {
		b.WriteString("<sub>" + escapeHTML(strings.Join(foot, " · ")) + "</sub>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeChanges(b *strings.Builder, rep *Report) {
	total := 0
	for _, s := range rep.Stacks {
		total += len(s.Changes)
	}
	if total == 0 {
		return
	}
	multi := len(rep.Stacks) > 1
	fmt.Fprintf(b, "<details><summary>Resource changes (%d)</summary>\n\n", total)
	if multi {
		b.WriteString("| Stack | | Type | Resource | Logical id | Impact |\n|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| | Type | Resource | Logical id | Impact |\n|---|---|---|---|---|\n")
	}
	rows := 0
	for _, s := range rep.Stacks {
		for _, c := range s.Changes {
			if rows++; rows > maxTableRows {
				break
			}
			if multi {
				fmt.Fprintf(b, "| `%s` ", s.Name)
			}
			path := ""
			if c.Path != "" {
				path = "`" + escapeCell(c.Path) + "`"
			}
			fmt.Fprintf(b, "| %s | `%s` | %s | `%s` | %s |\n",
				opSymbol(c.Op), c.Type, path, escapeCell(c.LogicalID), impactText(c))
		}
	}
	if total > maxTableRows {
		fmt.Fprintf(b, "\n_%d more changes are in the full output._\n", total-maxTableRows)
	}
	b.WriteString("\n</details>\n\n")
}

// maxTableRows bounds the resource table, to keep the comment under GitHub's limit.
const maxTableRows = 200

func opSymbol(op Op) string {
	switch op {
	case OpAdd:
		return "➕"
	case OpRemove:
		return "➖"
	case OpImport:
		return "⬅️"
	default:
		return "🔄"
	}
}

func impactText(c Change) string {
	switch c.Impact {
	case ImpactReplace:
		return "**replace**"
	case ImpactMayReplace:
		return "**may be replaced**"
	case ImpactDestroy:
		return "**destroy**"
	case ImpactNone:
		return ""
	default:
		return string(c.Impact)
	}
}

func escapeCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// fenceFor returns a backtick fence longer than any backtick run in s.
func fenceFor(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	if longest < 3 {
		return "```"
	}
	return strings.Repeat("`", longest+1)
}
