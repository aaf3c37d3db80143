package test

import (
	"testing"

	"github.com/shipline/shipline/internal/cfnlint"
)

// TestCfnLint runs the AWS CloudFormation linter on every variant's
// template, in one cfn-lint run.
func TestCfnLint(t *testing.T) {
	files := map[string]string{}
	for _, v := range stackVariants {
		files[synthVariant(t, v).file] = v.name
	}
	cfnlint.Lint(t, files)
}
