package dockerbuild_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/jsii-runtime-go"
	"gopkg.in/yaml.v3"

	"github.com/shipline/shipline/constructs/dockerbuild"
	"github.com/shipline/shipline/internal/cdktest"
)

func newProject(props dockerbuild.ProjectProps) assertions.Template {
	stack := cdktest.NewStack()
	if props.Repository == nil {
		props.Repository = awsecr.NewRepository(stack, jsii.String("Repo"), nil)
	}
	dockerbuild.NewProject(stack, "Build", &props)
	return assertions.Template_FromStack(stack, nil)
}

func TestProjectDefaults(t *testing.T) {
	tmpl := newProject(dockerbuild.ProjectProps{Managed: &dockerbuild.ManagedBuild{AppName: jsii.String("web")}})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Source":               map[string]any{"Type": "CODEPIPELINE", "BuildSpec": assertions.Match_StringLikeRegexp(jsii.String("docker buildx build"))},
		"TimeoutInMinutes":     30,
		"ConcurrentBuildLimit": 1,
		"Environment": map[string]any{
			"Type":           "LINUX_CONTAINER",
			"Image":          "aws/codebuild/standard:7.0",
			"ComputeType":    "BUILD_GENERAL1_SMALL",
			"PrivilegedMode": true,
			"EnvironmentVariables": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Name": "AWS_ACCOUNT_ID", "Type": "PLAINTEXT", "Value": map[string]any{"Ref": "AWS::AccountId"}},
				map[string]any{"Name": "AWS_DEFAULT_REGION", "Type": "PLAINTEXT", "Value": map[string]any{"Ref": "AWS::Region"}},
				map[string]any{"Name": "IMAGE_PLATFORM", "Type": "PLAINTEXT", "Value": "linux/amd64"},
				map[string]any{"Name": "IMAGE_REPO_NAME", "Type": "PLAINTEXT", "Value": assertions.Match_AnyValue()},
				map[string]any{"Name": "REPOSITORY_URI", "Type": "PLAINTEXT", "Value": assertions.Match_AnyValue()},
			}),
		},
		"LogsConfig": map[string]any{"CloudWatchLogs": map[string]any{"Status": "ENABLED", "GroupName": assertions.Match_AnyValue()}},
	})
	tmpl.HasResource(jsii.String("AWS::Logs::LogGroup"), map[string]any{
		"DeletionPolicy": "Retain",
		"Properties":     map[string]any{"RetentionInDays": 30},
	})
	// Pushes go through the repository's grant, scoped to that repository.
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			map[string]any{
				"Action":   assertions.Match_ArrayWith(&[]any{"ecr:PutImage", "ecr:UploadLayerPart"}),
				"Effect":   "Allow",
				"Resource": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Repo")), "Arn"}},
			},
		})},
	})
}

func TestProjectArm64(t *testing.T) {
	tmpl := newProject(dockerbuild.ProjectProps{Managed: &dockerbuild.ManagedBuild{AppName: jsii.String("web")}, Architecture: awsec2.InstanceArchitecture_ARM_64, ComputeType: awscodebuild.ComputeType_LARGE})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Environment": map[string]any{
			"Type":                 "ARM_CONTAINER",
			"Image":                "aws/codebuild/amazonlinux-aarch64-standard:3.0",
			"ComputeType":          "BUILD_GENERAL1_LARGE",
			"PrivilegedMode":       true,
			"EnvironmentVariables": assertions.Match_ArrayWith(&[]any{map[string]any{"Name": "IMAGE_PLATFORM", "Type": "PLAINTEXT", "Value": "linux/arm64"}}),
		},
	})
}

func TestProjectSecretsComeFromParameterStore(t *testing.T) {
	tmpl := newProject(dockerbuild.ProjectProps{
		BuildSecrets:         &map[string]*string{"NPM_TOKEN": jsii.String("/web/build/NPM_TOKEN")},
		BuildSpec:            awscodebuild.BuildSpec_FromSourceFilename(jsii.String("ci/buildspec.yaml")),
		ConcurrentBuildLimit: jsii.Number(0),
		Timeout:              awscdk.Duration_Hours(jsii.Number(2)),
	})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Source":               map[string]any{"BuildSpec": "ci/buildspec.yaml"},
		"TimeoutInMinutes":     120,
		"ConcurrentBuildLimit": assertions.Match_Absent(),
		"Environment": map[string]any{"EnvironmentVariables": assertions.Match_ArrayWith(&[]any{
			map[string]any{"Name": "NPM_TOKEN", "Type": "PARAMETER_STORE", "Value": "/web/build/NPM_TOKEN"},
		})},
	})
	// CodeBuild resolves the parameter with the project's role.
	tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			map[string]any{"Action": "ssm:GetParameters", "Effect": "Allow", "Resource": assertions.Match_AnyValue()},
		})},
	})
}

