package dockerbuild_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
)

// An arm64 build of the app repository's Dockerfile into an existing
// repository, with an npm token from Parameter Store as a BuildKit secret.
func ExampleNewProject() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Build"), nil)

	// snippet:readme
	// An existing repository works the same as a new one.
	repo := awsecr.Repository_FromRepositoryName(stack, jsii.String("Images"), jsii.String("web"))
	build := dockerbuild.NewProject(stack, "Build", &dockerbuild.ProjectProps{
		Repository:   repo,
		Managed:      &dockerbuild.ManagedBuild{AppName: jsii.String("web")},
		Architecture: awsec2.InstanceArchitecture_ARM_64,
		BuildSecrets: &map[string]*string{"NPM_TOKEN": jsii.String("/web/build/NPM_TOKEN")},
	})
	// snippet:end

	// snippet:escape
	cfn := build.Project().Node().DefaultChild().(awscodebuild.CfnProject)
	cfn.AddPropertyOverride(jsii.String("QueuedTimeoutInMinutes"), 60)
	// snippet:end

	fmt.Println(dockerbuild.Platform(awsec2.InstanceArchitecture_ARM_64), *build.Project().Node().Id())
	// Output: linux/arm64 Resource
}
