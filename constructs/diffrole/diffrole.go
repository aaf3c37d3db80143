// Package diffrole provides DiffRole: an IAM role that GitHub Actions may
// assume, through GitHub's OpenID Connect provider, only from pull requests of
// one repository, with what `cdk diff` needs and no more.
//
// By default the role can run a template diff (`cdk diff --method=template`)
// and nothing else: it reads the one stack's template and status. It may not
// assume the CDK bootstrap lookup role, which the bootstrap template gives
// ReadOnlyAccess to the whole account: whoever can push a branch would read
// the account. The CDK CLI tries the lookup role first and, when the caller's
// credentials are for the stack's account, proceeds with them after the
// warning "Lookup role ... was not assumed. Proceeding with default
// credentials.", so the diff works without it.
//
// With AllowChangeSets the role may also assume the bootstrap deploy and
// file-publishing roles, which `cdk diff --method=change-set` uses to create
// (and delete) a change set. The deploy role can also execute change sets, so
// turn that on only when everyone who can open a pull request may deploy.
package diffrole

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/shipline/shipline/internal/github"
	"github.com/shipline/shipline/internal/propcheck"
)

// GitHub's OpenID Connect issuer and the audience configure-aws-credentials asks for.
const (
	GitHubIssuerURL = "https://token.actions.githubusercontent.com"
	GitHubAudience  = "sts.amazonaws.com"
	// DefaultQualifier is the qualifier of the default `cdk bootstrap` roles.
	DefaultQualifier = "hnb659fds"
)

// DiffRoleProps configures a DiffRole.
type DiffRoleProps struct {
	// Owner is the GitHub user or organization that owns the repository.
	Owner *string
	// Repo is the repository name, without the owner.
	Repo *string
	// Provider is GitHub's OpenID Connect provider when the account already has
	// one (an account holds one provider per issuer URL), for example
	// awsiam.OidcProviderNative_FromOidcProviderArn(...).
	// Default: a new provider for https://token.actions.githubusercontent.com
	// with the client id sts.amazonaws.com.
	Provider awsiam.IOpenIdConnectProvider
	// Qualifier is the qualifier the target environment was bootstrapped with;
	// it names the bootstrap roles AllowChangeSets lets the role assume.
	// Default: "hnb659fds", the `cdk bootstrap` default.
	Qualifier *string
	// AllowChangeSets lets the role assume the bootstrap deploy and
	// file-publishing roles, so `cdk diff` can create a change set and report
	// replacements exactly. The deploy role can deploy, too.
	// Default: false (template diff only: the stack's template and status).
	AllowChangeSets *bool
	// StackName is the name of the deployed stack the role may read directly.
	// Default: the name of the stack the role is defined in.
	StackName *string
	// RegionalStacks are stacks of this account in other Regions the role
	// may read directly too, their names by Region (an app whose stacks
	// span Regions, such as a pipeline's environments and artifact
	// replicas).
	// Default: none.
	RegionalStacks map[string][]string
	// RoleName names the role, so that a StackReader in another account
	// can trust it. Default: a name CloudFormation generates.
	RoleName *string
	// ReadRoleArns are StackReader roles of other accounts the role may
	// assume, to read the stacks there.
	// Default: none.
	ReadRoleArns *[]*string
}

// DiffRole is the role a pull request's `cdk diff` runs as.
type DiffRole struct {
	constructs.Construct
	role     awsiam.Role
	provider awsiam.IOpenIdConnectProvider
}

// Role is the role to put in the AWS_DIFF_ROLE_ARN repository variable.
func (d *DiffRole) Role() awsiam.IRole { return d.role }

// Provider is the OpenID Connect provider the role trusts, created or given.
func (d *DiffRole) Provider() awsiam.IOpenIdConnectProvider { return d.provider }

