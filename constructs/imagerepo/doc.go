// Package imagerepo provides Repository, an ECR repository for the
// application image with hygiene built in.
//
// Defaults:
//   - scan on push;
//   - tags immutable except the moving tags (latest, buildcache), so a
//     release tag such as sha-<commit> always names the same image;
//   - lifecycle: untagged images expire after 1 day, the last 20 release
//     images (prefix sha-) are kept;
//   - AES-256 encryption; images retained when the stack is deleted unless
//     RemovalPolicy is DESTROY.
//
// Construct ids: the repository is "Resource"; its L1 is
// r.Repository().Node().DefaultChild().(awsecr.CfnRepository).
package imagerepo
