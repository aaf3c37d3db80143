package smoketest_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/smoketest"
)

// A check of the staging URL, 20 attempts 15 s apart, then the repository's
// own smoke test against it.
func ExampleNewProject() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Example"), nil)
	source := awscodepipeline.NewArtifact(jsii.String("Source"), nil)

	// snippet:readme
	checks := smoketest.NewProject(stack, "Check", nil)
	action := checks.NewAction(&smoketest.ActionOptions{
		Input:           source,
		URL:             jsii.String("https://staging.example.com/health"),
		Attempts:        jsii.Number(20),
		IntervalSeconds: jsii.Number(15),
		Command:         jsii.String("./scripts/smoke.sh"),
	})
	// snippet:end
	fmt.Println(*action.ActionProperties().ActionName)
	// Output: Check
}
