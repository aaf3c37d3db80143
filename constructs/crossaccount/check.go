package crossaccount

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/shipline/shipline/internal/propcheck"
)

var (
	reAccount  = regexp.MustCompile(`^[0-9]{12}$`)
	reRoleName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	reRegion   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
)

// checks collects the problems of a construct's props. Every problem is
// blocking: the props become role names, ARNs and policy conditions, which
// the constructor cannot build with a bad value.
type checks struct{ errs []error }

func (c *checks) add(format string, args ...any) {
	c.errs = append(c.errs, propcheck.Blocking(fmt.Errorf(format, args...)))
}

// known reports a nil prop and tells whether v can be checked now (it is
// set and not a token).
func (c *checks) known(name string, v *string) bool {
	if v == nil {
		c.errs = append(c.errs, propcheck.Missing(name, "a value"))
		return false
	}
	return !*awscdk.Token_IsUnresolved(v)
}

func (c *checks) account(name string, v *string) {
	if c.known(name, v) && !reAccount.MatchString(*v) {
		c.add("%s: got %q, want a 12-digit AWS account id", name, *v)
	}
}

func (c *checks) roleName(name string, v *string) {
	if c.known(name, v) && !reRoleName.MatchString(*v) {
		c.add("%s: got %q, want an IAM role name: 1-64 of letters, digits and +=,.@_-", name, *v)
	}
}

// optionalRegion checks a Region prop that may be left out.
func (c *checks) optionalRegion(name string, v *string) {
	if v != nil && !*awscdk.Token_IsUnresolved(v) && !reRegion.MatchString(*v) {
		c.add("%s: got %q, want an AWS Region such as eu-west-1", name, *v)
	}
}
