package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

type suiteRun struct {
	wall     time.Duration
	cpu      time.Duration
	failed   []string // packages that failed, or "go test" when it failed otherwise
	packages map[string]time.Duration
}

type suiteStats struct {
	warmUp time.Duration // go test -run '^$': build and link every test binary
	warm   []suiteRun
	cold   []suiteRun
}

type experiment struct {
	label   string
	runs    []suiteRun
	base    []suiteRun // baseline runs in the same rounds
	comment string
}

var rePkgLine = regexp.MustCompile(`^(ok|FAIL)\s+(\S+)\s+([0-9.]+)s`)

// runSuite runs `go test -count=1 <flags> <suite>` once, with extra env.
func (b *bench) runSuite(name string, flags []string, env []string) suiteRun {
	logPath := filepath.Join(b.work, "suite-"+name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		fatal(err)
	}
	args := append(append([]string{"go", "test", "-count=1"}, flags...), b.opts.suitePackage)
	r := execute(command{args: args, dir: b.root, env: env, log: f}, false)
	f.Close()
	run := suiteRun{wall: r.wall, cpu: r.cpu, packages: map[string]time.Duration{}}
	lf, err := os.Open(logPath)
	if err != nil {
		fatal(err)
	}
	defer lf.Close()
	sc := bufio.NewScanner(lf)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := rePkgLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		secs, _ := strconv.ParseFloat(m[3], 64)
		pkg := strings.TrimPrefix(m[2], modulePath(b.root)+"/")
		run.packages[pkg] = time.Duration(secs * float64(time.Second))
		if m[1] == "FAIL" {
			run.failed = append(run.failed, pkg)
		}
	}
	if r.err != nil && len(run.failed) == 0 {
		run.failed = []string{"go test: " + r.err.Error()}
	}
	status := "ok"
	if len(run.failed) > 0 {
		status = "FAILED: " + strings.Join(run.failed, ", ")
	}
	b.logf("suite %s: %.1fs, %s (load %s)", name, r.wall.Seconds(), status, loadAvg())
	return run
}

