// Package serverdeploy provides the CodeDeploy side of the pipeline and what
// its deployment targets need.
//
// DeploymentGroup: a CodeDeploy EC2/on-premises application and an in-place
// deployment group that targets EC2 instances by tag and/or Auto Scaling
// groups, optionally behind an ALB target group (instances leave traffic
// while they are deployed). Defaults:
//   - a new application (or an existing one passed as Application);
//   - deployment config CodeDeployDefault.OneAtATime, or a custom config from
//     MinimumHealthyHosts ("75%" of the fleet, or 2 hosts);
//   - automatic rollback when a deployment fails or is stopped;
//   - the L2's agent install off; with Agent, the agent is installed through
//     State Manager on the same tags and Auto Scaling groups (AgentInstall);
//   - with NotificationTopic: failure, stop and rollback events go to the
//     topic; the service role may publish (and use the topic's KMS key);
//   - with Alarms or AlarmTargetGroup (default alarms on the targets' 5xx
//     responses and unhealthy targets): a deployment stops and rolls back
//     when one of them is in ALARM, and a message naming the alarm goes to
//     NotificationTopic.
//
// AgentInstall: State Manager associations running AWS-ConfigureAWSPackage
// (Install AWSCodeDeployAgent): never, once, now, or on a schedule.
//
// HostAccess: one customer managed policy with everything a host needs (read
// the deploy bundles, pull the image, read the app's own parameters but not
// its build secrets nor any other parameter, be a Systems Manager managed
// node for the agent association and Session Manager) that existing hosts
// attach to their instance profile role; GrantTo attaches it to a role.
//
// Construct ids: the group is "Resource", the application "Application", the
// custom config "DeploymentConfig", the agent construct "AgentInstall" (its
// associations "Tags", "Tags2"..., "AutoScalingGroups"); the host policy is
// HostAccess's "Resource".
package serverdeploy
