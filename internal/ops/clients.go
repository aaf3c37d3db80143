package ops

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/codepipeline"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Clients are the AWS service clients the operations use, all built from one
// configuration (region, credentials, endpoints).
type Clients struct {
	CloudFormation *cloudformation.Client
	CodeDeploy     *codedeploy.Client
	CodePipeline   *codepipeline.Client
	CodeBuild      *codebuild.Client
	Connections    *codeconnections.Client
	ECR            *ecr.Client
	S3             *s3.Client
	SSM            *ssm.Client
	EC2            *ec2.Client
	Logs           *cloudwatchlogs.Client
	// cfg is the configuration they were built from.
	cfg aws.Config
}

// NewClients builds the clients.
func NewClients(cfg aws.Config) *Clients {
	return &Clients{
		CloudFormation: cloudformation.NewFromConfig(cfg),
		CodeDeploy:     codedeploy.NewFromConfig(cfg),
		CodePipeline:   codepipeline.NewFromConfig(cfg),
		CodeBuild:      codebuild.NewFromConfig(cfg),
		Connections:    codeconnections.NewFromConfig(cfg),
		ECR:            ecr.NewFromConfig(cfg),
		S3:             newS3(cfg),
		SSM:            ssm.NewFromConfig(cfg),
		EC2:            ec2.NewFromConfig(cfg),
		Logs:           cloudwatchlogs.NewFromConfig(cfg),
		cfg:            cfg,
	}
}

// newS3 builds the S3 client. With a custom endpoint (AWS_ENDPOINT_URL, as
// for a local emulator) S3 is addressed path-style, since bucket host names
// do not resolve there.
func newS3(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.BaseEndpoint != nil
		// Bundles are read whole; a response without a checksum (an
		// emulator's) is not worth a log line.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
}

// Config is the configuration of the stack's clients, for clients of the
// same credentials in another Region.
func (c *Clients) Config() aws.Config { return c.cfg.Copy() }

// Reaching returns the clients of an environment that env reaches (the
// credentials of its account, its Region): its deployments, hosts, settings
// and logs through env, while the stack, the pipeline and the images stay
// with c. The bundles its deployments name are read in env's Region with c's
// credentials: CodeDeploy takes a bundle from a bucket of its own Region,
// and the copies CodePipeline makes for another Region stay in the
// pipeline's account.
func (c *Clients) Reaching(env aws.Config) *Clients {
	t := NewClients(env)
	out := *c
	out.CodeDeploy, out.EC2, out.SSM, out.Logs = t.CodeDeploy, t.EC2, t.SSM, t.Logs
	if env.Region != c.cfg.Region {
		home := c.Config()
		home.Region = env.Region
		out.S3 = newS3(home)
	}
	return &out
}
