package serverdeploy

import (
	"errors"
	"fmt"
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
// Systems Manager managed node: State Manager (the agent association),
// Session Manager and inventory. AWS maintains its statements.
const SSMManagedInstanceCore = "AmazonSSMManagedInstanceCore"

// HostAccessProps configures a HostAccess. ArtifactBucket, Repository and
// ParameterPath are required.
type HostAccessProps struct {
	// ArtifactBucket holds the deploy bundles the CodeDeploy agent downloads.
	ArtifactBucket awss3.IBucket
	// Repository holds the image the hosts pull.
	Repository awsecr.IRepository
	// ParameterPath is the Parameter Store path of the app's settings, such
	// as "/myapp/"; the hosts may read every parameter under it.
	ParameterPath *string
	// ParameterKey is the customer managed KMS key of the SecureString
	// parameters under ParameterPath.
	// Default: none; parameters use the AWS managed key aws/ssm, which needs
	// no statement.
	ParameterKey awskms.IKey
	// Role of the hosts (an instance profile's role) to grant the access to.
	// Default: none; attach Policy() yourself or call GrantTo.
	Role awsiam.IRole
}

// HostAccess is what a deployment target needs, as one customer managed
// policy: read the deploy bundles in the artifact bucket, pull the image,
// read the app's parameters. Together with the AWS managed
// AmazonSSMManagedInstanceCore policy (for the agent association and Session
// Manager), it is what GrantTo attaches to a host role. Hosts need no static
// credentials: the instance profile is their only credential source.
type HostAccess struct {
	constructs.Construct
	policy awsiam.ManagedPolicy
	core   awsiam.IManagedPolicy
}

// NewHostAccess creates the host policy and, when Role is given, attaches it.
func NewHostAccess(scope constructs.Construct, id string, props *HostAccessProps) *HostAccess {
	var p HostAccessProps
	if props != nil {
		p = *props
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
		// 4: Create an IAM instance profile for your Amazon EC2 instances").
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadDeployBundles"),
			Actions:   jsii.Strings("s3:GetObject", "s3:GetObjectVersion"),
			Resources: jsii.Strings(*p.ArtifactBucket.ArnForObjects(jsii.String("*"))),
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
		// Settings: the path itself (GetParametersByPath) and everything
		// under it (Systems Manager user guide, "Restricting access to
		// Systems Manager parameters using IAM policies").
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadSettings"),
			Actions:   jsii.Strings("ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"),
			Resources: parameterArns(stack, *p.ParameterPath),
		}),
	}
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
		Description: jsii.String(fmt.Sprintf("Deployment target access for %s: deploy bundles, image pull, settings", *p.ParameterPath)),
		Statements:  &statements,
	})
	h.core = awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(SSMManagedInstanceCore))
	if p.Role != nil {
		h.GrantTo(p.Role)
	}
	return h
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

// parameterArns are the ARNs of the path ("parameter/<app>") and of the
// parameters under it ("parameter/<app>/*").
func parameterArns(stack awscdk.Stack, path string) *[]*string {
	if *awscdk.Token_IsUnresolved(jsii.String(path)) {
		// A token path such as "/myapp/": join it as given.
		base := awscdk.Fn_Join(jsii.String(""), &[]*string{
			jsii.String("arn:"), stack.Partition(), jsii.String(":ssm:"), stack.Region(), jsii.String(":"), stack.Account(), jsii.String(":parameter"), jsii.String(path),
		})
		return &[]*string{base, awscdk.Fn_Join(jsii.String(""), &[]*string{base, jsii.String("*")})}
	}
	name := strings.Trim(path, "/")
	arn := func(resourceName string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("ssm"),
			Resource:     jsii.String("parameter"),
			ResourceName: jsii.String(resourceName),
			ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})
	}
	return &[]*string{arn(name), arn(name + "/*")}
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
	return errors.Join(errs...)
}

// GrantTo attaches the host policy and AmazonSSMManagedInstanceCore to role.
// An imported role gets the host policy; CDK cannot attach an AWS managed
// policy to an imported role and warns instead: attach
// AmazonSSMManagedInstanceCore to it yourself.
func (h *HostAccess) GrantTo(role awsiam.IRole) {
	for _, mp := range h.ManagedPolicies() {
		role.AddManagedPolicy(mp)
	}
}

// Policy is the customer managed host policy (the escape hatch); attach it to
// the instance profile role of existing hosts.
func (h *HostAccess) Policy() awsiam.ManagedPolicy { return h.policy }

// ManagedPolicies are the policies a host role needs: the host policy and
// AmazonSSMManagedInstanceCore.
func (h *HostAccess) ManagedPolicies() []awsiam.IManagedPolicy {
	return []awsiam.IManagedPolicy{h.policy, h.core}
}
