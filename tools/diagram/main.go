// Command diagram prints the delivery pipeline of a synthesized stack as a
// Mermaid flowchart, or keeps the README's copy of it current.
//
//	go run ./tools/diagram -template cdk.out/PipelineStack.template.json
//	go run ./tools/diagram -template cdk.out/PipelineStack.template.json -readme README.md
//	go run ./tools/diagram -template cdk.out/PipelineStack.template.json -readme README.md -check
//	go run ./tools/diagram -template cdk.out/PipelineStack.template.json \
//	  -with cdk.out/PipelineStack-production.template.json
//
// With -readme it rewrites the block between <!-- diagram:start --> and
// <!-- diagram:end -->; with -check as well it only reports whether the block
// is current, and exits with status 1 when it is not. -with adds another
// stack of the app (repeatable), named by its file: an environment's stack in
// another account, whose deployment group the pipeline deploys to by name.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/shipline/shipline/internal/mdblock"
	"github.com/shipline/shipline/tools/diagram/flowchart"
)

func main() {
	tpl := flag.String("template", "cdk.out/PipelineStack.template.json", "synthesized CloudFormation template (JSON)")
	readme := flag.String("readme", "", "README whose diagram block to rewrite; empty prints the diagram")
	check := flag.Bool("check", false, "with -readme: fail when the block is stale instead of rewriting it")
	var with files
	flag.Var(&with, "with", "template of another stack of the app (repeatable)")
	flag.Parse()
	if err := run(*tpl, with, *readme, *check); err != nil {
		fmt.Fprintln(os.Stderr, "diagram:", err)
		os.Exit(1)
	}
}

// files is a repeatable flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func run(templatePath string, with []string, readmePath string, check bool) error {
	t, err := flowchart.Load(templatePath)
	if err != nil {
		return err
	}
	var others []*flowchart.Template
	for _, w := range with {
		o, err := flowchart.Load(w)
		if err != nil {
			return err
		}
		others = append(others, o)
	}
	block, err := flowchart.Block(t, others...)
	if err != nil {
		return fmt.Errorf("%s: %w", templatePath, err)
	}
	if readmePath == "" {
		_, err := fmt.Print(block)
		return err
	}
	old, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	updated, err := mdblock.Diagram.Replace(string(old), block)
	if err != nil {
		return fmt.Errorf("%s: %w", readmePath, err)
	}
	if updated == string(old) {
		return nil
	}
	if check {
		return fmt.Errorf("%s: the pipeline diagram is stale; run `make diagram`", readmePath)
	}
	return os.WriteFile(readmePath, []byte(updated), 0o644)
}
