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
}

// NewClients builds the clients. With a custom endpoint (AWS_ENDPOINT_URL, as
// for a local emulator) S3 is addressed path-style, since bucket host names
// do not resolve there.
func NewClients(cfg aws.Config) *Clients {
	return &Clients{
		CloudFormation: cloudformation.NewFromConfig(cfg),
		CodeDeploy:     codedeploy.NewFromConfig(cfg),
		CodePipeline:   codepipeline.NewFromConfig(cfg),
		CodeBuild:      codebuild.NewFromConfig(cfg),
		Connections:    codeconnections.NewFromConfig(cfg),
		ECR:            ecr.NewFromConfig(cfg),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = cfg.BaseEndpoint != nil
			// Bundles are read whole; a response without a checksum (an
			// emulator's) is not worth a log line.
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		SSM:  ssm.NewFromConfig(cfg),
		EC2:  ec2.NewFromConfig(cfg),
		Logs: cloudwatchlogs.NewFromConfig(cfg),
	}
}

// InAccount returns clients for an environment in another account: its
// deployments, hosts, settings and logs through cfg (that account's
// credentials), while the pipeline, the bundles and the images stay with c,
// in the stack's account.
func (c *Clients) InAccount(cfg aws.Config) *Clients {
	t := NewClients(cfg)
	out := *c
	out.CodeDeploy, out.EC2, out.SSM, out.Logs = t.CodeDeploy, t.EC2, t.SSM, t.Logs
	return &out
}