func TestProjectManagedBuildspecAndBundle(t *testing.T) {
	tmpl := newProject(dockerbuild.ProjectProps{
		Managed:      &dockerbuild.ManagedBuild{AppName: jsii.String("web"), Dockerfile: jsii.String("docker/Dockerfile")},
		BuildSecrets: &map[string]*string{"NPM_TOKEN": jsii.String("/web/build/NPM_TOKEN"), "A_KEY": jsii.String("/web/build/A_KEY")},
	})
	env := map[string]any{}
	var spec string
	for _, p := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodeBuild::Project") {
		props := p["Properties"].(map[string]any)
		spec = props["Source"].(map[string]any)["BuildSpec"].(string)
		for _, v := range props["Environment"].(map[string]any)["EnvironmentVariables"].([]any) {
			m := v.(map[string]any)
			env[m["Name"].(string)] = m["Value"]
		}
	}
	for name, want := range map[string]string{
		"APP_NAME": "web", "PARAMETER_PATH": "/web/", "DOCKERFILE": "docker/Dockerfile", "BUILD_CONTEXT": ".",
		"MOVING_TAG": "latest", "CACHE_TAG": "buildcache", "BUILD_SECRET_IDS": "A_KEY NPM_TOKEN",
	} {
		if env[name] != want {
			t.Errorf("%s: got %v, want %q", name, env[name], want)
		}
	}
	if _, ok := env["BUNDLE_S3_URL"]; !ok {
		t.Error("BUNDLE_S3_URL: missing; the buildspec downloads the deploy bundle from it")
	}
	// Buildspec variables override the project's (CodeBuild's precedence), so
	// the buildspec must not declare any variable the project sets.
	var doc struct {
		Env struct {
			Variables map[string]any `yaml:"variables"`
		} `yaml:"env"`
	}
	if err := yaml.Unmarshal([]byte(spec), &doc); err != nil {
		t.Fatal(err)
	}
	for name := range env {
		if _, shadowed := doc.Env.Variables[name]; shadowed {
			t.Errorf("buildspec env.variables declares %s, which would override the project's value", name)
		}
	}
	assertReadsOnlyTheBundle(t, tmpl)
}

// assertReadsOnlyTheBundle checks that the project's S3 access to the CDK
// assets bucket is s3:GetObject on the bundle's object key: no other asset,
// no listing.
func assertReadsOnlyTheBundle(t *testing.T, tmpl assertions.Template) {
	t.Helper()
	bundleKey := regexp.MustCompile(`^/[0-9a-f]{64}\.zip$`)
	found := false
	for _, policy := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::IAM::Policy") {
		doc := policy["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, st := range doc["Statement"].([]any) {
			st := st.(map[string]any)
			raw, _ := json.Marshal(st["Resource"])
			if !strings.Contains(string(raw), "-assets-") {
				continue
			}
			if fmt.Sprint(st["Action"]) != "s3:GetObject" {
				t.Errorf("assets bucket actions: got %v, want s3:GetObject only", st["Action"])
			}
			res, _ := st["Resource"].(map[string]any)
			join, ok := res["Fn::Join"].([]any)
			if !ok {
				t.Errorf("assets bucket resource: got %s, want one object ARN", raw)
				continue
			}
			parts := join[1].([]any)
			if key, _ := parts[len(parts)-1].(string); !bundleKey.MatchString(key) {
				t.Errorf("assets bucket resource ends in %q, want /<asset hash>.zip: %s", key, raw)
			}
			found = true
		}
	}
	if !found {
		t.Error("the project may not read the deploy bundle from the assets bucket")
	}
}

func TestProjectRepositoryBuildspec(t *testing.T) {
	tmpl := newProject(dockerbuild.ProjectProps{BuildSpec: awscodebuild.BuildSpec_FromSourceFilename(jsii.String("buildspec.yml"))})
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Source": map[string]any{"Type": "CODEPIPELINE", "BuildSpec": "buildspec.yml"},
	})
	for _, p := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodeBuild::Project") {
		for _, v := range p["Properties"].(map[string]any)["Environment"].(map[string]any)["EnvironmentVariables"].([]any) {
			if name := v.(map[string]any)["Name"]; name == "BUNDLE_S3_URL" {
				t.Error("a repository buildspec gets no deploy bundle")
			}
		}
	}
}

func TestProjectRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props dockerbuild.ProjectProps
		want  []string
	}{
		{"managed without app name", dockerbuild.ProjectProps{}, []string{`Managed.AppName: got ""`}},
		{"managed and a buildspec", dockerbuild.ProjectProps{Managed: &dockerbuild.ManagedBuild{AppName: jsii.String("web")}, BuildSpec: awscodebuild.BuildSpec_FromSourceFilename(jsii.String("b.yml"))}, []string{"Managed: got settings with a BuildSpec"}},
		{"timeout too short", dockerbuild.ProjectProps{Timeout: awscdk.Duration_Minutes(jsii.Number(2))}, []string{"Timeout: got 2 minutes, want 5-2160"}},
		{"negative concurrency", dockerbuild.ProjectProps{ConcurrentBuildLimit: jsii.Number(-1)}, []string{"ConcurrentBuildLimit: got -1"}},
		{"bad secret id", dockerbuild.ProjectProps{BuildSecrets: &map[string]*string{"NPM-TOKEN": jsii.String("")}}, []string{`id "NPM-TOKEN"`, "BuildSecrets[NPM-TOKEN]: got an empty parameter name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := cdktest.PanicMessage(func() { newProject(tc.props) })
			if !strings.Contains(msg, "[TestStack/Build] ") {
				t.Errorf("panic %q: want the construct path", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("panic %q: want it to contain %q", msg, w)
				}
			}
		})
	}
}

// TestProjectReportsEveryProblemWithPath: two bad props give two lines at
// synth, each with the construct path, the prop, the value and what is
// allowed; the architecture's wording names the Go constants.
func TestProjectReportsEveryProblemWithPath(t *testing.T) {
	stack := cdktest.NewStack()
	msg := cdktest.MustFailSynth(t, stack, func() {
		dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
			Repository:   awsecr.NewRepository(stack, jsii.String("Repo"), nil),
			Managed:      &dockerbuild.ManagedBuild{AppName: jsii.String("web")},
			Architecture: awsec2.InstanceArchitecture("arm64"),
			Timeout:      awscdk.Duration_Hours(jsii.Number(40)),
			ProjectName:  jsii.String("-web"),
		})
	})
	for _, want := range []string{
		`[TestStack/Build] Architecture: got "arm64", want awsec2.InstanceArchitecture_X86_64 or awsec2.InstanceArchitecture_ARM_64`,
		"[TestStack/Build] Timeout: got 2400 minutes, want 5-2160 minutes",
		`[TestStack/Build] ProjectName: got "-web", want 2-150 letters`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("synth error lacks %q:\n%s", want, msg)
		}
	}
}

// TestManagedParameterPathSlash: "/web" and "/web/" give the build the same
// PARAMETER_PATH.
func TestManagedParameterPathSlash(t *testing.T) {
	env := func(path string) any {
		tmpl := newProject(dockerbuild.ProjectProps{Managed: &dockerbuild.ManagedBuild{AppName: jsii.String("web"), ParameterPath: jsii.String(path)}})
		for _, p := range cdktest.Resources(cdktest.JSON(tmpl), "AWS::CodeBuild::Project") {
			for _, v := range p["Properties"].(map[string]any)["Environment"].(map[string]any)["EnvironmentVariables"].([]any) {
				if v.(map[string]any)["Name"] == "PARAMETER_PATH" {
					return v.(map[string]any)["Value"]
				}
			}
		}
		return nil
	}
	if with, without := env("/team/web/"), env("/team/web"); with != "/team/web/" || without != "/team/web/" {
		t.Errorf("PARAMETER_PATH: got %v for /team/web/ and %v for /team/web, want /team/web/ for both", with, without)
	}
}

// TestProjectNamesImageAndVpc: the physical name, the build image and the
// VPC can be set.
func TestProjectNamesImageAndVpc(t *testing.T) {
	stack := cdktest.NewStack()
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(1)})
	dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository:  awsecr.NewRepository(stack, jsii.String("Repo"), nil),
		Managed:     &dockerbuild.ManagedBuild{AppName: jsii.String("web")},
		ProjectName: jsii.String("web-image"),
		BuildImage:  awscodebuild.LinuxBuildImage_STANDARD_6_0(),
		Vpc:         vpc,
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Name":        "web-image",
		"Environment": assertions.Match_ObjectLike(&map[string]any{"Image": "aws/codebuild/standard:6.0"}),
		"VpcConfig":   assertions.Match_ObjectLike(&map[string]any{"VpcId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Vpc"))}}),
	})
}
