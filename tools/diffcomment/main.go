// Command diffcomment turns `cdk diff` output into the markdown of a
// pull-request comment. It reads the output from a file (or standard input)
// and writes the comment to standard output.
//
//	npx cdk diff PipelineStack --no-color >diff.txt 2>&1
//	go run ./tools/diffcomment -in diff.txt -method template -commit "$SHA" >comment.md
//
// The comment starts with a hidden marker (<!-- shipline-cdk-diff -->) so a
// workflow can find and update its previous comment. With -fail-on-warning it
// exits with status 2 after writing the comment when the diff replaces or
// deletes a stateful resource or broadens IAM permissions.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shipline/shipline/tools/diffcomment/diffreport"
)

func main() {
	in := flag.String("in", "-", "cdk diff output to read; - for standard input")
	out := flag.String("out", "-", "file to write the comment to; - for standard output")
	method := flag.String("method", "", "how the diff was computed: change-set or template")
	commit := flag.String("commit", "", "commit the diff was computed for")
	failed := flag.Bool("failed", false, "cdk diff exited with an error")
	failOnWarning := flag.Bool("fail-on-warning", false, "exit with status 2 when the comment has warnings")
	flag.Parse()
	if err := run(*in, *out, *method, *commit, *failed, *failOnWarning); err != nil {
		fmt.Fprintln(os.Stderr, "diffcomment:", err)
		if err == errWarnings {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errWarnings = fmt.Errorf("the diff has warnings")

func run(in, out, method, commit string, failed, failOnWarning bool) error {
	var raw []byte
	var err error
	if in == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(in)
	}
	if err != nil {
		return err
	}
	rep, err := diffreport.Parse(strings.NewReader(string(raw)))
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	opt := diffreport.Options{Method: method, Commit: commit, Failed: failed}
	if err := diffreport.Render(w, rep, string(raw), opt); err != nil {
		return err
	}
	if failOnWarning && len(rep.Warnings()) > 0 {
		return errWarnings
	}
	return nil
}
