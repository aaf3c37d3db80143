// Package propcheck reports a construct's invalid props the way aws-cdk-lib
// reports its own: each problem is registered on the construct's node, so one
// synth lists every problem of every construct at once, each line prefixed
// with the construct's path ("[Stack/Build] Timeout: got 1 minutes, want
// 5-2160 minutes"). A problem the construct cannot be built past (a missing
// required prop) is raised at once instead, still with the path and together
// with the construct's other problems.
package propcheck

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// errBlocking marks a problem the construct cannot be built past.
var errBlocking = errors.New("blocking")

type blocking struct{ err error }

func (b blocking) Error() string        { return b.err.Error() }
func (b blocking) Is(target error) bool { return target == errBlocking }
func (b blocking) Unwrap() error        { return b.err }

// Blocking marks err as a problem the constructor cannot continue past, e.g.
// a required prop that is nil: Report raises it at once.
func Blocking(err error) error { return blocking{err} }

// Missing is the blocking problem of a required prop left nil.
func Missing(prop, want string) error {
	return Blocking(fmt.Errorf("%s: got nil, want %s", prop, want))
}

// validation is a constructs.IValidation holding fixed problems. jsii needs
// a pointer receiver to pass a Go value as the interface.
type validation struct{ problems []string }

func (v *validation) Validate() *[]*string { return jsii.Strings(v.problems...) }

// Report registers each problem of err (an errors.Join of one error per
// problem, or nil) on c's node; the synth then fails listing them with c's
// path. When one of them is Blocking, Report panics now with all of them,
// each prefixed with the path as the synth would.
func Report(c constructs.IConstruct, err error) {
	problems := split(err)
	if len(problems) == 0 {
		return
	}
	lines := make([]string, len(problems))
	block := false
	for i, p := range problems {
		lines[i] = p.Error()
		block = block || errors.Is(p, errBlocking)
	}
	if block {
		panic(Message(c, lines))
	}
	c.Node().AddValidation(&validation{problems: lines})
}

// Message formats problems as the CDK's synth does: one line each, prefixed
// with the construct's path.
func Message(c constructs.IConstruct, problems []string) string {
	var b strings.Builder
	b.WriteString("Validation failed with the following errors:")
	for _, p := range problems {
		fmt.Fprintf(&b, "\n  [%s] %s", *c.Node().Path(), p)
	}
	return b.String()
}

func split(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, split(e)...)
		}
		return out
	}
	return []error{err}
}
