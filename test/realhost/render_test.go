package realhost_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shipline/shipline/bundle"
	"github.com/shipline/shipline/internal/codebuild"
)

const (
	testRegion   = "us-east-1"
	bundleBucket = "shipline-test-assets"
	bundleKey    = "deploy-bundle.zip"
)

var bundleUpload struct {
	once sync.Once
	err  error
}

// uploadBundle puts the deploy bundle into the emulator's S3 once, zipped as
// the CDK asset is.
func (e *engine) uploadBundle(t *testing.T) string {
	t.Helper()
	bundleUpload.once.Do(func() {
		put := func(path string, body []byte) error {
			req, err := http.NewRequest(http.MethodPut, e.moto.Endpoint+path, bytes.NewReader(body))
			if err != nil {
				return err
			}
			_, err = e.moto.Do("s3", req)
			return err
		}
		if bundleUpload.err = put("/"+bundleBucket, nil); bundleUpload.err != nil {
			return
		}
		var zipped []byte
		if zipped, bundleUpload.err = zipBundle(); bundleUpload.err == nil {
			bundleUpload.err = put("/"+bundleBucket+"/"+bundleKey, zipped)
		}
	})
	if bundleUpload.err != nil {
		t.Fatalf("uploading the deploy bundle to the emulator: %v", bundleUpload.err)
	}
	return "s3://" + bundleBucket + "/" + bundleKey
}

func zipBundle() ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fsys := bundle.Files()
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: name, Method: zip.Deflate}
		hdr.SetMode(bundle.FileMode(name))
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = zw.Close()
	return buf.Bytes(), err
}

// render assembles a revision for imageURI with the managed buildspec's
// post_build commands, as the pipeline's build does after pushing the
// image, and returns the artifact's directory. vars are CodeBuild project
// variables on top of the scenario's (HEALTH_TIMEOUT, PROXY_IMAGE, ...);
// repoFiles are files of the app repository (its own compose file, nginx/).
func (s *scenario) render(imageURI string, vars map[string]string, repoFiles map[string]string) string {
	t := s.t
	t.Helper()
	spec, err := codebuild.Parse(bundle.Buildspec())
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(s.dir, "build-")
	if err != nil {
		t.Fatal(err)
	}
	src, state := filepath.Join(dir, "src"), filepath.Join(dir, "state")
	for name, body := range repoFiles {
		if err := writeFile(filepath.Join(src, filepath.FromSlash(name)), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The build phase hands these to post_build.
	commit := strings.Repeat(imageURI[len(imageURI)-8:], 5)
	for name, body := range map[string]string{"image-uri": imageURI + "\n", "commit": commit + "\n"} {
		if err := writeFile(filepath.Join(state, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	project := map[string]string{
		"AWS_DEFAULT_REGION":                testRegion,
		"AWS_REGION":                        testRegion,
		"APP_NAME":                          s.app,
		"PARAMETER_PATH":                    s.paramPath,
		"REPOSITORY_URI":                    imageURI[:strings.Index(imageURI, "@")],
		"BUNDLE_S3_URL":                     s.eng.uploadBundle(t),
		"PROXY_IMAGE":                       s.eng.proxyImage,
		"SHIPLINE_STATE_DIR":                state,
		"CODEBUILD_SRC_DIR":                 src,
		"CODEBUILD_BUILD_SUCCEEDING":        "1",
		"CODEBUILD_RESOLVED_SOURCE_VERSION": commit,
	}
	for k, v := range vars {
		project[k] = v
	}
	env := s.baseEnv()
	for k, v := range project {
		env = append(env, k+"="+v)
	}
	var out bytes.Buffer
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	err = spec.RunPhase("post_build", src, env, &out)
	t.Logf("buildspec post_build:\n%s", out.String())
	if err != nil {
		t.Fatalf("rendering the revision with the buildspec's post_build: %v", err)
	}
	return filepath.Join(src, filepath.FromSlash(spec.Artifacts.BaseDirectory))
}
