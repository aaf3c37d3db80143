// Package releasepipeline provides Pipeline: a CodePipeline V2 pipeline with
// stages Source (GitHub through CodeConnections) → Approval (optional,
// movable to just before Deploy) → Build (CodeBuild) → Deploy (CodeDeploy
// in-place), started by pushes to one branch.
//
// Defaults:
//   - branch "main", a V2 push trigger on it, no CodeBuild webhook;
//   - a new GitHub connection when no ARN is given (complete it once in the
//     console); the source role may use both connection service prefixes;
//   - a new artifact bucket: S3-managed encryption, TLS only, public access
//     blocked, objects expire after 30 days, retained on stack deletion.
//
// Environments: instead of the one Deploy stage, an ordered list of
// environments, each with an optional approval stage ("Approve-<name>") and
// a stage ("Deploy-<name>") that deploys the same build output and then
// runs a smoketest check; a failed check rolls that stage back to its last
// successful release. An environment's alarms hold the next environment
// (a CloudWatchAlarm entry condition). An environment in another account
// deploys through that account's deploy role (package crossaccount), with
// the artifact bucket encrypted by ArtifactKey.
//
// Construct ids: the pipeline is "Resource", the bucket "ArtifactBucket",
// the connection "Connection", the source action's role "SourceActionRole",
// the environments' check project "Check".
package releasepipeline
