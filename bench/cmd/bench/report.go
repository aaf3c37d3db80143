package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

type machine struct {
	cpu, memory          string
	cores                int
	loadStart, loadEnd   string
	goos, goarch, kernel string
}

func describeMachine() machine {
	m := machine{cpu: "?", memory: "?", cores: runtime.NumCPU(), loadStart: loadAvg(), goos: runtime.GOOS, goarch: runtime.GOARCH}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				m.memory = fmt.Sprintf("%.1f GiB", kb/(1<<20))
			}
		}
	}
	if raw, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(raw))
	}
	return m
}

// loadAvg is the 1, 5 and 15 minute load averages, as uptime shows them.
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

func ratio(a, b time.Duration) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a.Seconds()/b.Seconds())
}

func (b *bench) report() string {
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	m := b.machine
	p("# shipline benchmark\n\n")
	p("Run %s, %s in all.\n\n", b.start.UTC().Format("2006-01-02 15:04 MST"), time.Since(b.start).Round(time.Second))
	p("Machine: %s, %d cores (`nproc`), %s memory, %s/%s, kernel %s. Load average (1, 5, 15 min) at start %s, at end %s.\n\n",
		m.cpu, m.cores, m.memory, m.goos, m.goarch, m.kernel, m.loadStart, m.loadEnd)
	p("| Component | Version |\n|---|---|\n")
	for _, v := range b.versions {
		p("| %s | %s |\n", v[0], v[1])
	}
	p("\nPeer check: %s.\n\n", b.checkSummary())

	// Synth.
	main, breakdown := b.variants()
	s := b.synth
	med := func(k string) time.Duration {
		if s[k] == nil {
			return 0
		}
		return s[k].wall.median()
	}
	if len(s) > 0 {
		p("## Synth of the default stack\n\n")
		p("Median of %d runs after one warm-up run, all variants alternating in rotated order. CPU is user+sys of the process tree.\n\n", b.opts.runs)
		p("| Variant | Median | Min – max | CPU (median) | vs JS peer |\n|---|---|---|---|---|\n")
		for _, v := range main {
			ref := "js"
			if strings.HasSuffix(v.key, "-min") {
				ref = "js-min"
			}
			p("| %s | %s | %s – %s | %s | %s |\n", v.label, secs(med(v.key)), secs(s[v.key].wall.min()), secs(s[v.key].wall.max()), secs(s[v.key].cpu.median()), ratio(med(v.key), med(ref)))
		}
		p("\n**Go/JS ratio (built binary vs peer): %s** of medians, %s of the fastest runs (least disturbed by other load), %s of CPU time; through the CDK CLI: %s; minimal stack: %s.\n\n",
			ratio(med("go"), med("js")), ratio(s["go"].wall.min(), s["js"].wall.min()), ratio(s["go"].cpu.median(), s["js"].cpu.median()),
			ratio(med("cli"), med("js")), ratio(med("go-min"), med("js-min")))

		p("### Where the synth time goes\n\n")
		p("The same programs with `CDK_VALIDATION=false` (aws-cdk-lib's built-in CloudFormation validation off), to separate the parts.\n\n")
		p("| Variant | Median | Min – max | CPU (median) |\n|---|---|---|---|\n")
		for _, v := range breakdown {
			p("| %s | %s | %s – %s | %s |\n", v.label, secs(med(v.key)), secs(s[v.key].wall.min()), secs(s[v.key].wall.max()), secs(s[v.key].cpu.median()))
		}
		p("\n| Part (differences of medians) | Time |\n|---|---|\n")
		p("| Node start-up | %s |\n", secs(med("node")))
		p("| Loading aws-cdk-lib and synthesizing a minimal stack on Node (JS minimal, no validation) | %s |\n", secs(med("js-min-nv")))
		p("| **jsii start-up**: Go minimal − JS minimal, both without validation (Go start, runtime extraction, two Node processes, writing and hashing %s of jsii tarballs, loading the assemblies) | %s |\n", "~62 MB", secs(med("go-min-nv")-med("js-min-nv")))
		p("| Built-in template validation, first synth in a process (JS minimal − JS minimal without validation) | %s |\n", secs(med("js-min")-med("js-min-nv")))
		p("| Building and synthesizing the stack's constructs, JS (JS peer − JS minimal, no validation) | %s |\n", secs(med("js-nv")-med("js-min-nv")))
		p("| The same through jsii (Go binary − Go minimal, no validation) | %s |\n", secs(med("go-nv")-med("go-min-nv")))
		p("| Validation of the default stack's template, Go (Go binary − Go binary without validation) | %s |\n", secs(med("go")-med("go-nv")))
		p("| CDK CLI and `go run ./bin` on top of the built binary | %s |\n", secs(med("cli")-med("go")))
		if _, ok := s["go-rt"]; ok {
			p("| Go binary with a pre-extracted jsii runtime (`JSII_RUNTIME`) minus the default | %+.2f s |\n", (med("go-rt") - med("go")).Seconds())
		}
		p("\n")
	}

	// Memory.
	if len(b.memory) > 0 {
		p("## Peak memory of synth\n\n")
		p("Median of %d runs sampled every 5 ms through /proc. *Tree* is the largest sum of resident memory over the whole process tree at one instant (what the machine needs); *largest process* is the kernel's max RSS of the biggest single process, which is what `/usr/bin/time -v` reports; the last column sums each process's own peak (VmHWM) by command name.\n\n", b.opts.memRuns)
		p("| Variant | Tree (sampled sum) | Largest process (GNU time) | Per process peaks |\n|---|---|---|---|\n")
		for _, v := range main {
			runs := b.memory[v.key]
			var tree, largest []int64
			names := map[string][]int64{}
			for _, r := range runs {
				largest = append(largest, r.maxRSS)
				if r.mem != nil {
					tree = append(tree, r.mem.peakSum)
					for n, kb := range r.mem.byName {
						names[n] = append(names[n], kb)
					}
				}
			}
			var parts []string
			for _, n := range sortedNames(names) {
				parts = append(parts, fmt.Sprintf("%s %s", n, mib(medianInt(names[n]))))
			}
			p("| %s | %s | %s | %s |\n", v.label, mib(medianInt(tree)), mib(medianInt(largest)), strings.Join(parts, ", "))
		}
		p("\n")
	}

	// Suite.
	if len(b.suite.warm)+len(b.suite.cold) > 0 {
		p("## Test suite: `go test -count=1 %s`\n\n", b.opts.suitePackage)
		p("| Run | Runs | Median | Min – max | Failed packages |\n|---|---|---|---|---|\n")
		p("| Build only (`-run '^$'`, warm cache: links every test binary) | 1 | %s | | |\n", secs(b.suite.warmUp))
		for _, k := range []struct {
			label string
			runs  []suiteRun
		}{{"Warm (build cache filled)", b.suite.warm}, {"Cold (empty `GOCACHE`, modules downloaded)", b.suite.cold}} {
			if len(k.runs) == 0 {
				continue
			}
			ws := walls(k.runs)
			p("| %s | %d | %s | %s – %s | %s |\n", k.label, len(k.runs), secs(ws.median()), secs(ws.min()), secs(ws.max()), failures(k.runs))
		}
		if len(b.suite.warm) > 0 && len(b.suite.cold) > 0 {
			p("\nThe cold run's extra time over the warm median, %s, is compiling the dependencies (aws-cdk-go's packages above all) into the empty cache.\n",
				secs(walls(b.suite.cold).median()-walls(b.suite.warm).median()))
		}
		p("\n")
		pk := packageMedians(b.suite.warm)
		var sum time.Duration
		for _, d := range pk {
			sum += d
		}
		p("Per package (warm runs, median of the test binary's own time as `go test` prints it; their sum is %s, %s on the wall with `-p %d`).", secs(sum), secs(walls(b.suite.warm).median()), runtime.NumCPU())
		if b.profile != nil {
			p(" jsii columns from the profiling runs: runtime processes started, their summed life, kernel requests sent by Go, JS→Go callbacks, assemblies loaded, synths (`App.Synth` plus `Template_FromStack`/`Annotations_FromStack`).")
		}
		p("\n\n")
		if b.profile != nil {
			p("| Package | Time | jsii processes | jsii life | Kernel requests | Callbacks | Loads | Synths |\n|---|---|---|---|---|---|---|---|\n")
		} else {
			p("| Package | Time |\n|---|---|\n")
		}
		var tot pkgProfile
		for _, pkg := range sortedByDuration(pk) {
			if b.profile == nil {
				p("| %s | %s |\n", pkg, secs(pk[pkg]))
				continue
			}
			pr := b.profile[pkg]
			if pr == nil {
				pr = &pkgProfile{}
			}
			tot.processes += pr.processes
			tot.lifetime += pr.lifetime
			tot.requests += pr.requests
			tot.callbacks += pr.callbacks
			tot.loads += pr.loads
			tot.synths += pr.synths
			p("| %s | %s | %d | %s | %d | %d | %d | %d |\n", pkg, secs(pk[pkg]), pr.processes, secs(pr.lifetime), pr.requests, pr.callbacks, pr.loads, pr.synths)
		}
		if b.profile != nil {
			p("| **all** | %s | %d | %s | %d | %d | %d | %d |\n", secs(sum), tot.processes, secs(tot.lifetime), tot.requests, tot.callbacks, tot.loads, tot.synths)
		}
		if b.profile != nil && len(s) > 0 {
			startup := med("go-min-nv") - med("js-min-nv")
			validation := med("js-min") - med("js-min-nv")
			p("\nFixed cost per jsii test binary, from the synth figures above: jsii start-up %s + first-synth validation %s + Node and aws-cdk-lib %s = %s; times %d processes = %s of the suite's CPU.\n",
				secs(startup), secs(validation), secs(med("js-min-nv")), secs(startup+validation+med("js-min-nv")), tot.processes,
				secs(time.Duration(tot.processes)*(startup+validation+med("js-min-nv"))))
		}
		if b.profileErr != "" {
			p("\nProfiling note: %s.\n", b.profileErr)
		}
		p("\n")
	}

	if len(b.experiments) > 0 {
		p("## Test-suite experiments\n\n")
		p("Each setting against an unchanged run in the same round (%d round(s)); medians.\n\n", b.opts.expRuns)
		p("| Setting | Suite | Baseline, same round | Change | Failed packages | Note |\n|---|---|---|---|---|---|\n")
		for _, e := range b.experiments {
			r, base := walls(e.runs).median(), walls(e.base).median()
			change := "–"
			if base > 0 {
				change = fmt.Sprintf("%+.0f%%", (r.Seconds()/base.Seconds()-1)*100)
			}
			p("| %s | %s | %s | %s | %s | %s |\n", e.label, secs(r), secs(base), change, failures(e.runs), e.comment)
		}
		p("\n")
	}

	// Targets.
	p("## Targets\n\n| Target | Measured | Met |\n|---|---|---|\n")
	if len(s) > 0 {
		goRatio := med("go").Seconds() / med("js").Seconds()
		p("| Go synth within 1.10× of the JS peer | %.2f× | %s |\n", goRatio, yes(goRatio <= 1.10))
	}
	if len(b.suite.warm) > 0 {
		wm := walls(b.suite.warm).median()
		p("| Warm suite under 60 s | %s | %s |\n", secs(wm), yes(wm < 60*time.Second))
	}
	if len(b.suite.cold) > 0 {
		cm := walls(b.suite.cold).median()
		p("| Cold suite under 4 min | %s | %s |\n", secs(cm), yes(cm < 4*time.Minute))
	}
	return w.String()
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func failures(runs []suiteRun) string {
	seen := map[string]bool{}
	var out []string
	for _, r := range runs {
		for _, f := range r.failed {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func sortedNames(m map[string][]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return medianInt(m[keys[i]]) > medianInt(m[keys[j]]) })
	return keys
}
