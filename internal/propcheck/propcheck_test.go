package propcheck_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/internal/propcheck"
)

func TestReportDefersToSynth(t *testing.T) {
	stack := cdktest.NewStack()
	msg := cdktest.MustFailSynth(t, stack, func() {
		propcheck.Report(constructs.NewConstruct(stack, jsii.String("A")), errors.Join(
			errors.New("X: got 1, want 2"), errors.New("Y: got a, want b")))
		propcheck.Report(constructs.NewConstruct(stack, jsii.String("B")), nil)
		propcheck.Report(constructs.NewConstruct(stack, jsii.String("C")), errors.New("Z: got c, want d"))
	})
	for _, want := range []string{"[TestStack/A] X: got 1, want 2", "[TestStack/A] Y: got a, want b", "[TestStack/C] Z: got c, want d"} {
		if !strings.Contains(msg, want) {
			t.Errorf("synth error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "TestStack/B") {
		t.Errorf("a construct without problems is listed:\n%s", msg)
	}
}

func TestReportBlockingPanicsAtOnce(t *testing.T) {
	stack := cdktest.NewStack()
	c := constructs.NewConstruct(stack, jsii.String("A"))
	msg := cdktest.MustPanic(t, func() {
		propcheck.Report(c, errors.Join(errors.New("X: got 1, want 2"), propcheck.Missing("Repo", "a repository")))
	})
	for _, want := range []string{"[TestStack/A] X: got 1, want 2", "[TestStack/A] Repo: got nil, want a repository"} {
		if !strings.Contains(msg, want) {
			t.Errorf("panic lacks %q:\n%s", want, msg)
		}
	}
	// Nothing was registered: the panic is the only report.
	if awscdk.Stack_Of(c) == nil || len(*c.Node().Validate()) != 0 {
		t.Errorf("blocking problems were also registered on the node")
	}
}