func modulePath(root string) string {
	raw, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// timeSuite: one build that runs no test (fills the build cache and links
// every test binary), then warm runs, then cold runs, each cold run with a
// new, empty GOCACHE (modules stay downloaded).
func (b *bench) timeSuite() {
	if b.opts.testRuns == 0 && b.opts.coldRuns == 0 {
		return
	}
	b.logf("suite: warm-up build (go test -run '^$')")
	w := b.runSuite("warmup", []string{"-run", "^$"}, nil)
	b.suite.warmUp = w.wall
	for i := 0; i < b.opts.testRuns; i++ {
		b.suite.warm = append(b.suite.warm, b.runSuite(fmt.Sprintf("warm%d", i+1), nil, nil))
	}
	for i := 0; i < b.opts.coldRuns; i++ {
		cache, err := os.MkdirTemp(b.work, "gocache-")
		if err != nil {
			fatal(err)
		}
		b.suite.cold = append(b.suite.cold, b.runSuite(fmt.Sprintf("cold%d", i+1), nil, []string{"GOCACHE=" + cache}))
		os.RemoveAll(cache)
	}
}

// pkgProfile is what one test package did through jsii.
type pkgProfile struct {
	processes int
	lifetime  time.Duration // summed wall time of its jsii runtime processes
	requests  int           // kernel requests (Go → JS calls, loads, callbacks' answers)
	loads     int
	synths    int // App.synth plus assertions' Template/Annotations.fromStack
	callbacks int // JS → Go calls (overridden methods, Go-implemented interfaces)
}

// The wrapper starts jsii's runtime the way jsii-runtime-go does (node on
// PATH, the runtime's entry point) and logs two lines per process: "start
// pid ns dir" and "end pid ns". In trace mode it turns on JSII_DEBUG and keeps
// the runtime's stderr, which carries every kernel request. A test binary
// does not wait for its runtime to exit, so "end" can come after go test
// returns.
const wrapper = `#!/bin/sh
echo "start $$ $(date +%s%N) $(pwd -P)" >>"$BENCH_JSII_LOG"
if [ -n "$BENCH_JSII_TRACE" ]; then
  JSII_DEBUG=1 node "$BENCH_JSII_ENTRY" 2>"$BENCH_JSII_LOG.$$.trace"
else
  node "$BENCH_JSII_ENTRY"
fi
rc=$?
echo "end $$ $(date +%s%N)" >>"$BENCH_JSII_LOG"
exit $rc
`

// profileSuite runs the suite twice through the wrapper: once plain, for
// each jsii process's life span, once with JSII_DEBUG, to count kernel
// requests and synths per package. Neither run's suite time is reported.
func (b *bench) profileSuite() {
	if b.jsiiEntry == "" {
		b.profileErr = "jsii-runtime-go's runtime entry point was not found in the module cache"
		return
	}
	script := filepath.Join(b.work, "jsii-wrap.sh")
	if err := os.WriteFile(script, []byte(wrapper), 0o755); err != nil {
		fatal(err)
	}
	b.profile = map[string]*pkgProfile{}
	get := func(dir string) *pkgProfile {
		pkg, err := filepath.Rel(b.root, dir)
		if err != nil || strings.HasPrefix(pkg, "..") {
			pkg = dir
		}
		pkg = filepath.ToSlash(pkg)
		if b.profile[pkg] == nil {
			b.profile[pkg] = &pkgProfile{}
		}
		return b.profile[pkg]
	}
	for _, trace := range []bool{false, true} {
		dir, err := os.MkdirTemp(b.work, "jsii-log-")
		if err != nil {
			fatal(err)
		}
		logFile := filepath.Join(dir, "processes")
		env := []string{"JSII_RUNTIME=sh " + script, "BENCH_JSII_ENTRY=" + b.jsiiEntry, "BENCH_JSII_LOG=" + logFile}
		name := "profile-lifetimes"
		if trace {
			env = append(env, "BENCH_JSII_TRACE=1")
			name = "profile-trace"
		}
		b.logf("suite: %s run (jsii through a logging wrapper)", name)
		run := b.runSuite(name, nil, env)
		if len(run.failed) > 0 {
			b.profileErr = "a profiling run failed: " + strings.Join(run.failed, ", ")
		}
		type proc struct {
			dir        string
			start, end int64
		}
		procs := map[string]*proc{}
		var order []string
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			raw, _ := os.ReadFile(logFile)
			procs, order = map[string]*proc{}, nil
			open := 0
			for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
				f := strings.Fields(line)
				if len(f) < 3 {
					continue
				}
				ns, _ := strconv.ParseInt(f[2], 10, 64)
				switch {
				case f[0] == "start" && len(f) >= 4:
					procs[f[1]] = &proc{dir: strings.Join(f[3:], " "), start: ns}
					order = append(order, f[1])
					open++
				case f[0] == "end" && procs[f[1]] != nil:
					procs[f[1]].end = ns
					open--
				}
			}
			if open == 0 || time.Now().After(deadline) {
				break
			}
		}
		for _, pid := range order {
			pr := procs[pid]
			p := get(pr.dir)
			if !trace {
				p.processes++
				if pr.end > pr.start {
					p.lifetime += time.Duration(pr.end - pr.start)
				}
				continue
			}
			c := countTrace(logFile + "." + pid + ".trace")
			p.requests += c.requests
			p.loads += c.loads
			p.synths += c.synths
			p.callbacks += c.callbacks
		}
		os.RemoveAll(dir)
	}
}

// unitNoValidate starts the jsii runtime with CDK_VALIDATION=false, except
// for the test binary running in $BENCH_VALIDATE_DIR.
const unitNoValidate = `#!/bin/sh
if [ "$(pwd -P)" != "$BENCH_VALIDATE_DIR" ]; then
  CDK_VALIDATION=false
  export CDK_VALIDATION
fi
exec node "$BENCH_JSII_ENTRY"
`

type traceCounts struct{ requests, loads, synths, callbacks int }

var (
	reSynth    = regexp.MustCompile(`"method":"synth"|"fqn":"aws-cdk-lib\.assertions\.(Template|Annotations)","method":"fromStack"`)
	reCallback = regexp.MustCompile(`^< \{"callback"`)
)

