package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/shipline/shipline/internal/ops"
)

// shipline runs the command line and returns stdout, stderr and the exit code.
func shipline(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestReleasesListsDeployableAndExpired(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	old := w.release("1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	prev := w.release("2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	cur := w.release("3333333ccccccccccccccccccccccccccccccccc")
	w.deploy(old, succeeded(1))
	w.deploy(prev, succeeded(1))
	w.deploy(cur, succeeded(1))
	// The artifact bucket's expiration rule removed the oldest bundle.
	_, err := w.c.S3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucketName), Key: aws.String(old.bundle.Key)})
	w.must(err)

	out, stderr, code := shipline(t, "releases", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rs []ops.Release
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(rs) != 3 {
		t.Fatalf("got %d releases, want 3: %s", len(rs), out)
	}
	want := []struct {
		b          build
		current    bool
		deployable bool
	}{{cur, true, true}, {prev, false, true}, {old, false, false}}
	for i, wnt := range want {
		r := rs[i]
		if r.Bundle.Key != wnt.b.bundle.Key || r.Current != wnt.current || r.Deployable != wnt.deployable {
			t.Errorf("release %d = key %s current %v deployable %v, want key %s current %v deployable %v",
				i, r.Bundle.Key, r.Current, r.Deployable, wnt.b.bundle.Key, wnt.current, wnt.deployable)
		}
		if wnt.deployable && (r.Commit != wnt.b.commit || r.Digest != wnt.b.digest || r.ID != wnt.b.commit[:7]) {
			t.Errorf("release %d = commit %s digest %s id %s, want %s %s", i, r.Commit, r.Digest, r.ID, wnt.b.commit, wnt.b.digest)
		}
	}
	if !strings.Contains(rs[2].Problem, "bundle expired") || !strings.Contains(rs[2].Problem, old.bundle.Key) {
		t.Errorf("expired release's problem = %q, want it to say the bundle expired and name it", rs[2].Problem)
	}

	text, _, _ := shipline(t, "releases")
	if !strings.Contains(text, "* 3333333") || !strings.Contains(text, "no: bundle expired") {
		t.Errorf("text output lacks the current mark or the expired bundle:\n%s", text)
	}
}

func TestReleasesImageDeletedFromECR(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	b := w.release("4444444ddddddddddddddddddddddddddddddddd")
	w.deploy(b, succeeded(1))
	_, err := w.moto.JSON("ecr", "AmazonEC2ContainerRegistry_V20150921.BatchDeleteImage", map[string]any{
		"repositoryName": repoName, "imageIds": []any{map[string]any{"imageDigest": b.digest}}})
	w.must(err)
	out, stderr, code := shipline(t, "releases", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rs []ops.Release
	w.must(json.Unmarshal([]byte(out), &rs))
	if len(rs) != 1 || rs[0].Deployable || !strings.Contains(rs[0].Problem, "image "+b.digest+" is no longer in ECR repository "+repoName) {
		t.Errorf("releases = %+v, want one, not deployable, its image named as gone", rs)
	}
}

func TestReleasesNoDeploymentYet(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	out, _, code := shipline(t, "releases")
	if code != 0 || !strings.Contains(out, "No deployment yet") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	out, _, _ = shipline(t, "releases", "-o", "json")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("json = %q, want []", out)
	}
}
