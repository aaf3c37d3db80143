// Command bin is the shipline CDK app: it reads the config from CDK context,
// reports every config mistake as a plain line, and synthesizes the stack.
// A failed synth exits 1 and leaves nothing in the cloud assembly directory.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/stacks"
)

// StackID is the construct id of the pipeline stack.
const StackID = "PipelineStack"

func main() {
	os.Exit(run())
}

func run() (code int) {
	defer jsii.Close()
	out, err := newStaging(os.Getenv("CDK_OUTDIR"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "shipline: %v\n", err)
		return 1
	}
	defer out.discard()
	defer func() {
		// A CDK error is a panic; show the user its message (for a failed
		// validation, one line per problem with the construct's path), not a
		// Go or JavaScript stack trace.
		if r := recover(); r != nil {
			if findings := readFindings(out.tmp); len(findings) > 0 {
				fmt.Fprintln(os.Stderr, "shipline: synth failed: the template breaks CloudFormation's rules:")
				for _, f := range findings {
					fmt.Fprintf(os.Stderr, "  %s\n", f.line(StackID))
				}
				code = 1
				return
			}
			msg := fmt.Sprint(r)
			if os.Getenv("SHIPLINE_DEBUG") == "" {
				msg = withoutTrace(msg)
			}
			fmt.Fprintf(os.Stderr, "shipline: synth failed: %s\n", msg)
			code = 1
		}
	}()

	app := awscdk.NewApp(&awscdk.AppProps{Outdir: out.dir(), AutoSynth: jsii.Bool(false)})
	ctx, _ := app.Node().GetAllContext(nil).(map[string]any)
	cfg, err := config.FromContext(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shipline: invalid configuration (cdk.json or -c):")
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(os.Stderr, "  %s\n", line)
		}
		return 1
	}
	props := &stacks.PipelineStackProps{Config: &cfg}
	if cfg.Account != "" || cfg.Region != "" {
		// Placed explicitly, as environments in other accounts need; the
		// synth stays offline (no lookups).
		props.Env = &awscdk.Environment{}
		if cfg.Account != "" {
			props.Env.Account = jsii.String(cfg.Account)
		}
		if cfg.Region != "" {
			props.Env.Region = jsii.String(cfg.Region)
		}
	}
	stack := stacks.NewPipelineStack(app, StackID, props)
	if cfg.Nag {
		// cdk-nag's AwsSolutions rules; their findings show at synth.
		stacks.ApplyNagSuppressions(stack)
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	}
	app.Synth(nil)
	if err := out.commit(); err != nil {
		fmt.Fprintf(os.Stderr, "shipline: %v\n", err)
		return 1
	}
	return 0
}

// withoutTrace is the message of a CDK error up to its stack trace: the
// first line, and the "[path] problem" lines of a failed validation.
func withoutTrace(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	keep := lines[:1]
	for _, l := range lines[1:] {
		if !strings.HasPrefix(strings.TrimSpace(l), "[") {
			break
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}
