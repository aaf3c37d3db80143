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
// Construct ids: the pipeline is "Resource", the bucket "ArtifactBucket",
// the connection "Connection", the source action's role "SourceActionRole".
package releasepipeline
