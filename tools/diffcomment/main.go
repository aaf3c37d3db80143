// Command diffcomment compares a stack's deployed template with its
// synthesized one and writes the markdown of a pull-request comment:
//
//	aws cloudformation get-template --stack-name PipelineStack \
//	  --query TemplateBody --output json >deployed.json
//	npx cdk synth PipelineStack --quiet
//	go run ./tools/diffcomment -stack PipelineStack -deployed deployed.json \
//	  -synth cdk.out/PipelineStack.template.json -commit "$SHA" -out comment.md
//
// The comparison uses the CDK's own diff engine, pinned in
// tools/diffcomment/cfndiff (install it with `npm ci` there; `make test`
// does). An empty or missing -deployed file stands for a stack not deployed
// yet. With -failure LOG it writes a comment saying the diff could not be
// computed, with LOG (the output of the step that failed).
//
// For an app of several stacks (an environment in another account has its
// own), -assembly compares every stack of the cloud assembly, in pipeline
// order, each against DIR/<stack name>.json of -deployed-dir, and writes one
// comment (a DIR/<stack name>.error file instead holds the output of the
// step that could not read that stack's template). -list prints the stacks
// in that order, one "name account region" line each, for the workflow to
// read their deployed templates:
//
//	go run ./tools/diffcomment -assembly cdk.out -list
//	go run ./tools/diffcomment -assembly cdk.out -deployed-dir deployed -commit "$SHA" -out comment.md
//
// The comment starts with a hidden marker (<!-- shipline-cdk-diff -->) so a
// workflow can find and update its previous comment. With -fail-on-warning it
// exits with status 2 after writing the comment when the diff replaces or
// deletes a stateful resource, makes data deletable or broadens permissions.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/shipline/shipline/tools/diffcomment/diffreport"
)

type config struct {
	stack, deployed, synth, engine, out, commit, failure string
	assembly, deployedDir                                string
	failOnWarning, list                                  bool
}

func main() {
	var c config
	flag.StringVar(&c.stack, "stack", "PipelineStack", "name of the stack")
	flag.StringVar(&c.deployed, "deployed", "", "the deployed template (JSON); empty or missing: not deployed yet")
	flag.StringVar(&c.synth, "synth", "", "the synthesized template, e.g. cdk.out/PipelineStack.template.json")
	flag.StringVar(&c.engine, "engine", "", "folder of the pinned diff engine (default: "+diffreport.EngineDir+" in the module)")
	flag.StringVar(&c.out, "out", "-", "file to write the comment to; - for standard output")
	flag.StringVar(&c.commit, "commit", "", "commit the diff was computed for")
	flag.StringVar(&c.failure, "failure", "", "the log of a step that failed: write a comment saying so instead of a diff")
	flag.BoolVar(&c.failOnWarning, "fail-on-warning", false, "exit with status 2 when the comment has warnings")
	flag.StringVar(&c.assembly, "assembly", "", "cloud assembly (cdk.out) whose stacks to compare, in pipeline order, instead of -synth")
	flag.StringVar(&c.deployedDir, "deployed-dir", "", "with -assembly: folder of the deployed templates, <stack name>.json (or .error) each")
	flag.BoolVar(&c.list, "list", false, "with -assembly: print the stacks in pipeline order, \"name account region\" a line")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "diffcomment:", err)
		if errors.Is(err, errWarnings) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errWarnings = errors.New("the diff has warnings")

func run(c config) error {
	var w io.Writer = os.Stdout
	if c.out != "-" {
		f, err := os.Create(c.out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	opt := diffreport.Options{Commit: c.commit}
	if c.assembly != "" {
		return runAssembly(w, c, opt)
	}
	if c.failure != "" {
		log, err := os.ReadFile(c.failure)
		if err != nil {
			return err
		}
		return diffreport.RenderFailure(w, c.stack, string(log), opt)
	}
	if c.synth == "" {
		return errors.New("-synth is required: the synthesized template to compare")
	}
	rep, err := diffreport.Compare(c.stack, c.deployed, c.synth, diffreport.CompareOptions{Engine: c.engine})
	if err != nil {
		return err
	}
	if err := diffreport.Render(w, rep, opt); err != nil {
		return err
	}
	if c.failOnWarning && len(rep.Warnings()) > 0 {
		return errWarnings
	}
	return nil
}

// runAssembly compares every stack of the cloud assembly and writes one
// comment, or lists the stacks with -list.
func runAssembly(w io.Writer, c config, opt diffreport.Options) error {
	stacks, err := diffreport.ReadAssembly(c.assembly)
	if err != nil {
		return fmt.Errorf("%s: %w", c.assembly, err)
	}
	if c.list {
		for _, s := range stacks {
			if _, err := fmt.Fprintf(w, "%s %s %s\n", s.Name, dash(s.Account), dash(s.Region)); err != nil {
				return err
			}
		}
		return nil
	}
	if c.deployedDir == "" {
		return errors.New("-deployed-dir is required with -assembly: the folder of the deployed templates")
	}
	var reps []*diffreport.Report
	warnings := false
	for _, s := range stacks {
		base := filepath.Join(c.deployedDir, s.Name)
		if log, err := os.ReadFile(base + ".error"); err == nil {
			reps = append(reps, &diffreport.Report{Stack: s.Name, Account: s.Account, Environment: s.Environment, Failure: string(log)})
			continue
		}
		rep, err := diffreport.CompareStack(s, base+".json", diffreport.CompareOptions{Engine: c.engine})
		if err != nil {
			return err
		}
		warnings = warnings || len(rep.Warnings()) > 0
		reps = append(reps, rep)
	}
	if err := diffreport.RenderStacks(w, reps, opt); err != nil {
		return err
	}
	if c.failOnWarning && warnings {
		return errWarnings
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
