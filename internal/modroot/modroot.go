// Package modroot finds the Go module the working directory belongs to, so
// tools and tests run from any package folder reach files at the module root.
package modroot

import (
	"fmt"
	"os"
	"path/filepath"
)

// Find returns the nearest directory, from the working directory up, that
// holds a go.mod.
func Find() (string, error) {
	start, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := start; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod in %s or above: run inside the shipline module", start)
		}
		dir = parent
	}
}
