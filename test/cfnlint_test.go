package test

import (
	"path/filepath"
	"testing"

	"github.com/shipline/shipline/internal/cfnlint"
)

// TestCfnLint runs the AWS CloudFormation linter on every variant's
// template, and those of its environments' other stacks (other accounts and
// Regions), in one cfn-lint run.
func TestCfnLint(t *testing.T) {
	files := map[string]string{}
	for _, v := range stackVariants {
		r := synthVariant(t, v)
		files[r.file] = v.name
		for _, other := range r.otherStacks() {
			name := *other.StackName()
			files[filepath.Join(filepath.Dir(r.file), name+".template.json")] = v.name + "/" + name
		}
	}
	cfnlint.Lint(t, files)
}
