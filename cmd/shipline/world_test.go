package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/shipline/shipline/internal/motogap"
	"github.com/shipline/shipline/internal/motoserver"
	"github.com/shipline/shipline/internal/ops"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if gap != nil {
		gap.Close()
	}
	motoserver.StopShared()
	os.Exit(code)
}

// The names the test stack's outputs give.
const (
	stackName   = "ShiplineTest"
	appName     = "web-app"
	groupName   = "web-group"
	repoName    = "web"
	bucketName  = "web-artifacts"
	logGroup    = "/shipline/web"
	projectName = "web-build"
	pipeline    = "web-pipeline"
	connection  = "arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
	account     = "123456789012"
	repoURI     = account + ".dkr.ecr.us-east-1.amazonaws.com/" + repoName
)

var (
	gapOnce sync.Once
	gap     *motogap.Server
)

// world is a reset emulator holding a stack's resources, reached through
// the gap filler.
type world struct {
	t    *testing.T
	moto *motoserver.Server
	gap  *motogap.Server
	c    *ops.Clients
	ctx  context.Context

	mu       sync.Mutex
	statuses map[string][]deploymentState // scripted progression per deployment
	targets  map[string][]map[string]any  // instance targets per deployment
	// next and nextTargets script the next deployment the command creates.
	next        []deploymentState
	nextTargets []map[string]any
	created     []string
	sent        []map[string]any // Run Commands sent
}

// deploymentState is what GetDeployment reports at one look.
type deploymentState struct {
	status   string
	overview map[string]int
	err      string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := motoserver.Shared(t)
	gapOnce.Do(func() {
		var err error
		if gap, err = motogap.Start(srv.Endpoint); err != nil {
			t.Fatal(err)
		}
	})
	resp, err := http.Post(srv.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	gap.Reset()
	t.Setenv("AWS_ENDPOINT_URL", gap.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("SHIPLINE_STACK", stackName)
	w := &world{t: t, moto: srv, gap: gap, ctx: context.Background(),
		statuses: map[string][]deploymentState{}, targets: map[string][]map[string]any{}}
	cfg, err := config.LoadDefaultConfig(w.ctx, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")))
	if err != nil {
		t.Fatal(err)
	}
	w.c = ops.NewClients(cfg)
	w.fillDeploymentGaps()
	w.fillGetPipelineGap()
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// stack creates the CloudFormation stack whose outputs name the resources.
func (w *world) stack(outputs map[string]string) {
	w.t.Helper()
	var list []ops.Output
	for k, v := range outputs {
		list = append(list, ops.Output{Key: k, Value: v})
	}
	w.stackOf(list)
}

// stackOf is stack with the outputs' descriptions.
func (w *world) stackOf(outputs []ops.Output) {
	w.t.Helper()
	body := map[string]any{}
	for _, o := range outputs {
		out := map[string]string{"Value": o.Value}
		if o.Description != "" {
			out["Description"] = o.Description
		}
		body[o.Key] = out
	}
	tmpl, err := json.Marshal(map[string]any{
		"Resources": map[string]any{"Handle": map[string]any{"Type": "AWS::CloudFormation::WaitConditionHandle"}},
		"Outputs":   body,
	})
	w.must(err)
	_, err = w.c.CloudFormation.CreateStack(w.ctx, &cloudformation.CreateStackInput{StackName: aws.String(stackName), TemplateBody: aws.String(string(tmpl))})
	w.must(err)
}

// defaultOutputs are the outputs of a current stack.
func defaultOutputs() map[string]string {
	return map[string]string{
		"PipelineName": pipeline, "DeployApplicationName": appName, "DeploymentGroupName": groupName,
		"RepositoryUri": repoURI, "ConnectionArn": connection, "BuildProjectName": projectName,
		"AppLogGroupName": logGroup, "HostPolicyArn": "arn:aws:iam::" + account + ":policy/web-host",
	}
}

// deployTarget creates the CodeDeploy application and deployment group, the
// artifact bucket and the image repository.
func (w *world) deployTarget() {
	w.t.Helper()
	w.group(w.c, appName, groupName, "web")
	w.storage()
}

// group creates a CodeDeploy application and its deployment group, which
// targets the instances tagged deploy=<tag>, in the account of c.
func (w *world) group(c *ops.Clients, app, group, tag string) {
	w.t.Helper()
	_, err := c.CodeDeploy.CreateApplication(w.ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String(app), ComputePlatform: cdtypes.ComputePlatformServer})
	w.must(err)
	_, err = c.CodeDeploy.CreateDeploymentGroup(w.ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group),
		ServiceRoleArn: aws.String("arn:aws:iam::" + account + ":role/deploy"),
		Ec2TagSet:      &cdtypes.EC2TagSet{Ec2TagSetList: [][]cdtypes.EC2TagFilter{{{Key: aws.String("deploy"), Value: aws.String(tag), Type: cdtypes.EC2TagFilterTypeKeyAndValue}}}},
	})
	w.must(err)
}

// storage creates the artifact bucket and the image repository.
func (w *world) storage() {
	w.t.Helper()
	_, err := w.c.S3.CreateBucket(w.ctx, &s3.CreateBucketInput{Bucket: aws.String(bucketName)})
	w.must(err)
	_, err = w.c.ECR.CreateRepository(w.ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repoName)})
	w.must(err)
}

