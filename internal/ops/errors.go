package ops

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// iamPrefix maps the SDK's service ids to the IAM action prefix, so that a
// denied call can name the permission it lacked.
var iamPrefix = map[string]string{
	"CloudFormation":  "cloudformation",
	"CodeDeploy":      "codedeploy",
	"CodePipeline":    "codepipeline",
	"CodeBuild":       "codebuild",
	"CodeConnections": "codeconnections",
	"ECR":             "ecr",
	"S3":              "s3",
	"SSM":             "ssm",
	"EC2":             "ec2",
	"CloudWatch Logs": "logs",
	"STS":             "sts",
}

// s3Actions are the IAM actions behind S3 operations whose names differ.
var s3Actions = map[string]string{"HeadObject": "GetObject", "ListObjectsV2": "ListBucket"}

// explain turns an AWS error into one line that says what to do; other
// errors pass through.
func explain(err error) error {
	var op *smithy.OperationError
	if err == nil || !errors.As(err, &op) {
		return err
	}
	code := errorCode(err)
	if isBadCredentials(code) {
		return fmt.Errorf("AWS refused your credentials (%s): check AWS_PROFILE, or log in again (aws sso login)", code)
	}
	// A 403 whose body is not the service's error format (a proxy's page)
	// is a denial too.
	var resp *smithyhttp.ResponseError
	forbidden := code == "" && errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusForbidden
	if !isDenied(code) && !forbidden {
		return err
	}
	if code == "" {
		code = "HTTP 403"
	}
	name := op.Operation()
	if a, ok := s3Actions[name]; ok && op.Service() == "S3" {
		name = a
	}
	action := iamPrefix[op.Service()] + ":" + name
	return fmt.Errorf("permission denied: your AWS identity may not call %s (%s); add it to your policy or use a profile that has it", action, code)
}

func isDenied(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden":
		return true
	}
	return strings.HasSuffix(code, "AccessDenied")
}

func isBadCredentials(code string) bool {
	switch code {
	case "InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException",
		"SignatureDoesNotMatch", "InvalidAccessKeyId":
		return true
	}
	return false
}

// errorCode is the AWS error code of err, "" when it is not an AWS error.
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// Explain is explain for callers outside the package: an AWS error as one
// line that says what to do.
func Explain(err error) error { return explain(err) }
