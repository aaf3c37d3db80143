// Package agentsim runs a CodeDeploy revision on this machine the way the
// CodeDeploy agent (aws-codedeploy-agent 1.8) runs an EC2/on-premises
// in-place deployment, so that tests can drive a deploy bundle's hooks for
// real:
//
//   - lifecycle order ApplicationStop, DownloadBundle, BeforeInstall,
//     Install, AfterInstall, ApplicationStart, ValidateService;
//   - ApplicationStop runs the scripts of the most recent revision whose
//     Install finished on this host (even when a later hook of that
//     deployment failed), and is skipped when there is none;
//   - Install first removes the files the previous Install copied, then
//     copies the appspec's files (file_exists_behavior) and applies its
//     permissions;
//   - each hook script runs from the deployment archive with the working
//     directory /, the agent's environment plus LIFECYCLE_EVENT,
//     DEPLOYMENT_ID, APPLICATION_NAME, DEPLOYMENT_GROUP_NAME,
//     DEPLOYMENT_GROUP_ID and the BUNDLE_* variables of an S3 revision, in its
//     own process group, which is killed when the appspec timeout passes;
//   - the first failing hook ends the deployment.
//
// Absolute destinations of the appspec's files section are placed under
// Host.Root, which stands in for the host's /.
package agentsim
