package serverdeploy

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// ManagedNodeStatements are what makes an EC2 instance a Systems Manager
// managed node for the features shipline uses: the State Manager association
// that installs the CodeDeploy agent (AWS-ConfigureAWSPackage, through
// Distributor) and Session Manager shells. They are the statements of the AWS
// managed policy AmazonSSMManagedInstanceCore (v2) without its
// ssm:GetParameter and ssm:GetParameters on every parameter of the account,
// and without the Patch Manager and Inventory calls
// (GetDeployablePatchSnapshotForInstance, PutInventory), which shipline does
// not use. The SSM Agent calls these before the instance is known by any ARN
// the actions accept, so AWS's policy and this one grant them on "*"
// (Systems Manager user guide, "Reference: ec2messages, ssmmessages, and
// other API operations",
// https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-setting-up-messageAPIs.html).
func ManagedNodeStatements() []awsiam.PolicyStatement {
	return []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ManagedNode"),
			Actions: jsii.Strings(
				"ssm:UpdateInstanceInformation",
				"ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:DescribeAssociation",
				"ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus", "ssm:PutComplianceItems",
				"ssm:GetDocument", "ssm:DescribeDocument",
				"ssm:GetManifest", "ssm:PutConfigurePackageResult",
				"ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
				"ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
			),
			Resources: jsii.Strings("*"),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("SessionManager"),
			Actions: jsii.Strings(
				"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
				"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
			),
			Resources: jsii.Strings("*"),
		}),
	}
}
