package serverdeploy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
	"github.com/shipline/shipline/internal/ssmpath"
)

// SSMManagedInstanceCore is the AWS managed policy that makes an instance a
// Systems Manager managed node. HostAccess no longer attaches it: it allows
// ssm:GetParameter on every parameter of the account. The host policy holds
// the part of it hosts need instead (ManagedNodeStatements).
//
// Deprecated: detach it from host roles; HostAccess's policy is enough.
const SSMManagedInstanceCore = "AmazonSSMManagedInstanceCore"

// DefaultBundleArtifactName is the name releasepipeline gives the build's
// output artifact, the deploy bundle.
const DefaultBundleArtifactName = "Bundle"

// BuildSecretsDir is the folder of ParameterPath that holds build secrets
// ("/<appName>/build/"): read by the build, never by a host.
const BuildSecretsDir = "build/"

// HostAccessProps configures a HostAccess. ArtifactBucket, Repository and
// ParameterPath are required.
type HostAccessProps struct {
	// ArtifactBucket holds the deploy bundles the CodeDeploy agent downloads.
	ArtifactBucket awss3.IBucket
	// BundleArtifactName is the pipeline output artifact that holds the
	// deploy bundles. The hosts may read only its objects: CodePipeline
	// stores an artifact under "<pipeline name>/<artifact name>/", both
	// names cut to 20 and 10 characters, so the source archives of the same
	// bucket stay out of reach.
	// Default: DefaultBundleArtifactName.
	BundleArtifactName *string
	// Repository holds the image the hosts pull.
	Repository awsecr.IRepository
	// ParameterPath is the Parameter Store path of the app's settings, such
	// as "/myapp/". The hosts may read the parameters directly under it, and
	// those of its sub-paths, except its build secrets (BuildSecretsDir,
	// "/myapp/build/"). A token must resolve to a path ending in '/'.
	ParameterPath *string
	// EnvironmentParameterPaths are further paths the hosts may read in the
	// same way, such as an environment's "/myapp-staging/".
	// Default: none.
	EnvironmentParameterPaths *[]*string
	// PullThroughPrefix is the repository prefix of an ECR pull-through
	// cache rule of the account's registry (such as the one the proxy image
	// comes through). The hosts may pull through it: import the upstream
	// image and create its repository on the first pull, then pull it.
	// Default: none.
	PullThroughPrefix *string
	// ParameterKey is the customer managed KMS key of the SecureString
	// parameters under ParameterPath.
	// Default: none; parameters use the AWS managed key aws/ssm, which needs
	// no statement.
	ParameterKey awskms.IKey
	// Role of the hosts (an instance profile's role) to grant the access to.
	// Default: none; attach Policy() yourself or call GrantTo.
	Role awsiam.IRole
}

// HostAccess is everything a deployment target needs, as one customer
// managed policy: read the deploy bundles in the artifact bucket, pull the
// image, read the app's own settings (and no other parameter of the
// account, nor the app's build secrets), and be a Systems Manager managed
// node for the agent association and Session Manager. GrantTo attaches it to
// a host role. Hosts need no static credentials: the instance profile is
// their only credential source.
type HostAccess struct {
	constructs.Construct
	policy awsiam.ManagedPolicy
}

