// Command shipline operates a deployed shipline stack: what runs where
// (status), what can be deployed again (releases), going back to a release
// (rollback), the app's logs (logs) and the pre-flight for a first release
// (doctor). It finds every resource through the stack's outputs; with
// several environments, --env names the one to act on.
//
// Install it from a checkout with `go install ./cmd/shipline`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the exit code: 0 on success, 1
// on any failure (a failed check, a failed deployment, an AWS error), 2 on a
// usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "shipline %s: %v\n", cmd.Name(), err)
	var usage usageError
	if errors.As(err, &usage) {
		return 2
	}
	return 1
}
