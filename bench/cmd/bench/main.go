// Command bench measures shipline's synth and test-suite speed against a
// plain aws-cdk-lib peer, on this machine, in one run: see bench/README.md.
//
// It runs from anywhere inside the module (it finds go.mod) and uses only the
// standard library. Typical use is `make bench`; `go run ./bench/cmd/bench
// -h` lists the knobs.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shipline/shipline/internal/modroot"
)

type options struct {
	runs         int
	memRuns      int
	testRuns     int
	coldRuns     int
	expRuns      int
	profile      bool
	experiments  bool
	quick        bool
	checkOnly    bool
	out          string
	keepLogs     bool
	suitePackage string
}

func main() {
	var o options
	flag.IntVar(&o.runs, "runs", 5, "timed synth runs per variant (after one warm-up run each)")
	flag.IntVar(&o.memRuns, "mem-runs", 3, "memory-sampled synth runs per variant (separate from the timed runs)")
	flag.IntVar(&o.testRuns, "test-runs", 3, "warm test-suite runs (after a warm-up build)")
	flag.IntVar(&o.coldRuns, "cold-runs", 1, "cold test-suite runs, each with an empty Go build cache (0 skips)")
	flag.IntVar(&o.expRuns, "exp-runs", 1, "runs of each test-suite experiment")
	flag.BoolVar(&o.profile, "profile", true, "count jsii processes, kernel calls and synths per test package (two extra suite runs)")
	flag.BoolVar(&o.experiments, "experiments", true, "time the suite under candidate cuts (-p, CDK_VALIDATION, the jsii package cache)")
	flag.BoolVar(&o.quick, "quick", false, "a fast look: -runs 3 -mem-runs 1 -test-runs 1 -cold-runs 0 -profile=false -experiments=false")
	flag.BoolVar(&o.checkOnly, "check", false, "only compare the Go and the JS peer templates, then exit")
	flag.StringVar(&o.out, "out", "bench/results/latest.md", "report file, relative to the module root")
	flag.BoolVar(&o.keepLogs, "keep-logs", false, "keep the work directory (test logs, jsii traces) and print its path")
	flag.StringVar(&o.suitePackage, "suite", "./...", "packages of the test suite")
	flag.Parse()
	if o.quick {
		o.runs, o.memRuns, o.testRuns, o.coldRuns = 3, 1, 1, 0
		o.profile, o.experiments = false, false
	}
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func run(o options) error {
	root, err := modroot.Find()
	if err != nil {
		return err
	}
	if err := os.Chdir(root); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "shipline-bench-")
	if err != nil {
		return err
	}
	if o.keepLogs {
		fmt.Fprintf(os.Stderr, "bench: work directory %s\n", work)
	} else {
		cleanup = func() { os.RemoveAll(work) }
		defer cleanup()
	}

	b := &bench{opts: o, root: root, work: work, start: time.Now()}
	b.machine = describeMachine()
	b.logf("machine: %s, %d cores, %s memory; load %s", b.machine.cpu, b.machine.cores, b.machine.memory, b.machine.loadStart)

	if err := b.prepare(); err != nil {
		return err
	}
	if err := b.check(); err != nil {
		return err
	}
	if o.checkOnly {
		fmt.Println(b.checkSummary())
		return nil
	}
	if o.runs > 0 {
		b.timeSynths()
		b.measureMemory()
	}
	b.timeSuite()
	if o.profile {
		b.profileSuite()
	}
	if o.experiments {
		b.suiteExperiments()
	}
	b.machine.loadEnd = loadAvg()

	report := b.report()
	fmt.Println(report)
	out := o.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, []byte(report), 0o644); err != nil {
		return err
	}
	b.logf("report written to %s (%s in all)", o.out, time.Since(b.start).Round(time.Second))
	return nil
}
