// Package crossaccount lets a pipeline in one AWS account deploy to hosts in
// another.
//
// In the target account, TargetRoles creates a deploy role that only the
// pipeline's account may assume (CodePipeline's CodeDeploy action runs as
// it) and the hosts' role and instance profile. Both have fixed names, so
// that the pipeline's stack, which cannot look into the other account,
// names them by ARN (RoleArn): in its deploy action
// (releasepipeline.Environment.DeployRole), and in the policies of its
// artifact bucket, its artifact key (releasepipeline.PipelineProps.ArtifactKey)
// and its image repository. Those resource policies name the two roles, not
// the target account, so nothing else in that account reaches them.
//
// Forwarder (in the target account) and Receiver (in the pipeline's) carry
// the deployment group's alarm state changes and its failed or stopped
// deployments over EventBridge to the pipeline account's default bus: the
// Receiver tells a topic and keeps a mirror alarm of each alarm, which a
// stage entry condition of the pipeline can read.
//
// Before the first deploy, bootstrap the target account so that it trusts
// the pipeline's account:
//
//	cdk bootstrap aws://TARGET_ACCOUNT/REGION --trust PIPELINE_ACCOUNT \
//	    --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess
package crossaccount
