package dockerbuild_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/dockerbuild"
)

func ExampleNewProject() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Build"), nil)

	// An existing repository works the same as a new one.
	repo := awsecr.Repository_FromRepositoryName(stack, jsii.String("Images"), jsii.String("web"))
	build := dockerbuild.NewProject(stack, "ImageBuild", &dockerbuild.ProjectProps{
		Repository:   repo,
		Managed:      &dockerbuild.ManagedBuild{AppName: jsii.String("web")},
		Architecture: awsec2.InstanceArchitecture_ARM_64,
		BuildSecrets: &map[string]*string{"NPM_TOKEN": jsii.String("/web/build/NPM_TOKEN")},
	})

	fmt.Println(dockerbuild.Platform(awsec2.InstanceArchitecture_ARM_64), *build.Project().Node().Id())
	// Output: linux/arm64 Resource
}
