// Package dockerbuild provides Project, a privileged CodeBuild project run
// by CodePipeline that builds the application image and pushes it to ECR.
//
// Defaults:
//   - managed image chosen by architecture: aws/codebuild/standard:7.0 for
//     x86_64, aws/codebuild/amazonlinux-aarch64-standard:3.0 for arm64;
//   - privileged (Docker), SMALL compute, 30-minute timeout, one build at a time;
//   - environment AWS_ACCOUNT_ID, AWS_DEFAULT_REGION, IMAGE_REPO_NAME,
//     REPOSITORY_URI, IMAGE_PLATFORM; build secrets only as PARAMETER_STORE
//     variables;
//   - a log group kept for a month and retained on stack deletion;
//   - pull and push on the repository through its grant.
//
// Construct ids: the project is "Resource", the log group "Logs".
package dockerbuild
