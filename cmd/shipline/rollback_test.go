package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// threeReleases deploys three releases in turn, all successful, and returns
// them oldest first.
func (w *world) threeReleases() (old, prev, cur build) {
	w.stack(defaultOutputs())
	w.deployTarget()
	old = w.release("1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	prev = w.release("2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	cur = w.release("3333333ccccccccccccccccccccccccccccccccc")
	for _, b := range []build{old, prev, cur} {
		w.deploy(b, succeeded(2))
	}
	return old, prev, cur
}

// createdRevision reads, from moto itself, the revision of the deployment
// the command created.
func (w *world) createdRevision() (string, map[string]any) {
	w.t.Helper()
	id := w.createdOne()
	raw, err := w.moto.JSON("codedeploy", "CodeDeploy_20141006.GetDeployment", map[string]any{"deploymentId": id})
	w.must(err)
	var out struct {
		DeploymentInfo struct {
			Revision struct {
				RevisionType string         `json:"revisionType"`
				S3Location   map[string]any `json:"s3Location"`
			} `json:"revision"`
		} `json:"deploymentInfo"`
	}
	w.must(json.Unmarshal(raw, &out))
	if out.DeploymentInfo.Revision.RevisionType != "S3" {
		w.t.Fatalf("revision type %q, want S3", out.DeploymentInfo.Revision.RevisionType)
	}
	return id, out.DeploymentInfo.Revision.S3Location
}

// createdOne is the id of the one deployment the command created.
func (w *world) createdOne() string {
	w.t.Helper()
	w.mu.Lock()
	created := w.created
	w.mu.Unlock()
	if len(created) != 1 {
		w.t.Fatalf("the command created %d deployments, want 1", len(created))
	}
	return created[0]
}

func wantBundle(t *testing.T, got map[string]any, b build) {
	t.Helper()
	want := map[string]any{"bucket": b.bundle.Bucket, "key": b.bundle.Key, "bundleType": "zip", "eTag": b.bundle.ETag}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("created revision %s = %v, want %v (the release's exact bundle)", k, got[k], v)
		}
	}
}

func TestRollbackToPreviousWaitsUntilSucceeded(t *testing.T) {
	w := newWorld(t)
	_, prev, _ := w.threeReleases()
	w.next = []deploymentState{
		{status: "Created"},
		{status: "InProgress", overview: map[string]int{"Pending": 1, "InProgress": 1}},
		{status: "InProgress", overview: map[string]int{"Succeeded": 1, "InProgress": 1}},
		succeeded(2),
	}
	out, stderr, code := shipline(t, "rollback", "--poll", "10ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	id, rev := w.createdRevision()
	wantBundle(t, rev, prev)
	for _, want := range []string{
		"to release 2222222 (commit " + prev.commit,
		id + " InProgress: 0 succeeded, 1 in progress, 1 pending",
		id + " InProgress: 1 succeeded, 1 in progress, 0 pending",
		id + " Succeeded: 2 succeeded",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}
	if want := "Release 2222222 is live: deployment " + id + " succeeded."; !strings.Contains(out, want) {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestRollbackNamedReleaseFailsWhileWaiting(t *testing.T) {
	w := newWorld(t)
	old, _, _ := w.threeReleases()
	w.next = []deploymentState{
		{status: "InProgress", overview: map[string]int{"InProgress": 2}},
		{status: "Failed", overview: map[string]int{"Succeeded": 1, "Failed": 1}, err: "The overall deployment failed because too many individual instances failed deployment"},
	}
	w.nextTargets = []map[string]any{
		{"targetId": "i-0aaa", "status": "Succeeded"},
		{"targetId": "i-0bbb", "status": "Failed", "lifecycleEvents": []map[string]any{{"lifecycleEventName": "ApplicationStart", "status": "Failed",
			"diagnostics": map[string]any{"errorCode": "ScriptFailed", "message": "app did not turn healthy within 60s"}}}},
	}
	out, stderr, code := shipline(t, "rollback", "1111111", "--poll", "10ms", "-o", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	id, rev := w.createdRevision()
	wantBundle(t, rev, old)
	if !strings.Contains(stderr, "deployment did not succeed: "+id+" ended Failed") {
		t.Errorf("stderr lacks the failure: %s", stderr)
	}
	var o struct {
		Release    struct{ Commit string }
		Deployment struct{ ID, Status, Error string }
		Hosts      []struct{ Instance, Health string }
	}
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if o.Release.Commit != old.commit || o.Deployment.Status != "Failed" || !strings.Contains(o.Deployment.Error, "too many individual instances failed") {
		t.Errorf("outcome = %+v", o)
	}
	hosts := ""
	for _, h := range o.Hosts {
		hosts += h.Instance + ": " + h.Health + "\n"
	}
	if !strings.Contains(hosts, "i-0bbb: failed "+id+" at ApplicationStart: app did not turn healthy within 60s") {
		t.Errorf("hosts = %s, want i-0bbb's failed event", hosts)
	}
}

func TestRollbackRefusesAnExpiredBundle(t *testing.T) {
	w := newWorld(t)
	old, _, _ := w.threeReleases()
	_, err := w.c.S3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucketName), Key: aws.String(old.bundle.Key)})
	w.must(err)
	// Known by its deployment id once the bundle (which names the commit) is gone.
	_, stderr, code := shipline(t, "rollback", w.deploymentOf(old))
	if code != 1 || !strings.Contains(stderr, "cannot be deployed again: bundle expired: s3://"+bucketName+"/"+old.bundle.Key+" is gone") {
		t.Errorf("exit %d, stderr %q: want 1 and the expired bundle named", code, stderr)
	}
	if len(w.created) != 0 {
		t.Errorf("a deployment was created for an expired bundle")
	}
}

func TestRollbackTimesOutOnMotoAsItIs(t *testing.T) {
	w := newWorld(t)
	_, prev, _ := w.threeReleases()
	// No scripted progression: moto keeps the deployment "Created".
	_, stderr, code := shipline(t, "rollback", "--poll", "10ms", "--timeout", "100ms")
	id, rev := w.createdRevision()
	wantBundle(t, rev, prev)
	if want := "deployment " + id + " is still Created after 100ms: it goes on"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q: want 1 and %q", code, stderr, want)
	}
}

// deploymentOf is the id of the deployment of b.
func (w *world) deploymentOf(b build) string {
	w.t.Helper()
	out, _, code := shipline(w.t, "releases", "-o", "json")
	if code != 0 {
		w.t.Fatal("releases failed")
	}
	var rs []struct {
		Deployment string
		Bundle     struct{ Key string }
	}
	w.must(json.Unmarshal([]byte(out), &rs))
	for _, r := range rs {
		if r.Bundle.Key == b.bundle.Key {
			return r.Deployment
		}
	}
	w.t.Fatalf("no release with bundle %s", b.bundle.Key)
	return ""
}
