package diffrole

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// StackReaderProps configures a StackReader.
type StackReaderProps struct {
	// RoleName of the role: the diff role names it in its policy
	// (DiffRoleProps.ReadRoleArns).
	RoleName *string
	// DiffRoleArn is the pull-request diff role of the pipeline's account
	// (DiffRole with a RoleName): the one principal that may assume this
	// role. A literal ARN: its account is the one trusted.
	DiffRoleArn *string
	// StackName is the name of the stack the role may read.
	// Default: the name of the stack the role is defined in.
	StackName *string
}

// StackReader is a role in another account than the diff role's that the
// diff role assumes to read one stack's template and status there: a stack
// of an environment in another account, which the diff role's own
// credentials cannot read.
type StackReader struct {
	constructs.Construct
	role awsiam.Role
}

// Role is the role the diff role assumes.
func (r *StackReader) Role() awsiam.IRole { return r.role }

// NewStackReader creates the role. Trust: the diff role's account, only for
// that role (aws:PrincipalArn; the trust policy cannot name the role itself
// as a principal before it exists, and the target stack is deployed first).
func NewStackReader(scope constructs.Construct, id string, props *StackReaderProps) *StackReader {
	var p StackReaderProps
	if props != nil {
		p = *props
	}
	if p.StackName == nil {
		p.StackName = awscdk.Stack_Of(scope).StackName()
	}
	r := &StackReader{}
	constructs.NewConstruct_Override(r, scope, &id)
	var errs []error
	if p.RoleName == nil {
		errs = append(errs, propcheck.Missing("RoleName", "the role's name, which the diff role's policy names"))
	}
	account := ""
	if p.DiffRoleArn == nil {
		errs = append(errs, propcheck.Missing("DiffRoleArn", "the ARN of the pipeline account's diff role"))
	} else if account = *awscdk.Arn_Split(p.DiffRoleArn, awscdk.ArnFormat_SLASH_RESOURCE_NAME).Account; *awscdk.Token_IsUnresolved(account) || account == "" {
		errs = append(errs, propcheck.Blocking(fmt.Errorf("DiffRoleArn: got %q, want a literal role ARN such as arn:aws:iam::111111111111:role/web-diff", *p.DiffRoleArn)))
	}
	propcheck.Report(r, errors.Join(errs...))

	principal := awsiam.NewAccountPrincipal(jsii.String(account)).WithConditions(&map[string]any{
		"ArnEquals": map[string]any{"aws:PrincipalArn": *p.DiffRoleArn},
	})
	r.role = awsiam.NewRole(r, jsii.String("Resource"), &awsiam.RoleProps{
		RoleName:           p.RoleName,
		AssumedBy:          principal,
		Description:        jsii.String("cdk diff of pull requests: reads the template of " + *p.StackName + " for the diff role of account " + account),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
	r.role.AddToPolicy(readStacks(awscdk.Stack_Of(r), p.StackName, nil))
	return r
}