// build is what a pipeline run leaves: an image in ECR and a bundle in S3.
type build struct {
	commit string
	digest string
	bundle ops.Bundle
}

// release pushes an image and uploads a bundle whose release.env pins it,
// as the managed buildspec does.
func (w *world) release(commit string) build {
	w.t.Helper()
	// moto derives the image digest from the layers' digests.
	layer := fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(commit)))
	manifest := `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"` + layer + `"},` +
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1,"digest":"` + layer + `"}]}`
	img, err := w.c.ECR.PutImage(w.ctx, &ecr.PutImageInput{RepositoryName: aws.String(repoName), ImageManifest: aws.String(manifest), ImageTag: aws.String("sha-" + commit)})
	w.must(err)
	digest := aws.ToString(img.Image.ImageId.ImageDigest)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, body := range map[string]string{
		"appspec.yml":  "version: 0.0\nos: linux\n",
		"release.env":  fmt.Sprintf("IMAGE_URI=%s@%s\nAPP_NAME=web\nAWS_REGION=us-east-1\nPARAMETER_PATH=/web/\nCOMMIT=%s\n", repoURI, digest, commit),
		"scripts/x.sh": "#!/bin/sh\n",
	} {
		f, err := zw.Create(name)
		w.must(err)
		_, err = f.Write([]byte(body))
		w.must(err)
	}
	w.must(zw.Close())
	key := pipeline + "/BuildArtif/" + commit[:7]
	put, err := w.c.S3.PutObject(w.ctx, &s3.PutObjectInput{Bucket: aws.String(bucketName), Key: aws.String(key), Body: bytes.NewReader(zbuf.Bytes())})
	w.must(err)
	return build{commit: commit, digest: digest, bundle: ops.Bundle{Bucket: bucketName, Key: key, Type: "zip", ETag: strings.Trim(aws.ToString(put.ETag), `"`)}}
}

// deploy creates a deployment of b in moto and scripts the statuses it
// goes through, the last one staying.
func (w *world) deploy(b build, states ...deploymentState) string {
	w.t.Helper()
	return w.deployIn(w.c, appName, groupName, b, states...)
}

// deployIn is deploy to another group, in the account of c.
func (w *world) deployIn(c *ops.Clients, app, group string, b build, states ...deploymentState) string {
	w.t.Helper()
	out, err := c.CodeDeploy.CreateDeployment(w.ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group),
		Revision: &cdtypes.RevisionLocation{RevisionType: cdtypes.RevisionLocationTypeS3, S3Location: &cdtypes.S3Location{
			Bucket: aws.String(b.bundle.Bucket), Key: aws.String(b.bundle.Key), BundleType: cdtypes.BundleTypeZip, ETag: aws.String(b.bundle.ETag)}},
	})
	w.must(err)
	id := aws.ToString(out.DeploymentId)
	w.mu.Lock()
	w.statuses[id] = states
	// Only the deployments the command creates count as created.
	w.created = slices.DeleteFunc(w.created, func(c string) bool { return c == id })
	w.mu.Unlock()
	// moto stamps creation times to the millisecond: keep them apart.
	time.Sleep(5 * time.Millisecond)
	return id
}

func succeeded(hosts int) deploymentState {
	return deploymentState{status: "Succeeded", overview: map[string]int{"Succeeded": hosts}}
}

// hostTargets records the instance targets of a deployment, with each
// host's status and, for a failure, the failed lifecycle event.
func (w *world) hostTargets(deployment string, hosts map[string]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, status := range hosts {
		t := map[string]any{"deploymentId": deployment, "targetId": id, "status": status,
			"targetArn":     "arn:aws:ec2:us-east-1:" + account + ":instance/" + id,
			"lastUpdatedAt": float64(time.Now().Unix())}
		if status == "Failed" {
			t["lifecycleEvents"] = []map[string]any{
				{"lifecycleEventName": "AfterInstall", "status": "Succeeded"},
				{"lifecycleEventName": "ValidateService", "status": "Failed", "diagnostics": map[string]any{
					"errorCode": "ScriptFailed", "message": "Script at specified location: scripts/validate-service.sh run as user root failed with exit code 1"}},
			}
		}
		w.targets[deployment] = append(w.targets[deployment], t)
	}
}
