package diffreport

import (
	"fmt"
	"io"
	"slices"
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
	// Commit is the commit the diff was computed for; empty omits it.
	Commit string
	// MaxOutput bounds the embedded diff text. Default: DefaultMaxOutput.
	MaxOutput int
}

// Summary is the one-line count of changes.
func (r *Report) Summary() string {
	var add, update, replace, remove, iam, policies int
	for _, c := range r.Changes {
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
	for _, row := range r.IAMStatements {
		if row.Sign == "+" || row.Sign == "-" {
			iam++
		}
	}
	for _, row := range r.ManagedPolicies {
		if row.Sign == "+" || row.Sign == "-" {
			policies++
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
		if len(r.Sections) > 0 {
			return "No resource changes; other sections changed"
		}
		return "No differences"
	}
	return strings.Join(parts, ", ")
}

// Render writes the markdown comment for rep.
func Render(w io.Writer, rep *Report, opt Options) error {
	var b strings.Builder
	writeTitle(&b, rep.Stack)
	if rep.NotDeployed {
		b.WriteString("> [!NOTE]\n> The stack is not deployed yet: everything below is new.\n\n")
	}
	fmt.Fprintf(&b, "**Summary:** %s.\n\n", rep.Summary())

	if warns := rep.Warnings(); len(warns) > 0 {
		b.WriteString("> [!WARNING]\n> **Review before merging:** this change can lose data or broadens permissions.\n>\n")
		for _, wn := range warns {
			fmt.Fprintf(&b, "> - %s\n", wn.Message)
		}
		b.WriteString("\n")
	}

	writeChanges(&b, rep)
	writeFolded(&b, "Full diff", rep.Text, opt)
	writeFooter(&b, opt, "compares the deployed template with the synthesized one (the CDK's diff engine); replacements that depend on deploy-time values show as \"may be replaced\"")
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderFailure writes the comment for a diff that could not be computed;
// log says why (the output of the step that failed).
func RenderFailure(w io.Writer, stack, log string, opt Options) error {
	var b strings.Builder
	writeTitle(&b, stack)
	b.WriteString("> [!CAUTION]\n> The diff could not be computed; the output below says why.\n\n")
	writeFolded(&b, "Output", log, opt)
	writeFooter(&b, opt, "")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeTitle(b *strings.Builder, stack string) {
	b.WriteString(Marker + "\n")
	title := "## cdk diff"
	if stack != "" {
		title += ": `" + stack + "`"
	}
	b.WriteString(title + "\n\n")
}

// writeFolded embeds text in a folded section, bounded by opt.MaxOutput.
func writeFolded(b *strings.Builder, summary, text string, opt Options) {
	max := opt.MaxOutput
	if max <= 0 {
		max = DefaultMaxOutput
	}
	out := strings.TrimSpace(text)
	if out == "" {
		return
	}
	truncated := false
	if len(out) > max {
		cut := strings.LastIndex(out[:max], "\n")
		if cut < 0 {
			cut = max
		}
		out, truncated = out[:cut], true
	}
	fence := fenceFor(out)
	fmt.Fprintf(b, "<details><summary>%s</summary>\n\n", summary)
	fmt.Fprintf(b, "%stext\n%s\n%s\n", fence, out, fence)
	if truncated {
		b.WriteString("\n_Output truncated; the workflow log has all of it._\n")
	}
	b.WriteString("\n</details>\n\n")
}

func writeFooter(b *strings.Builder, opt Options, method string) {
	var foot []string
	if method != "" {
		foot = append(foot, "method: "+method)
	}
	if opt.Commit != "" {
		foot = append(foot, "commit: "+opt.Commit)
	}
	if len(foot) > 0 {
		b.WriteString("<sub>" + escapeHTML(strings.Join(foot, " · ")) + "</sub>\n")
	}
}

func writeChanges(b *strings.Builder, rep *Report) {
	total := len(rep.Changes)
	if total == 0 {
		return
	}
	// The environment column, when the stack holds environments' resources.
	envs := slices.ContainsFunc(rep.Changes, func(c Change) bool { return c.Environment != "" })
	fmt.Fprintf(b, "<details><summary>Resource changes (%d)</summary>\n\n", total)
	if envs {
		b.WriteString("| | Environment | Type | Resource | Logical id | Impact |\n|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| | Type | Resource | Logical id | Impact |\n|---|---|---|---|---|\n")
	}
	for i, c := range rep.Changes {
		if i == maxTableRows {
			break
		}
		path := ""
		if c.Path != "" {
			path = "`" + escapeCell(c.Path) + "`"
		}
		env := ""
		if envs {
			env = " " + c.Environment + " |"
		}
		fmt.Fprintf(b, "| %s |%s `%s` | %s | `%s` | %s |\n",
			opSymbol(c.Op), env, c.Type, path, escapeCell(c.LogicalID), impactText(c))
	}
	if total > maxTableRows {
		fmt.Fprintf(b, "\n_%d more changes are in the full diff._\n", total-maxTableRows)
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
