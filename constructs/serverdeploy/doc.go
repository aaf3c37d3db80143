// Package serverdeploy provides DeploymentGroup: a CodeDeploy EC2/on-premises
// application and an in-place deployment group that targets EC2 instances by
// tag and/or Auto Scaling groups.
//
// Defaults:
//   - a new application (or an existing one passed as Application);
//   - deployment config CodeDeployDefault.OneAtATime;
//   - automatic rollback when a deployment fails or is stopped;
//   - the L2's agent install off (the agent is installed through SSM);
//   - with NotificationTopic: failure, stop and rollback events go to the topic.
//
// Construct ids: the group is "Resource", the application "Application".
package serverdeploy
