// Command gen synthesizes the small stacks behind the template pairs in
// tools/diffcomment/testdata: for every scenario, OUT/<scenario>/deployed.json
// (the version taken as deployed) and OUT/<scenario>/synthesized.json (the
// version of the pull request). record.sh runs it.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// variant is one version of the demo stack.
type variant struct {
	bucketID     string // "" removes the bucket
	repoName     string
	topicName    string
	extraLogs    bool // adds a retained log group
	wildcard     bool // adds an s3:* on * statement and a publish grant
	managedAdmin bool // attaches AdministratorAccess
	logRetention awslogs.RetentionDays
	destroyRepo  bool // the repository is deleted, images included, with the stack
}

var base = variant{bucketID: "ArtifactBucket", repoName: "shipline-app", topicName: ""}

func with(f func(*variant)) variant {
	v := base
	f(&v)
	return v
}

var scenarios = map[string][2]variant{
	"no-change":      {base, base},
	"added-resource": {base, with(func(v *variant) { v.extraLogs = true })},
	"replaced-stateful": {base, with(func(v *variant) {
		v.repoName = "shipline-web"
		v.topicName = "shipline-approvals"
	})},
	"iam-broadening": {base, with(func(v *variant) {
		v.wildcard = true
		v.managedAdmin = true
	})},
	"deleted-bucket": {
		with(func(v *variant) { v.extraLogs = true }),
		with(func(v *variant) { v.bucketID = "" }),
	},
	"renamed-construct": {base, with(func(v *variant) { v.bucketID = "Artifacts" })},
	"shorter-retention": {
		with(func(v *variant) { v.extraLogs = true }),
		with(func(v *variant) { v.extraLogs = true; v.logRetention = awslogs.RetentionDays_ONE_WEEK }),
	},
	"repository-deletable": {base, with(func(v *variant) { v.destroyRepo = true })},
}

func synth(dir string, v variant) {
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:             jsii.String(dir),
		AnalyticsReporting: jsii.Bool(false),
	})
	stack := awscdk.NewStack(app, jsii.String("PipelineStack"), nil)

	role := awsiam.NewRole(stack, jsii.String("BuildRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("codebuild.amazonaws.com"), nil),
	})
	repoProps := &awsecr.RepositoryProps{RemovalPolicy: awscdk.RemovalPolicy_RETAIN}
	if v.destroyRepo {
		repoProps.RemovalPolicy = awscdk.RemovalPolicy_DESTROY
		repoProps.EmptyOnDelete = jsii.Bool(true)
	}
	if v.repoName != "" {
		repoProps.RepositoryName = jsii.String(v.repoName)
	}
	repository := awsecr.NewRepository(stack, jsii.String("Repo"), repoProps)
	repository.GrantPullPush(role)

	if v.bucketID != "" {
		bucket := awss3.NewBucket(stack, jsii.String(v.bucketID), &awss3.BucketProps{
			EnforceSSL:    jsii.Bool(true),
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
		bucket.GrantReadWrite(role, nil)
	}

	topicProps := &awssns.TopicProps{}
	if v.topicName != "" {
		topicProps.TopicName = jsii.String(v.topicName)
	}
	topic := awssns.NewTopic(stack, jsii.String("ApprovalTopic"), topicProps)

	if v.extraLogs {
		retention := awslogs.RetentionDays_ONE_MONTH
		if v.logRetention != "" {
			retention = v.logRetention
		}
		awslogs.NewLogGroup(stack, jsii.String("DeployLogs"), &awslogs.LogGroupProps{
			Retention:     retention,
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		})
	}
	if v.wildcard {
		role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("s3:*"),
			Resources: jsii.Strings("*"),
		}))
		topic.GrantPublish(role)
	}
	if v.managedAdmin {
		role.AddManagedPolicy(awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AdministratorAccess")))
	}
	app.Synth(nil)
}

func copyFile(from, to string) {
	data, err := os.ReadFile(from)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(to), 0o755)
	}
	if err == nil {
		err = os.WriteFile(to, data, 0o644)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func main() {
	out := flag.String("out", "diff-fixtures", "output folder")
	flag.Parse()
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	work, err := os.MkdirTemp("", "diff-fixtures-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	for _, name := range names {
		pair := scenarios[name]
		for i, file := range []string{"deployed.json", "synthesized.json"} {
			dir := filepath.Join(work, name, file)
			synth(dir, pair[i])
			copyFile(filepath.Join(dir, "PipelineStack.template.json"), filepath.Join(*out, name, file))
		}
	}
	log.Printf("wrote %d scenarios to %s", len(scenarios), *out)
}
