package bundle_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/shipline/shipline/bundle"
)

type buildspecDoc struct {
	Version any `yaml:"version"`
	Env     struct {
		Shell     string            `yaml:"shell"`
		Variables map[string]string `yaml:"variables"`
	} `yaml:"env"`
	Phases map[string]struct {
		OnFailure string   `yaml:"on-failure"`
		Commands  []string `yaml:"commands"`
	} `yaml:"phases"`
	Artifacts struct {
		BaseDirectory string   `yaml:"base-directory"`
		Files         []string `yaml:"files"`
	} `yaml:"artifacts"`
}

var phaseOrder = []string{"install", "pre_build", "build", "post_build"}

func parseBuildspec(t *testing.T) buildspecDoc {
	t.Helper()
	var doc buildspecDoc
	dec := yaml.NewDecoder(strings.NewReader(bundle.Buildspec()))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("buildspec is not valid YAML for CodeBuild: %v", err)
	}
	return doc
}

func TestBuildspecStructure(t *testing.T) {
	spec := bundle.Buildspec()
	if n := len(spec); n > 20000 {
		t.Errorf("buildspec is %d characters; CodeBuild takes at most 25,000 inline", n)
	}
	doc := parseBuildspec(t)
	if fmt.Sprint(doc.Version) != "0.2" {
		t.Errorf("version %#v, want 0.2", doc.Version)
	}
	if doc.Env.Shell != "bash" {
		t.Errorf("env.shell %q, want bash", doc.Env.Shell)
	}
	for name := range doc.Phases {
		if !slices.Contains(phaseOrder, name) {
			t.Errorf("unknown phase %q", name)
		}
	}
	for _, name := range []string{"pre_build", "build", "post_build"} {
		if len(doc.Phases[name].Commands) == 0 {
			t.Errorf("phase %s has no commands", name)
		}
	}
	if doc.Artifacts.BaseDirectory == "" || !slices.Contains(doc.Artifacts.Files, "**/*") {
		t.Errorf("artifacts %+v, want a base-directory with files **/*", doc.Artifacts)
	}
	all := strings.Join(append(append(doc.Phases["pre_build"].Commands, doc.Phases["build"].Commands...), doc.Phases["post_build"].Commands...), "\n")
	for _, want := range []string{
		"--platform \"$IMAGE_PLATFORM\"",
		"--cache-from \"type=registry,ref=$repository_uri:$CACHE_TAG\"",
		"--cache-to \"type=registry,ref=$repository_uri:$CACHE_TAG,mode=max,image-manifest=true,oci-mediatypes=true\"",
		"--secret \"id=$id,env=$id\"",
		"for id in ${BUILD_SECRET_IDS:-}",
		"--driver docker-container",
		"--metadata-file",
		"--push",
		"aws ecr get-login-password",
		"--password-stdin",
		"release.env",
		"set -euo pipefail",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("buildspec does not contain %q", want)
		}
	}
	if strings.Contains(all, "--build-arg") {
		t.Errorf("buildspec passes --build-arg: secrets must go as BuildKit secrets only")
	}
	// Every command block is strict on its own: CodeBuild may run each in a
	// new shell.
	for _, name := range phaseOrder {
		for i, c := range doc.Phases[name].Commands {
			if !strings.HasPrefix(c, "set -euo pipefail\n") {
				t.Errorf("phase %s command %d does not start with set -euo pipefail", name, i)
			}
		}
	}
}

func TestBuildspecShellcheck(t *testing.T) {
	sc := requireShellcheck(t)
	doc := parseBuildspec(t)
	dir := t.TempDir()
	for _, name := range phaseOrder {
		for i, c := range doc.Phases[name].Commands {
			f := filepath.Join(dir, name+"-"+string(rune('0'+i))+".sh")
			// The variables come from the CodeBuild environment.
			script := "#!/usr/bin/env bash\n# shellcheck disable=SC2154\n" + c
			if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(sc, "--severity=style", f).CombinedOutput()
			if err != nil {
				t.Errorf("shellcheck on phase %s command %d:\n%s", name, i, out)
			}
		}
	}
}

