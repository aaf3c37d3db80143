package crossaccount

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/propcheck"
)

// TargetRolesProps configures TargetRoles. Every field is required but
// AppLogGroup and PipelineRegion.
type TargetRolesProps struct {
	// PipelineAccount is the id of the account holding the pipeline, its
	// artifact bucket, its key and the image repository.
	PipelineAccount *string
	// PipelineRegion is the Region of the image repository.
	// Default: this stack's Region.
	PipelineRegion *string
	// DeployRoleName is the deploy role's physical name: the pipeline stack
	// names it in its CodeDeploy action and its key policy (RoleArn).
	DeployRoleName *string
	// HostRoleName is the hosts' role's physical name (its instance profile
	// has the same name): the pipeline stack admits it to the artifact
	// bucket, the key and the image repository.
	HostRoleName *string
	// ApplicationName and DeploymentGroupName name the CodeDeploy
	// application and deployment group of this account the deploy role may
	// deploy with.
	ApplicationName     *string
	DeploymentGroupName *string
	// ParameterPath is the Parameter Store path of the environment's
	// settings in this account, such as "/myapp/production/": the hosts read
	// the parameters directly under it (GetParametersByPath, not recursive).
	ParameterPath *string
	// AppLogGroup is the log group of this account the hosts' containers
	// write to (Docker's awslogs driver): the host role may create streams
	// in it and put events, nothing else of CloudWatch Logs. Nil: no log
	// access.
	AppLogGroup awslogs.ILogGroup
}

// TargetRoles are the two roles an account needs so that a pipeline in
// another account can deploy to its hosts: a deploy role that only the
// pipeline account may assume (CodePipeline's CodeDeploy action runs as it),
// and the hosts' role with its instance profile.
//
// The statements that reach into the pipeline account (the deploy bundles,
// their key, the image) are scoped to that account rather than to resource
// names this account cannot know: cross-account access needs the resource's
// own policy too, and the pipeline stack admits these two roles by name to
// its artifact bucket, its key and its repository only.
type TargetRoles struct {
	constructs.Construct
	deploy  awsiam.Role
	host    awsiam.Role
	profile awsiam.InstanceProfile
}

// NewTargetRoles creates the deploy role, the host role and its instance
// profile.
func NewTargetRoles(scope constructs.Construct, id string, props *TargetRolesProps) *TargetRoles {
	var p TargetRolesProps
	if props != nil {
		p = *props
	}
	r := &TargetRoles{}
	constructs.NewConstruct_Override(r, scope, &id)
	propcheck.Report(r, p.validate())
	stack := awscdk.Stack_Of(r)

	// The deploy bundles of any bucket: their names are not known here.
	bundles := "*/" + serverdeploy.BundleObjects(serverdeploy.DefaultBundleArtifactName)
	r.deploy = awsiam.NewRole(r, jsii.String("DeployRole"), &awsiam.RoleProps{
		RoleName:    p.DeployRoleName,
		Description: jsii.String("CodePipeline's CodeDeploy action, from the pipeline account " + *p.PipelineAccount),
		// The pipeline account's administrators decide which of its
		// principals may assume the role; CodePipeline's role is granted
		// sts:AssumeRole on this ARN there.
		AssumedBy: awsiam.NewAccountPrincipal(p.PipelineAccount),
	})
	codedeploy := func(resource, name string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("codedeploy"), Resource: jsii.String(resource), ResourceName: jsii.String(name),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
	}
	// What CodePipeline's CodeDeploy action calls (CodePipeline user guide,
	// "CodeDeploy action reference", service role permissions).
	r.deploy.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("Deploy"),
		Actions: jsii.Strings("codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"),
		Resources: &[]*string{
			codedeploy("application", *p.ApplicationName),
			codedeploy("deploymentgroup", *p.ApplicationName+"/"+*p.DeploymentGroupName),
		},
	}))
	r.deploy.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadDeploymentConfig"),
		Actions:   jsii.Strings("codedeploy:GetDeploymentConfig"),
		Resources: &[]*string{codedeploy("deploymentconfig", "*")},
	}))
	r.deploy.AddToPolicy(bundleRead(p.PipelineAccount, "ReadDeployBundles", bundles, "s3:GetObject*"))
	r.deploy.AddToPolicy(bundleRead(p.PipelineAccount, "ReadArtifactBuckets", "*", "s3:GetBucket*", "s3:List*"))
	r.deploy.AddToPolicy(keyUse(stack, p.PipelineAccount, "DecryptDeployBundles"))

	r.host = awsiam.NewRole(r, jsii.String("HostRole"), &awsiam.RoleProps{
		RoleName:    p.HostRoleName,
		Description: jsii.String("Hosts deployed by the pipeline of account " + *p.PipelineAccount),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
	})
	// A managed node (agent association, Session Manager) without
	// AmazonSSMManagedInstanceCore's read of every parameter of the account.
	for _, st := range serverdeploy.ManagedNodeStatements() {
		r.host.AddToPolicy(st)
	}
	r.host.AddToPolicy(bundleRead(p.PipelineAccount, "ReadDeployBundles", bundles, "s3:GetObject", "s3:GetObjectVersion"))
	r.host.AddToPolicy(keyUse(stack, p.PipelineAccount, "DecryptDeployBundles"))
	r.host.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("PullImage"),
		Actions: jsii.Strings("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ecr"), Account: p.PipelineAccount, Region: p.PipelineRegion, Resource: jsii.String("repository"), ResourceName: jsii.String("*"),
		})},
	}))
	// Not a resource-level action: AWS requires "*" (Amazon ECR user guide,
	// "Private registry authentication").
	r.host.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("RegistryLogin"), Actions: jsii.Strings("ecr:GetAuthorizationToken"), Resources: jsii.Strings("*"),
	}))
	path := strings.Trim(*p.ParameterPath, "/")
	parameter := func(name string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ssm"), Resource: jsii.String("parameter"), ResourceName: jsii.String(name),
			ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})
	}
	r.host.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadSettings"),
		Actions:   jsii.Strings("ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"),
		Resources: &[]*string{parameter(path), parameter(path + "/*")},
	}))
	// Only the parameters directly under the path, as the hooks read them:
	// nothing nested below it, whatever it holds.
	r.host.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("NoRecursiveSettingsRead"),
		Effect:     awsiam.Effect_DENY,
		Actions:    jsii.Strings("ssm:GetParametersByPath"),
		Resources:  &[]*string{parameter(path), parameter(path + "/*")},
		Conditions: &map[string]any{"StringEquals": map[string]any{"ssm:Recursive": "true"}},
	}))
	if p.AppLogGroup != nil {
		// The two calls of the awslogs driver, which does not create groups.
		r.host.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AppLogs"),
			Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources: &[]*string{p.AppLogGroup.LogGroupArn()},
		}))
	}
	r.profile = awsiam.NewInstanceProfile(r, jsii.String("HostProfile"), &awsiam.InstanceProfileProps{
		Role:                r.host,
		InstanceProfileName: p.HostRoleName,
	})
	return r
}

