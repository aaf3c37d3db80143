package ops

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Bundle is a deploy bundle in S3, as a CodeDeploy revision names it. ETag
// and Version pin the exact object: a key overwritten later is not the same
// release.
type Bundle struct {
	Bucket  string `json:"bucket"`
	Key     string `json:"key"`
	Type    string `json:"bundleType"`
	ETag    string `json:"eTag,omitempty"`
	Version string `json:"version,omitempty"`
}

func (b Bundle) String() string { return "s3://" + b.Bucket + "/" + b.Key }

// id identifies the bundle among deployments.
func (b Bundle) id() string {
	return strings.Join([]string{b.Bucket, b.Key, strings.Trim(b.ETag, `"`), b.Version}, "|")
}

func bundleOf(r *types.RevisionLocation) (Bundle, bool) {
	if r == nil || r.RevisionType != types.RevisionLocationTypeS3 || r.S3Location == nil {
		return Bundle{}, false
	}
	l := r.S3Location
	b := Bundle{Bucket: deref(l.Bucket), Key: deref(l.Key), Type: string(l.BundleType), ETag: deref(l.ETag), Version: deref(l.Version)}
	return b, b.Bucket != "" && b.Key != ""
}

// revision is the CodeDeploy revision that deploys exactly this bundle.
func (b Bundle) revision() *types.RevisionLocation {
	l := &types.S3Location{Bucket: &b.Bucket, Key: &b.Key, BundleType: types.BundleType(b.Type)}
	if l.BundleType == "" {
		l.BundleType = types.BundleTypeZip
	}
	if b.ETag != "" {
		l.ETag = &b.ETag
	}
	if b.Version != "" {
		l.Version = &b.Version
	}
	return &types.RevisionLocation{RevisionType: types.RevisionLocationTypeS3, S3Location: l}
}

// errBundleGone tells that the bundle's object no longer exists, as after the
// artifact bucket's expiration rule removed it.
var errBundleGone = errors.New("bundle expired")

// maxBundleSize bounds what is read: a deploy bundle holds scripts and a few
// configuration files.
const maxBundleSize = 64 << 20

// readReleaseEnv fetches the bundle and returns its release.env.
func readReleaseEnv(ctx context.Context, c *Clients, b Bundle) (map[string]string, error) {
	in := &s3.GetObjectInput{Bucket: &b.Bucket, Key: &b.Key}
	if b.Version != "" {
		in.VersionId = &b.Version
	}
	if b.ETag != "" {
		etag := `"` + strings.Trim(b.ETag, `"`) + `"`
		in.IfMatch = &etag
	}
	out, err := c.S3.GetObject(ctx, in)
	if err != nil {
		switch errorCode(err) {
		case "NoSuchKey", "NoSuchVersion", "NotFound", "PreconditionFailed":
			return nil, errBundleGone
		}
		return nil, explain(err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, maxBundleSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", b, err)
	}
	if len(data) > maxBundleSize {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a shipline deploy bundle", b, maxBundleSize>>20)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s is not a zip archive: %w", b, err)
	}
	f, err := zr.Open("release.env")
	if err != nil {
		return nil, fmt.Errorf("%s has no release.env: it was not built by shipline's managed buildspec", b)
	}
	defer f.Close()
	return parseEnv(f)
}

// parseEnv reads KEY=VALUE lines, as the buildspec writes release.env.
func parseEnv(r io.Reader) (map[string]string, error) {
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("release.env: line %q is not KEY=VALUE", line)
		}
		env[k] = v
	}
	return env, sc.Err()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