var (
	reArtifactName      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,100}$`)
	rePullThroughPrefix = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
)

// NewHostAccess creates the host policy and, when Role is given, attaches it.
func NewHostAccess(scope constructs.Construct, id string, props *HostAccessProps) *HostAccess {
	var p HostAccessProps
	if props != nil {
		p = *props
	}
	if p.BundleArtifactName == nil {
		p.BundleArtifactName = jsii.String(DefaultBundleArtifactName)
	}
	h := &HostAccess{}
	constructs.NewConstruct_Override(h, scope, &id)
	propcheck.Report(h, p.validate())
	stack := awscdk.Stack_Of(h)
	if !*awscdk.Token_IsUnresolved(p.ParameterPath) {
		p.ParameterPath = jsii.String(ssmpath.Canonical(*p.ParameterPath))
	}

	statements := []awsiam.PolicyStatement{
		// Deploy bundles: the agent downloads the revision object, by
		// version when the bucket is versioned (CodeDeploy user guide, "Step
		// 4: Create an IAM instance profile for your Amazon EC2 instances"),
		// and only the bundle artifact's objects.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadDeployBundles"),
			Actions:   jsii.Strings("s3:GetObject", "s3:GetObjectVersion"),
			Resources: jsii.Strings(*p.ArtifactBucket.ArnForObjects(jsii.String(BundleObjects(*p.BundleArtifactName)))),
		}),
		// Image pull, as in the AmazonEC2ContainerRegistryReadOnly managed
		// policy but scoped to one repository (Amazon ECR user guide,
		// "Private repository policy examples").
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("PullImage"),
			Actions:   jsii.Strings("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
			Resources: jsii.Strings(*p.Repository.RepositoryArn()),
		}),
		// GetAuthorizationToken is not a resource-level action: AWS requires
		// "*" (Amazon ECR user guide, "Private registry authentication").
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("RegistryLogin"),
			Actions:   jsii.Strings("ecr:GetAuthorizationToken"),
			Resources: jsii.Strings("*"),
		}),
	}
	if p.PullThroughPrefix != nil {
		statements = append(statements, pullThrough(stack, *p.PullThroughPrefix))
	}
	statements = append(statements, settingsStatements(stack, p)...)
	statements = append(statements, ManagedNodeStatements()...)
	// SecureStrings under the AWS managed key aws/ssm need no statement: that
	// key's policy lets every IAM principal of the account decrypt through
	// Parameter Store (Systems Manager user guide, "Restricting decryption of
	// SecureString parameter values",
	// https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-decryption.html).
	// A customer managed key needs kms:Decrypt, through SSM only.
	if p.ParameterKey != nil {
		statements = append(statements, decryptVia("DecryptSettings", p.ParameterKey, "ssm", stack))
	}
	// An SSE-KMS artifact bucket: the agent's GetObject needs kms:Decrypt
	// (Amazon S3 user guide, "Using server-side encryption with AWS KMS keys").
	if key := p.ArtifactBucket.EncryptionKey(); key != nil {
		statements = append(statements, decryptVia("DecryptDeployBundles", key, "s3", stack))
	}

	h.policy = awsiam.NewManagedPolicy(h, jsii.String("Resource"), &awsiam.ManagedPolicyProps{
		Description: jsii.String(fmt.Sprintf("Deployment target access for %s: deploy bundles, image pull, settings, Systems Manager", *p.ParameterPath)),
		Statements:  &statements,
	})
	if p.Role != nil {
		h.GrantTo(p.Role)
	}
	return h
}

// pullThrough lets the hosts pull images through a pull-through cache rule:
// the first pull imports the upstream image (ecr:BatchImportUpstreamImage)
// into a repository it creates (ecr:CreateRepository), only under the
// rule's prefix (Amazon ECR user guide, "IAM permissions required to sync an
// upstream registry with an Amazon ECR private registry",
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
func pullThrough(stack awscdk.Stack, prefix string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("PullThroughCache"),
		Actions: jsii.Strings("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
			"ecr:BatchImportUpstreamImage", "ecr:CreateRepository"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ecr"), Resource: jsii.String("repository"), ResourceName: jsii.String(prefix + "/*"),
			ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})},
	})
}

// BundleObjects is the object key pattern of a pipeline artifact in its
// artifact store: "<pipeline name, 20 characters>/<artifact name, 10
// characters>/<random key>".
func BundleObjects(artifactName string) string {
	if len(artifactName) > 10 {
		artifactName = artifactName[:10]
	}
	return "*/" + artifactName + "/*"
}

// decryptVia allows kms:Decrypt on key, only for requests made through the
// service in the stack's region (AWS KMS developer guide, "kms:ViaService").
func decryptVia(sid string, key awskms.IKey, service string, stack awscdk.Stack) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings("kms:Decrypt"),
		Resources: jsii.Strings(*key.KeyArn()),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{
				"kms:ViaService": awscdk.Fn_Join(jsii.String(""), &[]*string{
					jsii.String(service + "."), stack.Region(), jsii.String("."), stack.UrlSuffix(),
				}),
			},
		},
	})
}

// settingsStatements let the hosts read the parameters under the settings
// paths and never those under ParameterPath's build secrets folder. A
// recursive GetParametersByPath of ParameterPath itself would return the
// build secrets too, whatever denies their own ARNs: Parameter Store
// authorizes it against the requested path only, so it is denied, and the
// hosts read ParameterPath one level deep (Systems Manager user guide, "How
// Parameter Store authorizes parameter retrieval" and "Restricting access to
// specific parameters and paths",
// https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-restrict-parameter-access.html).
func settingsStatements(stack awscdk.Stack, p HostAccessProps) []awsiam.PolicyStatement {
	app := parameterPath{stack, *p.ParameterPath}
	read := []*string{app.arn(""), app.arn("*")}
	if p.EnvironmentParameterPaths != nil {
		for _, env := range *p.EnvironmentParameterPaths {
			e := parameterPath{stack, *env}
			read = append(read, e.arn(""), e.arn("*"))
		}
	}
	return []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadSettings"),
			Actions:   jsii.Strings("ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"),
			Resources: &read,
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("NoBuildSecrets"),
			Effect:    awsiam.Effect_DENY,
			Actions:   jsii.Strings("ssm:GetParameter*"),
			Resources: &[]*string{app.arn(strings.TrimSuffix(BuildSecretsDir, "/")), app.arn(BuildSecretsDir + "*")},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("NoRecursiveSettingsRead"),
			Effect:     awsiam.Effect_DENY,
			Actions:    jsii.Strings("ssm:GetParametersByPath"),
			Resources:  app.self(),
			Conditions: &map[string]any{"StringEquals": map[string]any{"ssm:Recursive": "true"}},
		}),
	}
}

// parameterPath is a Parameter Store path such as "/myapp/", or a token.
type parameterPath struct {
	stack awscdk.Stack
	path  string
}

// arn is the ARN of the parameter (or path) rest under the path: "" for the
// path itself, "*" for everything under it.
func (pp parameterPath) arn(rest string) *string {
	if *awscdk.Token_IsUnresolved(jsii.String(pp.path)) {
		// A token path such as "/myapp/": join it as given.
		return awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String("arn:"), pp.stack.Partition(), jsii.String(":ssm:"), pp.stack.Region(), jsii.String(":"), pp.stack.Account(),
			jsii.String(":parameter"), jsii.String(pp.path), jsii.String(rest),
		})
	}
	name := strings.Trim(pp.path, "/")
	if rest != "" {
		name += "/" + rest
	}
	return pp.stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ssm"),
		Resource:     jsii.String("parameter"),
		ResourceName: jsii.String(name),
		ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}

// self are the ARNs a GetParametersByPath of the path itself is authorized
// against, with and without the trailing '/'.
func (pp parameterPath) self() *[]*string {
	if *awscdk.Token_IsUnresolved(jsii.String(pp.path)) {
		return &[]*string{pp.arn("")}
	}
	name := strings.Trim(pp.path, "/")
	slash := pp.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ssm"), Resource: jsii.String("parameter"), ResourceName: jsii.String(name + "/"),
		ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
	return &[]*string{pp.arn(""), slash}
}

func (p HostAccessProps) validate() error {
	var errs []error
	if p.ArtifactBucket == nil {
		errs = append(errs, propcheck.Missing("ArtifactBucket", "the pipeline's artifact bucket"))
	}
	if p.Repository == nil {
		errs = append(errs, propcheck.Missing("Repository", "the image repository"))
	}
	switch {
	case p.ParameterPath == nil:
		errs = append(errs, propcheck.Missing("ParameterPath", `a Parameter Store path such as "/myapp/"`))
	case *awscdk.Token_IsUnresolved(p.ParameterPath):
	case !ssmpath.Valid(*p.ParameterPath):
		errs = append(errs, fmt.Errorf("ParameterPath: got %q, want %s", *p.ParameterPath, ssmpath.Want))
	}
	if pp := p.PullThroughPrefix; pp != nil && (len(*pp) < 2 || len(*pp) > 30 || !rePullThroughPrefix.MatchString(*pp)) {
		errs = append(errs, fmt.Errorf("PullThroughPrefix: got %q, want an ECR repository prefix of 2-30 lower-case letters, digits and single '.', '_', '-' or '/'", *p.PullThroughPrefix))
	}
	if p.BundleArtifactName != nil && !reArtifactName.MatchString(*p.BundleArtifactName) {
		errs = append(errs, fmt.Errorf("BundleArtifactName: got %q, want a CodePipeline artifact name (1-100 letters, digits, '_' or '-')", *p.BundleArtifactName))
	}
	if p.BundleArtifactName != nil && !reArtifactName.MatchString(*p.BundleArtifactName) {
		errs = append(errs, fmt.Errorf("BundleArtifactName: got %q, want a CodePipeline artifact name (1-100 letters, digits, '_' or '-')", *p.BundleArtifactName))
	}
	if p.EnvironmentParameterPaths != nil {
		for _, env := range *p.EnvironmentParameterPaths {
			switch {
			case env == nil:
				errs = append(errs, propcheck.Missing("EnvironmentParameterPaths", `Parameter Store paths such as "/myapp-staging/"`))
			case *awscdk.Token_IsUnresolved(env):
			case !ssmpath.Valid(*env):
				errs = append(errs, fmt.Errorf("EnvironmentParameterPaths: got %q, want %s", *env, ssmpath.Want))
			case p.ParameterPath != nil && !*awscdk.Token_IsUnresolved(p.ParameterPath) && holds(*env, ssmpath.Canonical(*p.ParameterPath)+BuildSecretsDir):
				errs = append(errs, fmt.Errorf("EnvironmentParameterPaths: got %q, want a path that does not hold the build secrets under %s%s", *env, ssmpath.Canonical(*p.ParameterPath), BuildSecretsDir))
			}
		}
	}
	return errors.Join(errs...)
}

// holds tells whether path is, or is an ancestor of, the path under.
func holds(path, under string) bool {
	return strings.HasPrefix(ssmpath.Canonical(under), ssmpath.Canonical(path))
}

// GrantTo attaches the host policy to role.
func (h *HostAccess) GrantTo(role awsiam.IRole) {
	for _, mp := range h.ManagedPolicies() {
		role.AddManagedPolicy(mp)
	}
}

// Policy is the customer managed host policy (the escape hatch); attach it to
// the instance profile role of existing hosts.
func (h *HostAccess) Policy() awsiam.ManagedPolicy { return h.policy }

// ManagedPolicies are the policies a host role needs: the host policy alone.
func (h *HostAccess) ManagedPolicies() []awsiam.IManagedPolicy {
	return []awsiam.IManagedPolicy{h.policy}
}
