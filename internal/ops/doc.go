// Package ops answers an operator's questions about a deployed shipline
// stack: which release runs where, which releases can be deployed again, how
// to go back to one, where the app's logs are, and what stands in the way of
// a first release. It finds every resource through the stack's outputs and
// talks to AWS with aws-sdk-go-v2; cmd/shipline renders its answers.
//
// A stack with environments names each one's resources by outputs with the
// environment's suffix (DeploymentGroupNameStaging); Stack.Select picks one,
// and Clients.Reaching reaches one that lives in another account or Region.
package ops
