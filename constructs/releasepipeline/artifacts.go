package releasepipeline

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// artifactStore is how a new artifact bucket is made, in the pipeline's
// Region or as a replica in another.
type artifactStore struct {
	key        awskms.IKey
	accessLogs awss3.IBucket
	expiration awscdk.Duration
	removal    awscdk.RemovalPolicy
	// name is the bucket's physical name; nil: CloudFormation's.
	name *string
}

// newBuckets creates in scope "ArtifactBucket" and, unless s.accessLogs is
// given, "AccessLogBucket" for its server access logs: encrypted, TLS only,
// public access blocked, objects expiring.
func (s artifactStore) newBuckets(scope constructs.Construct) (bucket, accessLogs awss3.IBucket) {
	destroy := s.removal == awscdk.RemovalPolicy_DESTROY
	accessLogs = s.accessLogs
	if accessLogs == nil {
		// S3 delivers access logs under a bucket policy when the app has
		// the current feature flag, else through the log-delivery ACL,
		// which needs object-writer ownership.
		ownership := awss3.ObjectOwnership_OBJECT_WRITER
		if *awscdk.FeatureFlags_Of(scope).IsEnabled(jsii.String("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy")) {
			ownership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
		}
		accessLogs = awss3.NewBucket(scope, jsii.String("AccessLogBucket"), &awss3.BucketProps{
			Encryption:        awss3.BucketEncryption_S3_MANAGED,
			EnforceSSL:        jsii.Bool(true),
			BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
			ObjectOwnership:   ownership,
			LifecycleRules: &[]*awss3.LifecycleRule{{
				Expiration:                          awscdk.Duration_Days(jsii.Number(90)),
				AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
			}},
			RemovalPolicy:     s.removal,
			AutoDeleteObjects: jsii.Bool(destroy),
		})
	}
	encryption, bucketKey := awss3.BucketEncryption_S3_MANAGED, (*bool)(nil)
	if s.key != nil {
		// A bucket key saves a KMS request per object.
		encryption, bucketKey = awss3.BucketEncryption_KMS, jsii.Bool(true)
	}
	bucket = awss3.NewBucket(scope, jsii.String("ArtifactBucket"), &awss3.BucketProps{
		BucketName:             s.name,
		ServerAccessLogsBucket: accessLogs,
		ServerAccessLogsPrefix: jsii.String("artifact-bucket/"),
		Encryption:             encryption,
		EncryptionKey:          s.key,
		BucketKeyEnabled:       bucketKey,
		EnforceSSL:             jsii.Bool(true),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		Versioned:              jsii.Bool(false),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration:                          s.expiration,
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}},
		RemovalPolicy:     s.removal,
		AutoDeleteObjects: jsii.Bool(destroy),
	})
	return bucket, accessLogs
}

// ArtifactReplicaProps configures an ArtifactReplica.
type ArtifactReplicaProps struct {
	// KeyAlias (alias/...) names a new customer managed key that encrypts
	// the bucket, as deployments to another account need (grant its roles
	// the bucket's read); the pipeline refers to the key by this alias,
	// which is known before deployment while the key's ARN is not.
	// Default: S3-managed encryption, for deployments in the pipeline's
	// account only.
	KeyAlias *string
	// ArtifactExpiration of the objects.
	// Default: 30 days.
	ArtifactExpiration awscdk.Duration
	// RemovalPolicy of the buckets and the key; DESTROY also empties the
	// buckets.
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// ArtifactReplica is the artifact store of a pipeline in another Region:
// CodePipeline copies the artifacts there for the actions of that Region
// (PipelineProps.CrossRegionReplicationBuckets). Put it in a stack of the
// pipeline's account in that Region. Its buckets are made as the
// pipeline's own ("ArtifactBucket", "AccessLogBucket"); the bucket has a
// generated physical name, which the pipeline's stack refers to.
type ArtifactReplica struct {
	constructs.Construct
	bucket awss3.IBucket
	key    awskms.Key
	alias  *string
	view   awss3.IBucket
}

var reAliasName = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]{1,250}$`)

// NewArtifactReplica creates the replica's buckets and, with KeyAlias, its
// key.
func NewArtifactReplica(scope constructs.Construct, id string, props *ArtifactReplicaProps) *ArtifactReplica {
	var p ArtifactReplicaProps
	if props != nil {
		p = *props
	}
	r := &ArtifactReplica{}
	constructs.NewConstruct_Override(r, scope, &id)
	if p.KeyAlias != nil && !*awscdk.Token_IsUnresolved(p.KeyAlias) && !reAliasName.MatchString(*p.KeyAlias) {
		propcheck.Report(r, fmt.Errorf("KeyAlias: got %q, want alias/ and 1-250 letters, digits, '/', '_' or '-' (not alias/aws/...)", *p.KeyAlias))
		p.KeyAlias = nil
	}
	if p.ArtifactExpiration == nil {
		p.ArtifactExpiration = awscdk.Duration_Days(jsii.Number(30))
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	store := artifactStore{expiration: p.ArtifactExpiration, removal: p.RemovalPolicy, name: awscdk.PhysicalName_GENERATE_IF_NEEDED()}
	if p.KeyAlias != nil {
		r.key = awskms.NewKey(r, jsii.String("ArtifactKey"), &awskms.KeyProps{
			Description:       jsii.String("Encrypts the pipeline's artifacts in this Region, which deployments in other accounts read"),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     p.RemovalPolicy,
		})
		store.key = r.key.AddAlias(p.KeyAlias)
		r.alias = p.KeyAlias
	}
	r.bucket, _ = store.newBuckets(r)
	r.view = r.bucket
	if r.alias != nil {
		r.view = awss3.Bucket_FromBucketAttributes(r, jsii.String("PipelineView"), &awss3.BucketAttributes{
			BucketName:    r.bucket.BucketName(),
			EncryptionKey: awskms.Alias_FromAliasName(r, jsii.String("PipelineViewKey"), r.alias),
		})
	}
	return r
}

// PipelineBucket is the bucket to give the pipeline
// (PipelineProps.CrossRegionReplicationBuckets). With a key, it refers to
// the key by its alias: the CDK's own grant of a key in another Region
// allows its KMS actions on every key ("*"), and an alias grants nothing.
// Grant the pipeline's role GrantKeyUse instead, and the deploy and host
// roles of other accounts Bucket().GrantRead, whose bucket and key policy
// statements the pipeline's grants on this view do not add.
func (r *ArtifactReplica) PipelineBucket() awss3.IBucket { return r.view }

// GrantKeyUse allows grantee of the pipeline's account to encrypt and
// decrypt with the key, named by its alias (kms:ResourceAliases), from a
// stack of another Region, which cannot know the key's ARN. No-op without
// a key.
func (r *ArtifactReplica) GrantKeyUse(grantee awsiam.IGrantable) {
	if r.alias == nil {
		return
	}
	stack := awscdk.Stack_Of(r)
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("kms"), Resource: jsii.String("key"), ResourceName: jsii.String("*"),
		})},
		Conditions: &map[string]any{"ForAnyValue:StringEquals": map[string]any{"kms:ResourceAliases": *r.alias}},
	}))
}

// Bucket is the replica bucket; its EncryptionKey is the key's alias.
func (r *ArtifactReplica) Bucket() awss3.IBucket { return r.bucket }

// Key encrypts the bucket; nil without KeyAlias.
func (r *ArtifactReplica) Key() awskms.Key { return r.key }
