package main

import "testing"

func TestWithoutTrace(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{
			"ValidationFailedWithErrors: Validation failed with the following errors:\n  [PipelineStack/Build] Timeout: got 1 minutes, want 5-2160 minutes\n  [PipelineStack/Release] Branch: got \"a..b\", want a Git branch name such as main\n    at validateTree (/x/aws-cdk-lib/core/lib/private/synthesis.js:1:1)",
			"ValidationFailedWithErrors: Validation failed with the following errors:\n  [PipelineStack/Build] Timeout: got 1 minutes, want 5-2160 minutes\n  [PipelineStack/Release] Branch: got \"a..b\", want a Git branch name such as main",
		},
		{"Error: something broke\n    at Object.<anonymous> (/x.js:1:1)\n    at Module._compile", "Error: something broke"},
		{"one line", "one line"},
	} {
		if got := withoutTrace(tc.in); got != tc.want {
			t.Errorf("withoutTrace(%q) =\n%s\nwant\n%s", tc.in, got, tc.want)
		}
	}
}