// bundleZip zips the bundle as the CDK asset does.
func bundleZip(t *testing.T) []byte {
	t.Helper()
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
		hdr.SetMode(0o644) // the build restores the scripts' mode itself
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type codebuild struct {
	*host
	src  string
	spec buildspecDoc
	vars map[string]string
}

// newCodebuild prepares a CodeBuild-like run: a source checkout with the given
// files, the project's variables, the bundle uploaded to the emulator's S3.
func newCodebuild(t *testing.T, repoFiles map[string]string) *codebuild {
	t.Helper()
	requireMoto(t)
	h := newHost(t)
	cb := &codebuild{host: h, src: filepath.Join(h.dir, "src"), spec: parseBuildspec(t)}
	for name, body := range repoFiles {
		p := filepath.Join(cb.src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	url := putObject(t, "bundle/"+filepath.Base(h.dir)+".zip", bundleZip(t))
	cb.vars = map[string]string{
		"AWS_DEFAULT_REGION":                testRegion,
		"AWS_REGION":                        testRegion,
		"AWS_ACCOUNT_ID":                    testAccount,
		"IMAGE_REPO_NAME":                   testApp,
		"REPOSITORY_URI":                    testRepoURI,
		"APP_NAME":                          testApp,
		"PARAMETER_PATH":                    "/web/",
		"IMAGE_PLATFORM":                    "linux/arm64",
		"BUNDLE_S3_URL":                     url,
		"CODEBUILD_RESOLVED_SOURCE_VERSION": "89abcdef0123456789abcdef0123456789abcdef",
		"CODEBUILD_SRC_DIR":                 cb.src,
		"SHIPLINE_STATE_DIR":                filepath.Join(h.dir, "state"),
	}
	return cb
}

// run runs the phases in order, each command in its own bash, as CodeBuild
// does with shell: bash. It returns the output and whether all succeeded.
func (cb *codebuild) run(t *testing.T) (string, bool) {
	t.Helper()
	env := append([]string{}, cb.env...)
	for k, v := range cb.spec.Env.Variables {
		if _, ok := cb.vars[k]; !ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range cb.vars {
		env = append(env, k+"="+v)
	}
	var out bytes.Buffer
	ok := true
	for _, name := range phaseOrder {
		phase, present := cb.spec.Phases[name]
		if !present {
			continue
		}
		succeeding := "1"
		if !ok {
			if name != "post_build" {
				continue // on-failure ABORT skips the phases up to post_build
			}
			succeeding = "0"
		}
		for _, c := range phase.Commands {
			cmd := exec.Command("bash", "-c", c)
			cmd.Dir = cb.src
			cmd.Env = append(append([]string{}, env...), "CODEBUILD_BUILD_SUCCEEDING="+succeeding)
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				out.WriteString("[phase " + name + " failed: " + err.Error() + "]\n")
				ok = false
				break
			}
		}
	}
	t.Logf("build output:\n%s", out.String())
	return out.String(), ok
}

func (cb *codebuild) artifact() string { return filepath.Join(cb.src, cb.spec.Artifacts.BaseDirectory) }

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestBuildspecRun(t *testing.T) {
	cb := newCodebuild(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	cb.vars["BUILD_SECRET_IDS"] = "NPM_TOKEN  PIP_INDEX_URL"
	cb.vars["NPM_TOKEN"] = "s3cr3t-npm-token"
	cb.vars["PIP_INDEX_URL"] = "https://user:s3cr3t-pip@example.invalid/simple"
	out, ok := cb.run(t)
	if !ok {
		t.Fatal("the build failed")
	}
	calls := cb.calls()
	assertOrder(t, calls,
		"docker login --username AWS --password-stdin "+testAccount+".dkr.ecr."+testRegion+".amazonaws.com",
		"docker-login-password-bytes ",
		"docker buildx create --name shipline --driver docker-container",
		"docker buildx use shipline",
		"docker buildx inspect --bootstrap",
		"docker buildx build --platform linux/arm64 --file Dockerfile "+
			"--tag "+testRepoURI+":sha-89abcdef0123456789abcdef0123456789abcdef --tag "+testRepoURI+":latest "+
			"--secret id=NPM_TOKEN,env=NPM_TOKEN --secret id=PIP_INDEX_URL,env=PIP_INDEX_URL "+
			"--cache-from type=registry,ref="+testRepoURI+":buildcache "+
			"--cache-to type=registry,ref="+testRepoURI+":buildcache,mode=max,image-manifest=true,oci-mediatypes=true",
		"buildx-secret-env NPM_TOKEN set",
		"buildx-secret-env PIP_INDEX_URL set",
	)
	for _, secret := range []string{"s3cr3t-npm-token", "s3cr3t-pip"} {
		if strings.Contains(strings.Join(calls, "\n"), secret) || strings.Contains(out, secret) {
			t.Errorf("secret value %q appears in a docker command line or the build log", secret)
		}
	}
	art := cb.artifact()
	release := readFile(t, filepath.Join(art, "release.env"))
	wantRelease := "IMAGE_URI=" + testRepoURI + "@" + testDigest + "\nAPP_NAME=web\nAWS_REGION=" + testRegion +
		"\nPARAMETER_PATH=/web/\nCOMMIT=89abcdef0123456789abcdef0123456789abcdef\n" +
		"HEALTH_TIMEOUT=60\nKEEP_RELEASES=3\nREQUIRED_SETTINGS=\nPROXY_IMAGE=\nPARAMETER_PATHS=\nLOG_GROUP=\nLOG_GROUPS=\nREGIONS=\n"
	if release != wantRelease {
		t.Errorf("release.env:\n%s\nwant:\n%s", release, wantRelease)
	}
	appspec := readFile(t, filepath.Join(art, "appspec.yml"))
	if strings.Contains(appspec, bundle.AppNamePlaceholder) || !strings.Contains(appspec, "destination: /opt/web") {
		t.Errorf("app name not rendered into appspec.yml:\n%s", appspec)
	}
	if got, want := readFile(t, filepath.Join(art, "docker-compose.yml")), readBundle(t, "docker-compose.yml"); got != want {
		t.Errorf("without a compose file in the repository the bundle default must be used")
	}
	scripts, _ := filepath.Glob(filepath.Join(art, "scripts", "*.sh"))
	if len(scripts) == 0 {
		t.Fatal("no scripts in the artifact")
	}
	for _, s := range scripts {
		info, err := os.Stat(s)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o755 {
			t.Errorf("%s mode %v, want 0755", filepath.Base(s), info.Mode().Perm())
		}
		if strings.Contains(readFile(t, s), "='"+bundle.AppNamePlaceholder+"'") {
			t.Errorf("app name not rendered into %s", filepath.Base(s))
		}
	}
}

func readBundle(t *testing.T, name string) string {
	t.Helper()
	data, err := fs.ReadFile(bundle.Files(), name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestBuildspecRepositoryComposeWins(t *testing.T) {
	cb := newCodebuild(t, map[string]string{
		"Dockerfile":                "FROM scratch\n",
		"compose.yaml":              "# repo compose.yaml\nservices: {}\n",
		"docker-compose.yml":        "# repo docker-compose.yml\nservices: {}\n",
		"nginx/conf.d/nginx.conf":   "# repo nginx\n",
		"nginx/conf.d/extra.conf":   "# repo extra\n",
		"deploy/docker-compose.yml": "# not at the root\n",
	})
	cb.vars["MOVING_TAG"] = ""
	if _, ok := cb.run(t); !ok {
		t.Fatal("the build failed")
	}
	art := cb.artifact()
	if got := readFile(t, filepath.Join(art, "docker-compose.yml")); !strings.Contains(got, "repo compose.yaml") {
		t.Errorf("artifact docker-compose.yml is not the repository's compose.yaml:\n%s", got)
	}
	if got := readFile(t, filepath.Join(art, "nginx", "conf.d", "nginx.conf")); got != "# repo nginx\n" {
		t.Errorf("artifact nginx.conf is not the repository's:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(art, "nginx", "conf.d", "extra.conf")); err != nil {
		t.Errorf("the repository's whole nginx/ folder is not in the artifact: %v", err)
	}
	for _, c := range cb.calls() {
		if strings.HasPrefix(c, "docker buildx build") && strings.Contains(c, ":latest") {
			t.Errorf("an empty MOVING_TAG must tag nothing but sha-<commit>: %s", c)
		}
	}
}

func TestBuildspecComposeFallbackOrder(t *testing.T) {
	cb := newCodebuild(t, map[string]string{
		"Dockerfile":         "FROM scratch\n",
		"docker-compose.yml": "# repo docker-compose.yml\nservices: {}\n",
	})
	if _, ok := cb.run(t); !ok {
		t.Fatal("the build failed")
	}
	if got := readFile(t, filepath.Join(cb.artifact(), "docker-compose.yml")); !strings.Contains(got, "repo docker-compose.yml") {
		t.Errorf("artifact docker-compose.yml is not the repository's:\n%s", got)
	}
	if got, want := readFile(t, filepath.Join(cb.artifact(), "nginx", "conf.d", "nginx.conf")), readBundle(t, "nginx/conf.d/nginx.conf"); got != want {
		t.Errorf("without nginx/ in the repository the bundle's nginx.conf must be used")
	}
}

func TestBuildspecFailures(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		vars  map[string]string
		want  *regexp.Regexp
	}{
		{"no digest", nil, map[string]string{"STUB_BUILDX_NO_DIGEST": "1"}, regexp.MustCompile(`ERROR: the build pushed no image digest`)},
		{"empty secret", nil, map[string]string{"BUILD_SECRET_IDS": "NPM_TOKEN"}, regexp.MustCompile(`ERROR: build secret NPM_TOKEN is empty: map the variable`)},
		{"bad platform", nil, map[string]string{"IMAGE_PLATFORM": "linux/386"}, regexp.MustCompile(`ERROR: IMAGE_PLATFORM 'linux/386' is not supported`)},
		{"no Dockerfile", map[string]string{"README.md": "hi\n"}, nil, regexp.MustCompile(`ERROR: no Dockerfile in the repository`)},
		{"missing app name", nil, map[string]string{"APP_NAME": ""}, regexp.MustCompile(`ERROR: APP_NAME is not set`)},
		{"bad app name", nil, map[string]string{"APP_NAME": "My.App"}, regexp.MustCompile(`ERROR: APP_NAME 'My.App' is not valid`)},
		{"bad parameter path", nil, map[string]string{"PARAMETER_PATH": "web"}, regexp.MustCompile(`ERROR: PARAMETER_PATH 'web' must start and end with '/'`)},
		{"build fails", nil, map[string]string{"STUB_BUILDX_FAIL": "1"}, regexp.MustCompile(`ERROR: the build failed: no deploy bundle assembled`)},
		{"bundle missing", nil, map[string]string{"BUNDLE_S3_URL": "s3://" + testBucket + "/missing.zip"}, regexp.MustCompile(`ERROR: could not download the deploy bundle`)},
		{"bad log group", nil, map[string]string{"LOG_GROUP": "app logs"}, regexp.MustCompile(`ERROR: LOG_GROUP 'app logs' is not a CloudWatch Logs group name`)},
		{"bad log groups", nil, map[string]string{"LOG_GROUPS": "web-staging=/shipline/web/staging web-prod"}, regexp.MustCompile(`ERROR: LOG_GROUPS holds 'web-prod', not <deployment group>=<CloudWatch Logs group name>`)},
		{"log group with a space", nil, map[string]string{"LOG_GROUPS": "web-staging=a:b"}, regexp.MustCompile(`ERROR: LOG_GROUPS holds 'web-staging=a:b'`)},
		{"bad parameter paths", nil, map[string]string{"PARAMETER_PATHS": "web-staging=/web/staging"}, regexp.MustCompile(`ERROR: PARAMETER_PATHS holds 'web-staging=/web/staging', not <deployment group>=<parameter path like /web/>`)},
		{"Region without a group", nil, map[string]string{"REGIONS": "web-staging=us-east-1 eu-west-1"}, regexp.MustCompile(`ERROR: REGIONS holds 'eu-west-1', not <deployment group>=<AWS Region like eu-west-1 or us-gov-west-1>`)},
		{"Region without a number", nil, map[string]string{"REGIONS": "web-production=eu-west"}, regexp.MustCompile(`ERROR: REGIONS holds 'web-production=eu-west', not`)},
		{"Availability Zone for a Region", nil, map[string]string{"REGIONS": "web-production=eu-west-1a"}, regexp.MustCompile(`ERROR: REGIONS holds 'web-production=eu-west-1a', not`)},
		{"Region in capitals", nil, map[string]string{"REGIONS": "web-production=EU-WEST-1"}, regexp.MustCompile(`ERROR: REGIONS holds 'web-production=EU-WEST-1', not`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := tc.files
			if files == nil {
				files = map[string]string{"Dockerfile": "FROM scratch\n"}
			}
			cb := newCodebuild(t, files)
			for k, v := range tc.vars {
				if strings.HasPrefix(k, "STUB_") {
					cb.env = append(cb.env, k+"="+v)
				} else {
					cb.vars[k] = v
				}
			}
			out, ok := cb.run(t)
			if ok {
				t.Fatal("the build succeeded, want a failure")
			}
			if !tc.want.MatchString(out) {
				t.Errorf("output does not match %q", tc.want)
			}
			if _, err := os.Stat(filepath.Join(cb.artifact(), "release.env")); err == nil {
				t.Errorf("release.env written by a failed build")
			}
		})
	}
}

// TestBuildThenDeploy prepares the artifact that the buildspec assembled on
// a host: the release settings set on the CodeBuild project reach the hooks.
func TestBuildThenDeploy(t *testing.T) {
	cb := newCodebuild(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	cb.vars["IMAGE_PLATFORM"] = "linux/amd64"
	cb.vars["PARAMETER_PATH"] = "/web/"
	cb.vars["PARAMETER_PATHS"] = " prod=/small/   staging=/web/ "
	cb.vars["HEALTH_TIMEOUT"] = "45"
	cb.vars["KEEP_RELEASES"] = "5"
	cb.vars["REQUIRED_SETTINGS"] = "APP_PORT"
	cb.vars["LOG_GROUP"] = "PipelineStack-AppLogsC5DF83A6-Ab3dE5fGh1"
	cb.vars["LOG_GROUPS"] = " prod=/shipline/web/prod   staging=PipelineStack-EnvironmentstagingAppLogs1A2B3C-Xy "
	cb.vars["REGIONS"] = " staging=" + testRegion + "  prod=" + otherRegion + " gov=us-gov-west-1 cn=cn-north-1 "
	if _, ok := cb.run(t); !ok {
		t.Fatal("the build failed")
	}
	rel := readFile(t, filepath.Join(cb.artifact(), "release.env"))
	if !strings.Contains(rel, "\nLOG_GROUP="+cb.vars["LOG_GROUP"]+"\n") {
		t.Errorf("release.env lacks the stack's log group %s:\n%s", cb.vars["LOG_GROUP"], rel)
	}
	if !strings.Contains(rel, "\nLOG_GROUPS=prod=/shipline/web/prod staging=PipelineStack-EnvironmentstagingAppLogs1A2B3C-Xy\n") {
		t.Errorf("release.env lacks the environments' log groups:\n%s", rel)
	}
	if !strings.Contains(rel, "\nAWS_REGION="+testRegion+"\n") || !strings.HasSuffix(rel, "\nREGIONS=staging="+testRegion+" prod="+otherRegion+" gov=us-gov-west-1 cn=cn-north-1\n") {
		t.Errorf("release.env lacks the build's Region or the environments' Regions:\n%s", rel)
	}
	h := cb.host
	h.archive = cb.artifact()
	h.clearCalls()
	if r := h.run("before-install.sh"); r.code != 0 {
		t.Fatalf("BeforeInstall exit %d", r.code)
	}
	h.install()
	r := h.run("after-install.sh", "DEPLOYMENT_GROUP_NAME=prod")
	if r.code != 0 {
		t.Fatalf("AfterInstall exit %d", r.code)
	}
	for _, want := range []string{"reading parameters under /small/ in " + otherRegion, "45s to turn healthy, 5 releases kept"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("AfterInstall output lacks %q", want)
		}
	}
	assertOrder(t, h.calls(), "docker pull --quiet "+testRepoURI+"@"+testDigest)
	settings := filepath.Join(h.releaseDir(), "settings.env")
	if v, ok := h.settingValue(settings, "IMAGE_URI"); !ok || v != testRepoURI+"@"+testDigest {
		t.Errorf("IMAGE_URI of the prepared release: %q", v)
	}
	if v, ok := h.settingValue(settings, "REGION"); !ok || v != otherRegion {
		t.Errorf("the parameters were not read in the environment's Region %s: REGION = %q", otherRegion, v)
	}
}
