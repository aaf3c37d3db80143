package stacks_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/stacks"
)

// Settings come from CDK context in the shipline app; from Go, read them
// the same way (or change config.Default()) and pass the result.
func ExampleNewPipelineStack() {
	app := awscdk.NewApp(nil)
	cfg, err := config.FromContext(map[string]any{
		"appName":        "web",
		"githubOwner":    "acme",
		"githubRepo":     "web",
		"approverEmails": "ops@example.com",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	stack := stacks.NewPipelineStack(app, "WebPipeline", &stacks.PipelineStackProps{Config: &cfg})
	fmt.Println(*stack.StackName(), stack.Config().ParameterPath())
	// Output: WebPipeline /web/
}
