// Package smoketest checks an environment after its deployment, before the
// pipeline moves on to the next one.
//
// Project: an unprivileged CodeBuild project (standard Linux image, small
// compute) with a log group of its own. Each action made by NewAction
// requests one URL until it answers 2xx or 3xx, a number of attempts a
// number of seconds apart (Script, run with sh), then optionally runs a
// command from the app repository, at the same commit as the release, with
// CHECK_URL in its environment. A failure fails the action, so the stage
// fails: with a CodePipeline V2 stage rollback, the environment returns to
// its last successful release.
package smoketest