var (
	qualifierRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,10}$`)
	stackNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
)

// NewDiffRole creates the role (and, unless props.Provider is set, GitHub's
// OpenID Connect provider). A malformed Owner, Repo, Qualifier or StackName
// fails the synth, each reported with the construct's path; a missing Owner
// or Repo panics at once.
func NewDiffRole(scope constructs.Construct, id string, props *DiffRoleProps) *DiffRole {
	p := withDefaults(props)
	if p.StackName == nil {
		p.StackName = awscdk.Stack_Of(scope).StackName()
	}
	d := &DiffRole{}
	constructs.NewConstruct_Override(d, scope, &id)
	propcheck.Report(d, validate(p))

	d.provider = p.Provider
	if d.provider == nil {
		d.provider = awsiam.NewOidcProviderNative(d, jsii.String("Provider"), &awsiam.OidcProviderNativeProps{
			Url:       jsii.String(GitHubIssuerURL),
			ClientIds: jsii.Strings(GitHubAudience),
		})
	}

	// Trust: GitHub's tokens for pull_request events of Owner/Repo only. See
	// "Configuring the role and trust policy" in GitHub's "Configuring OpenID
	// Connect in Amazon Web Services".
	principal := awsiam.NewOpenIdConnectPrincipal(d.provider, &map[string]interface{}{
		"StringEquals": map[string]interface{}{
			"token.actions.githubusercontent.com:aud": GitHubAudience,
		},
		"StringLike": map[string]interface{}{
			"token.actions.githubusercontent.com:sub": fmt.Sprintf("repo:%s/%s:pull_request", *p.Owner, *p.Repo),
		},
	})
	d.role = awsiam.NewRole(d, jsii.String("Resource"), &awsiam.RoleProps{
		RoleName:           p.RoleName,
		AssumedBy:          principal,
		Description:        jsii.String(fmt.Sprintf("cdk diff for pull requests of %s/%s", *p.Owner, *p.Repo)),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})

	// What `cdk diff --method=template` calls, with the role's own
	// credentials once the lookup role is refused: sts:GetCallerIdentity (no
	// permission needed), then cloudformation:DescribeStacks and GetTemplate
	// on the stack. The bootstrap version parameter is read only through an
	// assumed bootstrap role, with that role's permissions.
	stack := awscdk.Stack_Of(d)
	d.role.AddToPolicy(readStacks(stack, p.StackName, p.RegionalStacks))
	if p.ReadRoleArns != nil && len(*p.ReadRoleArns) > 0 {
		// The stacks of other accounts, through their StackReader roles.
		d.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AssumeStackReaders"),
			Actions:   jsii.Strings("sts:AssumeRole"),
			Resources: p.ReadRoleArns,
		}))
	}
	if *p.AllowChangeSets {
		q := *p.Qualifier
		bootstrapRole := func(kind string) *string {
			return jsii.String(fmt.Sprintf("arn:%s:iam::%s:role/cdk-%s-%s-role-%s-%s",
				*stack.Partition(), *stack.Account(), q, kind, *stack.Account(), *stack.Region()))
		}
		d.role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AssumeCdkDeployRoles"),
			Actions:   jsii.Strings("sts:AssumeRole", "sts:TagSession"),
			Resources: &[]*string{bootstrapRole("deploy"), bootstrapRole("file-publishing")},
		}))
	}
	return d
}

// readStacks allows what a template diff reads of the stack stackName,
// and of the regional ones: their templates and status.
func readStacks(stack awscdk.Stack, stackName *string, regional map[string][]string) awsiam.PolicyStatement {
	arn := func(region *string, name *string) *string {
		// A stack ARN ends with the stack's generated id.
		return stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("cloudformation"),
			Region:       region,
			Resource:     jsii.String("stack"),
			ResourceName: jsii.String(*name + "/*"),
			ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})
	}
	resources := []*string{arn(nil, stackName)}
	for _, region := range slices.Sorted(maps.Keys(regional)) {
		for _, name := range regional[region] {
			resources = append(resources, arn(jsii.String(region), jsii.String(name)))
		}
	}
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadTheStack"),
		Actions:   jsii.Strings("cloudformation:DescribeStacks", "cloudformation:GetTemplate"),
		Resources: &resources,
	})
}

// withDefaults copies props and fills in the defaults; the caller's struct is
// left alone.
func withDefaults(props *DiffRoleProps) DiffRoleProps {
	var p DiffRoleProps
	if props != nil {
		p = *props
	}
	if p.Qualifier == nil {
		p.Qualifier = jsii.String(DefaultQualifier)
	}
	if p.AllowChangeSets == nil {
		p.AllowChangeSets = jsii.Bool(false)
	}
	return p
}

func validate(p DiffRoleProps) error {
	var errs []error
	check := func(field string, v *string, valid func(string) bool, allowed string) {
		switch {
		case v == nil:
			errs = append(errs, propcheck.Missing(field, allowed))
		case *v == "":
			errs = append(errs, propcheck.Blocking(fmt.Errorf(`%s: got "", want %s`, field, allowed)))
		case *awscdk.Token_IsUnresolved(*v):
			// Known only at deploy time.
		case !valid(*v):
			errs = append(errs, fmt.Errorf("%s: got %q, want %s", field, *v, allowed))
		}
	}
	check("Owner", p.Owner, github.ValidOwner,
		"a GitHub user or organization name (letters, digits and single inner hyphens, at most 39 characters)")
	check("Repo", p.Repo, github.ValidRepo,
		"a GitHub repository name without the owner (letters, digits, '.', '_' and '-', at most 100 characters, not '.', '..' or ending in .git)")
	check("Qualifier", p.Qualifier, qualifierRE.MatchString,
		"the `cdk bootstrap --qualifier` value (letters, digits, '_' and '-', at most 10 characters)")
	check("StackName", p.StackName, stackNameRE.MatchString,
		"a CloudFormation stack name (a letter, then letters, digits and '-', at most 128 characters)")
	for _, region := range slices.Sorted(maps.Keys(p.RegionalStacks)) {
		if !regionRE.MatchString(region) {
			errs = append(errs, fmt.Errorf("RegionalStacks: got Region %q, want an AWS Region such as eu-west-1", region))
		}
		for _, name := range p.RegionalStacks[region] {
			if !stackNameRE.MatchString(name) {
				errs = append(errs, fmt.Errorf("RegionalStacks[%s]: got %q, want a CloudFormation stack name (a letter, then letters, digits and '-', at most 128 characters)", region, name))
			}
		}
	}
	return errors.Join(errs...)
}