// bundleRead allows actions on the pipeline account's S3 resources
// "arn:<partition>:s3:::<resource>": of another account, the artifact
// bucket's policy is what admits this role to one of them; of the same
// account (an environment in another Region), this statement alone, so it
// names the deploy bundles' keys rather than every object.
func bundleRead(account *string, sid, resource string, actions ...string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(sid),
		Actions:    jsii.Strings(actions...),
		Resources:  &[]*string{awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":s3:::" + resource)})},
		Conditions: &map[string]any{"StringEquals": map[string]any{"s3:ResourceAccount": *account}},
	})
}

// keyUse allows decrypting with the pipeline account's keys through S3
// only; the artifact key's policy is what admits this role to that key.
func keyUse(stack awscdk.Stack, account *string, sid string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String(sid),
		Actions: jsii.Strings("kms:Decrypt", "kms:DescribeKey"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("kms"), Account: account, Resource: jsii.String("key"), ResourceName: jsii.String("*"),
		})},
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"kms:ViaService": awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("s3."), stack.Region(), jsii.String(".amazonaws.com")}),
		}},
	})
}

func (p TargetRolesProps) validate() error {
	var c checks
	c.account("PipelineAccount", p.PipelineAccount)
	c.optionalRegion("PipelineRegion", p.PipelineRegion)
	c.roleName("DeployRoleName", p.DeployRoleName)
	c.roleName("HostRoleName", p.HostRoleName)
	c.known("ApplicationName", p.ApplicationName)
	c.known("DeploymentGroupName", p.DeploymentGroupName)
	if c.known("ParameterPath", p.ParameterPath) && (!strings.HasPrefix(*p.ParameterPath, "/") || strings.Trim(*p.ParameterPath, "/") == "") {
		c.add(`ParameterPath: got %q, want a Parameter Store path such as "/myapp/production/"`, *p.ParameterPath)
	}
	if p.DeployRoleName != nil && p.HostRoleName != nil && *p.DeployRoleName == *p.HostRoleName {
		c.add("DeployRoleName, HostRoleName: got the same name twice, want two roles")
	}
	return errors.Join(c.errs...)
}

// RoleArn is the ARN of the role named name in account, for the pipeline
// stack, which cannot look the role up.
func RoleArn(account, name string) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/%s", account, name)
}

// DeployRole is the role CodePipeline's CodeDeploy action assumes.
func (r *TargetRoles) DeployRole() awsiam.Role { return r.deploy }

// HostRole is the hosts' role.
func (r *TargetRoles) HostRole() awsiam.Role { return r.host }

// HostProfile is the hosts' instance profile: launch the instances (or the
// Auto Scaling group's launch template) with it.
func (r *TargetRoles) HostProfile() awsiam.InstanceProfile { return r.profile }
