package dockerbuild_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/internal/cdktest"
)

const nginxDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000001"

func buildEnv(t *testing.T, m *dockerbuild.ManagedBuild) map[string]any {
	t.Helper()
	tmpl := newProject(dockerbuild.ProjectProps{Managed: m})
	env := map[string]any{}
	for _, p := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodeBuild::Project") {
		for _, v := range p["Properties"].(map[string]any)["Environment"].(map[string]any)["EnvironmentVariables"].([]any) {
			env[v.(map[string]any)["Name"].(string)] = v.(map[string]any)["Value"]
		}
	}
	return env
}

// TestReleaseSettingsReachTheBuild: set release settings become the build
// variables the buildspec copies into release.env; unset ones are absent, so
// the buildspec's defaults apply.
func TestReleaseSettingsReachTheBuild(t *testing.T) {
	env := buildEnv(t, &dockerbuild.ManagedBuild{
		AppName:          jsii.String("web"),
		HealthTimeout:    jsii.Number(90),
		KeepReleases:     jsii.Number(5),
		RequiredSettings: jsii.Strings("DATABASE_URL", "SECRET_KEY"),
		ProxyImage:       jsii.String("111122223333.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:1.27-alpine@" + nginxDigest),
	})
	for name, want := range map[string]string{
		"HEALTH_TIMEOUT": "90", "KEEP_RELEASES": "5", "REQUIRED_SETTINGS": "DATABASE_URL SECRET_KEY",
		"PROXY_IMAGE": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/nginx/nginx:1.27-alpine@" + nginxDigest,
	} {
		if env[name] != want {
			t.Errorf("%s: got %v, want %q", name, env[name], want)
		}
	}
	env = buildEnv(t, &dockerbuild.ManagedBuild{AppName: jsii.String("web")})
	for _, name := range []string{"HEALTH_TIMEOUT", "KEEP_RELEASES", "REQUIRED_SETTINGS", "PROXY_IMAGE"} {
		if v, ok := env[name]; ok {
			t.Errorf("%s: got %v without the setting, want it unset (the buildspec's default)", name, v)
		}
	}
}

func TestReleaseSettingsRejected(t *testing.T) {
	stack := cdktest.NewStack()
	msg := cdktest.MustFailSynth(t, stack, func() {
		dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
			Repository: awsecr.NewRepository(stack, jsii.String("Repo"), nil),
			Managed: &dockerbuild.ManagedBuild{
				AppName:          jsii.String("web"),
				HealthTimeout:    jsii.Number(900),
				KeepReleases:     jsii.Number(0),
				RequiredSettings: jsii.Strings("DATABASE_URL", "database-url"),
				ProxyImage:       jsii.String("nginx:1.27-alpine"),
			},
		})
	})
	for _, want := range []string{
		"[TestStack/Build] Managed.HealthTimeout: got 900, want 5-480 seconds",
		"[TestStack/Build] Managed.KeepReleases: got 0, want 1-20",
		`[TestStack/Build] Managed.RequiredSettings: got "database-url", want variable names`,
		`[TestStack/Build] Managed.ProxyImage: got "nginx:1.27-alpine", want an image pinned by digest`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("synth error lacks %q:\n%s", want, msg)
		}
	}
}
