// Command snippets rewrites the Go blocks of Markdown files from the code
// they show (see internal/snippets): `go run ./tools/snippets README.md docs/*.md`.
// With -check it only reports files that are stale.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/shipline/shipline/internal/snippets"
)

func main() {
	check := flag.Bool("check", false, "only report whether the files are current")
	root := flag.String("root", ".", "module root the snippet paths are relative to")
	flag.Parse()
	code := 0
	for _, path := range flag.Args() {
		if err := run(path, *root, *check); err != nil {
			fmt.Fprintf(os.Stderr, "snippets: %s: %v\n", path, err)
			code = 1
		}
	}
	os.Exit(code)
}

func run(path, root string, check bool) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := snippets.Render(string(raw), root)
	if err != nil {
		return err
	}
	if updated == string(raw) {
		return nil
	}
	if check {
		return fmt.Errorf("stale Go snippets: run `make docs`")
	}
	return os.WriteFile(path, []byte(updated), 0o644)
}
