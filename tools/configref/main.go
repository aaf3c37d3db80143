// Command configref rewrites the README's config reference (between
// <!-- config:start --> and <!-- config:end -->) from the settings table in
// package config, so the two cannot drift apart.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/mdblock"
)

func main() {
	readme := flag.String("readme", "README.md", "README to rewrite")
	check := flag.Bool("check", false, "only report whether the README is current")
	flag.Parse()
	raw, err := os.ReadFile(*readme)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configref:", err)
		os.Exit(1)
	}
	updated, err := mdblock.ConfigReference.Replace(string(raw), config.Markdown())
	if err != nil {
		fmt.Fprintln(os.Stderr, "configref:", err)
		os.Exit(1)
	}
	if *check {
		if updated != string(raw) {
			fmt.Fprintf(os.Stderr, "configref: %s's config reference is stale: run `make docs`\n", *readme)
			os.Exit(1)
		}
		return
	}
	if err := os.WriteFile(*readme, []byte(updated), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "configref:", err)
		os.Exit(1)
	}
}
