package diffreport

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// RenderStacks writes one comment for the stacks of an app, in the order
// given (ReadAssembly's: the pipeline's stack, then the environments' stacks
// in pipeline order): a table of the stacks, the warnings of all of them,
// each naming its stack and environment, then a section per stack.
func RenderStacks(w io.Writer, reps []*Report, opt Options) error {
	if len(reps) == 1 && reps[0].Environments == nil && reps[0].Environment == "" && reps[0].Failure == "" {
		return Render(w, reps[0], opt)
	}
	var b strings.Builder
	writeTitle(&b, "")
	b.WriteString("| | Stack | Deploys | Account | Changes |\n|---|---|---|---|---|\n")
	for i, r := range reps {
		summary := r.Summary()
		if r.Failure != "" {
			summary = "**not compared**"
		} else if r.NotDeployed {
			summary += " (not deployed yet)"
		}
		fmt.Fprintf(&b, "| %d | `%s` | %s | %s | %s |\n", i+1, r.Stack, deploys(r, reps), r.Account, summary)
	}
	b.WriteString("\n")

	var warns []string
	for _, r := range reps {
		for _, wn := range r.Warnings() {
			warns = append(warns, fmt.Sprintf("%s: %s", where(r), wn.Message))
		}
	}
	if len(warns) > 0 {
		b.WriteString("> [!WARNING]\n> **Review before merging:** this change can lose data or broadens permissions.\n>\n")
		for _, wn := range warns {
			fmt.Fprintf(&b, "> - %s\n", wn)
		}
		b.WriteString("\n")
	}

	for i, r := range reps {
		fmt.Fprintf(&b, "### %d. `%s`: %s\n\n", i+1, r.Stack, deploys(r, reps))
		if r.Failure != "" {
			b.WriteString("> [!CAUTION]\n> This stack could not be compared; the output below says why.\n\n")
			writeFolded(&b, "Output", r.Failure, opt)
			continue
		}
		if r.NotDeployed {
			b.WriteString("> [!NOTE]\n> The stack is not deployed yet: everything below is new.\n\n")
		}
		fmt.Fprintf(&b, "**Summary:** %s.\n\n", r.Summary())
		writeStages(&b, r)
		writeChanges(&b, r)
		writeFolded(&b, "Full diff of `"+r.Stack+"`", r.Text, opt)
	}
	writeFooter(&b, opt, "compares each stack's deployed template with the synthesized one (the CDK's diff engine); replacements that depend on deploy-time values show as \"may be replaced\"")
	_, err := io.WriteString(w, b.String())
	return err
}

// deploys says what a stack holds: the pipeline and the environments
// without a stack of their own, or its environment.
func deploys(r *Report, all []*Report) string {
	if r.Environment != "" {
		return "environment **" + r.Environment + "**"
	}
	if r.Environments == nil {
		return "—"
	}
	var own []string
	for _, env := range r.Environments {
		if !slices.ContainsFunc(all, func(o *Report) bool { return o.Environment == env }) {
			own = append(own, "**"+env+"**")
		}
	}
	if len(own) == 0 {
		return "the pipeline"
	}
	return "the pipeline; environment " + strings.Join(own, ", ")
}

// where names a warning's stack, and its environment when it has one.
func where(r *Report) string {
	if r.Environment != "" {
		return "**" + r.Environment + "** (`" + r.Stack + "`)"
	}
	return "`" + r.Stack + "`"
}

// writeStages lists the pipeline stages that change, in pipeline order,
// each with its environment.
func writeStages(b *strings.Builder, r *Report) {
	if len(r.Stages) == 0 {
		return
	}
	b.WriteString("**Pipeline stages:**\n\n")
	for _, s := range r.Stages {
		verb := map[Op]string{OpAdd: "added", OpUpdate: "changed", OpRemove: "removed"}[s.Op]
		line := fmt.Sprintf("- %s `%s` %s", opSymbol(s.Op), s.Stage, verb)
		if s.Environment != "" {
			line += " (environment **" + s.Environment + "**)"
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n")
}
