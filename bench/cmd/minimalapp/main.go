// Command minimalapp synthesizes a minimal stack through jsii: the fixed cost
// of any Go CDK app (Go start, jsii runtime start, loading aws-cdk-lib into
// Node, one synth with its template validation), which the bench harness
// reports as "jsii start-up". The stack holds one resource that needs no
// properties, since the project's context fails the synth of an empty stack.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("MinimalStack"), nil)
	awscdk.NewCfnWaitConditionHandle(stack, jsii.String("Handle"), nil)
	app.Synth(nil)
}