// countTrace reads a JSII_DEBUG trace. The runtime wraps its stderr as JSON
// lines {"stderr": base64}; inside, "> {...}" is a request the Go side sent
// and "< {...}" a response or callback the kernel sent.
func countTrace(path string) traceCounts {
	var c traceCounts
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		text := sc.Text()
		var msg struct {
			Stderr string `json:"stderr"`
		}
		if json.Unmarshal([]byte(text), &msg) == nil && msg.Stderr != "" {
			if dec, err := base64.StdEncoding.DecodeString(msg.Stderr); err == nil {
				text = string(dec)
			}
		}
		for _, line := range strings.Split(text, "\n") {
			switch {
			case strings.HasPrefix(line, "> "):
				c.requests++
				if strings.Contains(line, `"api":"load"`) {
					c.loads++
				}
				if reSynth.MatchString(line) {
					c.synths++
				}
			case reCallback.MatchString(line):
				c.callbacks++
			}
		}
	}
	return c
}

// suiteExperiments times the suite under settings that could make it faster,
// each round also running the unchanged suite, so that every setting is
// compared with a baseline taken under the same load.
func (b *bench) suiteExperiments() {
	type setting struct {
		label, comment string
		flags, env     []string
	}
	settings := []setting{
		{label: "`go test -p 1`", comment: "one package at a time", flags: []string{"-p", "1"}},
		{label: "`go test -p 4`", comment: "twice the default on 2 cores: jsii packages wait on pipes and the emulator", flags: []string{"-p", "4"}},
		{label: "`CDK_VALIDATION=false`", comment: "skips aws-cdk-lib's built-in template validation everywhere (its WebAssembly validator costs 1-1.7 s on the first synth of each process, ~0.1 s on each later synth of the default stack); test/ checks that validation is live, so expect it to fail there", env: []string{"CDK_VALIDATION=false"}},
		{label: "`JSII_RUNTIME_PACKAGE_CACHE=disabled`", comment: "the jsii package cache is on by default; this shows what it saves", env: []string{"JSII_RUNTIME_PACKAGE_CACHE=disabled"}},
	}
	if b.jsiiEntry != "" {
		testDir := filepath.Join(b.root, "test")
		if real, err := filepath.EvalSymlinks(testDir); err == nil {
			testDir = real // the wrapper compares with pwd -P
		}
		script := filepath.Join(b.work, "jsii-unit-novalidate.sh")
		if err := os.WriteFile(script, []byte(unitNoValidate), 0o755); err != nil {
			fatal(err)
		}
		settings = append(settings,
			setting{
				label: "`JSII_RUNTIME=node <module cache>/jsii-runtime.js`", comment: "no extraction of the embedded runtime per process",
				env: []string{"JSII_RUNTIME=node " + b.jsiiEntry},
			},
			setting{
				label: "validation off in every package but `test/`", comment: "CDK_VALIDATION=false for every test binary but test/'s, set per package by a jsii runtime wrapper; the stack-level tests keep validating. Near 0% once the unit tests' apps already skip validation",
				env: []string{"JSII_RUNTIME=sh " + script, "BENCH_JSII_ENTRY=" + b.jsiiEntry, "BENCH_VALIDATE_DIR=" + testDir},
			})
	}
	b.experiments = make([]experiment, len(settings))
	for i, s := range settings {
		b.experiments[i] = experiment{label: s.label, comment: s.comment}
	}
	for round := 0; round < b.opts.expRuns; round++ {
		base := b.runSuite(fmt.Sprintf("exp-baseline%d", round+1), nil, nil)
		for i, s := range settings {
			r := b.runSuite(fmt.Sprintf("exp%d-%d", i+1, round+1), s.flags, s.env)
			b.experiments[i].runs = append(b.experiments[i].runs, r)
			b.experiments[i].base = append(b.experiments[i].base, base)
		}
	}
}

func walls(runs []suiteRun) series {
	var s series
	for _, r := range runs {
		s = append(s, r.wall)
	}
	return s
}

// packageMedians is each package's median time over runs.
func packageMedians(runs []suiteRun) map[string]time.Duration {
	all := map[string]series{}
	for _, r := range runs {
		for p, d := range r.packages {
			all[p] = append(all[p], d)
		}
	}
	out := map[string]time.Duration{}
	for p, s := range all {
		out[p] = s.median()
	}
	return out
}

func sortedByDuration(m map[string]time.Duration) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
