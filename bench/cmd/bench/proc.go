package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// result is one measured run of a command.
type result struct {
	wall time.Duration
	// cpu is user+sys time of the command and of the descendants it waited
	// for (the kernel adds a reaped child's usage to its parent's).
	cpu time.Duration
	// maxRSS is the peak resident set of the largest single process among
	// the command and its waited-for descendants: what GNU time's "Maximum
	// resident set size" reports.
	maxRSS int64 // KiB
	mem    *memSample
	err    error
	output []byte
}

// command describes one child process.
type command struct {
	args []string
	dir  string
	env  []string // added to (and overriding) the base environment
	// log receives stdout and stderr; nil keeps the last 64 KiB in result.output.
	log io.Writer
}

// managedEnv are variables the harness sets itself per variant; inherited
// values would silently change what is measured, so they are dropped.
var managedEnv = []string{
	"CDK_OUTDIR", "CDK_CONTEXT_JSON", "CDK_VALIDATION",
	"JSII_RUNTIME", "JSII_DEBUG", "JSII_RUNTIME_PACKAGE_CACHE", "JSII_RUNTIME_PACKAGE_CACHE_ROOT",
	"NODE_COMPILE_CACHE", "GOCACHE", "GOFLAGS",
}

func baseEnv() []string {
	var env []string
outer:
	for _, kv := range os.Environ() {
		for _, k := range managedEnv {
			if strings.HasPrefix(kv, k+"=") {
				continue outer
			}
		}
		env = append(env, kv)
	}
	return env
}

// mergeEnv returns base with extra's keys replaced or added.
func mergeEnv(base, extra []string) []string {
	out := make([]string, 0, len(base)+len(extra))
	keys := map[string]bool{}
	for _, kv := range extra {
		k, _, _ := strings.Cut(kv, "=")
		keys[k] = true
	}
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !keys[k] {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// execute runs c once; with sampleMem it also samples the memory of the
// process tree every few milliseconds (which costs CPU, so timed runs leave
// it off).
func execute(c command, sampleMem bool) result {
	cmd := exec.Command(c.args[0], c.args[1:]...)
	cmd.Dir = c.dir
	cmd.Env = mergeEnv(baseEnv(), c.env)
	var tail tailBuffer
	if c.log != nil {
		cmd.Stdout, cmd.Stderr = c.log, c.log
	} else {
		cmd.Stdout, cmd.Stderr = &tail, &tail
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{err: err}
	}
	var sampler *memSampler
	if sampleMem {
		sampler = startSampler(cmd.Process.Pid, 5*time.Millisecond)
	}
	err := cmd.Wait()
	r := result{wall: time.Since(start), err: err, output: tail.Bytes()}
	if sampler != nil {
		r.mem = sampler.stop()
	}
	if st := cmd.ProcessState; st != nil {
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
			r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			r.maxRSS = ru.Maxrss // KiB on Linux
		}
	}
	return r
}

// tailBuffer keeps the last 64 KiB written to it.
type tailBuffer struct{ bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	n, err := t.Buffer.Write(p)
	if extra := t.Len() - 64<<10; extra > 0 {
		t.Next(extra)
	}
	return n, err
}

// memSample is what the sampler saw of a process tree.
type memSample struct {
	// peakSum is the largest sum of VmRSS over the tree at one sample.
	peakSum int64 // KiB
	// byName is the sum, per command name, of each process's peak (VmHWM,
	// as last read before the process ended).
	byName map[string]int64
	// processes counts the distinct processes seen.
	processes int
}

type memSampler struct {
	done chan struct{}
	out  chan *memSample
}

// startSampler follows pid and its descendants through /proc (Linux). It
// reads /proc/<pid>/task/*/children to find the tree and /proc/<pid>/status
// for VmRSS and VmHWM. A process that lives less than one interval can be
// missed; every process of a synth lives far longer.
func startSampler(pid int, every time.Duration) *memSampler {
	s := &memSampler{done: make(chan struct{}), out: make(chan *memSample, 1)}
	go func() {
		hwm := map[int]int64{}
		name := map[int]string{}
		var peak int64
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			var sum int64
			for _, p := range tree(pid) {
				rss, hw, ok := procMem(p)
				if !ok {
					continue
				}
				sum += rss
				if hw > hwm[p] {
					hwm[p] = hw
				}
				if _, seen := name[p]; !seen {
					name[p] = procName(p)
				}
			}
			if sum > peak {
				peak = sum
			}
			select {
			case <-s.done:
				m := &memSample{peakSum: peak, byName: map[string]int64{}, processes: len(hwm)}
				for p, v := range hwm {
					m.byName[name[p]] += v
				}
				s.out <- m
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *memSampler) stop() *memSample {
	close(s.done)
	return <-s.out
}

func tree(pid int) []int {
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", out[i]))
		for _, t := range tasks {
			data, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(data)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

func procMem(pid int) (rss, hwm int64, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, found := strings.Cut(line, ":")
		if !found {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm, hwm > 0
}

func procName(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(data))
}

// stats of a series of durations.
type series []time.Duration

func (s series) sorted() series {
	c := append(series(nil), s...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c
}

func (s series) median() time.Duration {
	if len(s) == 0 {
		return 0
	}
	c := s.sorted()
	n := len(c)
	if n%2 == 1 {
		return c[n/2]
	}
	return (c[n/2-1] + c[n/2]) / 2
}

func (s series) min() time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s.sorted()[0]
}

func (s series) max() time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s.sorted()[len(s)-1]
}

func medianInt(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	c := append([]int64(nil), v...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	n := len(c)
	if n%2 == 1 {
		return c[n/2]
	}
	return (c[n/2-1] + c[n/2]) / 2
}
