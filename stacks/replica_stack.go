package stacks

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/releasepipeline"
)

// ReplicaStack holds the pipeline's artifact store in another Region, in
// the pipeline's account: CodePipeline copies each release's bundle there
// for the environments of that Region, whose deploy actions and hosts read
// it. It is named "<pipeline stack>-Artifacts-<region>" (an environment's
// name has no capital, so the two never meet) and deploys before the
// pipeline's stack, after the target stacks whose roles its policies name.
type ReplicaStack struct {
	awscdk.Stack
	Replica *releasepipeline.ArtifactReplica
}

// newReplicaStacks makes a ReplicaStack for each other Region of envs, in
// the order the environments name them; encrypted with a key of its own
// when an environment of that Region is in another account.
func (s *PipelineStack) newReplicaStacks(envs []Environment) map[string]*ReplicaStack {
	crossAccount := map[string]bool{}
	for _, e := range envs {
		crossAccount[e.Region] = crossAccount[e.Region] || e.crossAccount(s.Account())
	}
	regions := s.otherRegions(envs)
	if len(regions) == 0 {
		return nil
	}
	stacks := map[string]*ReplicaStack{}
	for _, region := range regions {
		r := &ReplicaStack{}
		id := *s.StackName() + "-Artifacts-" + region
		awscdk.NewStack_Override(r, s.parent, &id, &awscdk.StackProps{
			Env:         &awscdk.Environment{Account: s.Account(), Region: jsii.String(region)},
			Description: jsii.String("shipline: the artifact store in " + region + " of the pipeline of stack " + *s.StackName()),
		})
		props := &releasepipeline.ArtifactReplicaProps{
			ArtifactExpiration: awscdk.Duration_Days(jsii.Number(s.config.ArtifactExpiration.Hours() / 24)),
			RemovalPolicy:      s.config.RemovalPolicy,
		}
		if crossAccount[region] {
			props.KeyAlias = jsii.String("alias/" + *s.StackName() + "-artifacts")
		}
		r.Replica = releasepipeline.NewArtifactReplica(r, "Artifacts", props)
		stacks[region] = r
	}
	for i, e := range envs {
		if r := stacks[e.Region]; r != nil && e.crossAccount(s.Account()) {
			r.AddStackDependency(s.Environments[i].Target, jsii.String("the replica's bucket and key policies name the roles of "+e.Name))
		}
	}
	return stacks
}

// otherRegions are the Regions of envs other than the pipeline's, in the
// order the environments name them.
func (s *PipelineStack) otherRegions(envs []Environment) []string {
	var regions []string
	for _, e := range envs {
		if e.crossRegion(s.Region()) && !slices.Contains(regions, e.Region) {
			regions = append(regions, e.Region)
		}
	}
	return regions
}

// replicaBuckets are the replicas' buckets by Region; nil without.
func (s *PipelineStack) replicaBuckets() *map[string]awss3.IBucket {
	if len(s.Replicas) == 0 {
		return nil
	}
	buckets := map[string]awss3.IBucket{}
	for region, r := range s.Replicas {
		buckets[region] = r.Replica.PipelineBucket()
	}
	return &buckets
}

// BucketName is the replica bucket's name (jsii also needs a
// pointer-receiver method to register the struct).
func (r *ReplicaStack) BucketName() *string { return r.Replica.Bucket().BucketName() }
