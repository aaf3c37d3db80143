package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

type bench struct {
	opts    options
	root    string
	work    string
	start   time.Time
	machine machine

	contextJSON string
	bin         string // the Go app, built
	minimalBin  string // bench/cmd/minimalapp, built
	jsiiEntry   string // jsii-runtime-go's runtime entry point (for JSII_RUNTIME)
	versions    [][2]string

	checkResult checkResult
	synth       map[string]*synthStats
	synthOrder  []string
	memory      map[string][]result
	suite       suiteStats
	profile     map[string]*pkgProfile
	profileErr  string
	experiments []experiment
}

type synthStats struct {
	wall, cpu series
}

// variant is one way of synthesizing.
type variant struct {
	key, label string
	// args builds the command for an output directory.
	args func(out string) []string
	env  []string
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6s] %s\n", time.Since(b.start).Round(time.Second), fmt.Sprintf(format, args...))
}

// prepare builds the binaries, reads the context and checks the peer's
// aws-cdk-lib is the one aws-cdk-go wraps.
func (b *bench) prepare() error {
	// The Makefile puts the pinned Node and CDK CLI first on PATH; do the
	// same when run directly.
	if bin := filepath.Join(b.root, "node_modules", ".bin"); dirExists(bin) {
		os.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	raw, err := os.ReadFile(filepath.Join(b.root, "cdk.json"))
	if err != nil {
		return err
	}
	var doc struct {
		Context json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("cdk.json: %w", err)
	}
	b.contextJSON = string(doc.Context)

	peerLib := filepath.Join(b.root, "bench", "peer", "node_modules", "aws-cdk-lib", "package.json")
	peerVersion, err := packageVersion(peerLib)
	if err != nil {
		return fmt.Errorf("the JS peer is not installed (%v): run `make bench`, or `npm ci` in bench/peer", err)
	}
	goLib, err := wrappedLibVersion()
	if err != nil {
		return err
	}
	if goLib != peerVersion {
		return fmt.Errorf("bench/peer has aws-cdk-lib %s but aws-cdk-go wraps %s: pin %s in bench/peer/package.json", peerVersion, goLib, goLib)
	}
	constructsVersion, _ := packageVersion(filepath.Join(b.root, "bench", "peer", "node_modules", "constructs", "package.json"))

	b.bin = filepath.Join(b.work, "bin", "shipline")
	b.minimalBin = filepath.Join(b.work, "bin", "minimalapp")
	b.logf("building the Go app and the minimal-stack app")
	for _, t := range [][2]string{{b.bin, "./bin"}, {b.minimalBin, "./bench/cmd/minimalapp"}} {
		if out, err := exec.Command("go", "build", "-o", t[0], t[1]).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", t[1], err, out)
		}
	}
	if dir, err := goListDir("github.com/aws/jsii-runtime-go"); err == nil {
		entry := filepath.Join(dir, "internal", "embedded", "resources", "bin", "jsii-runtime.js")
		if fileExists(entry) {
			b.jsiiEntry = entry
		}
	}

	b.versions = [][2]string{
		{"Go", strings.TrimPrefix(output("go", "env", "GOVERSION"), "go")},
		{"Node (first on PATH: jsii and the peer)", strings.TrimPrefix(output("node", "--version"), "v")},
		{"aws-cdk-lib (wrapped by aws-cdk-go, and the peer's)", goLib},
		{"constructs (peer)", constructsVersion},
		{"aws-cdk-go/awscdk/v2", goModVersion("github.com/aws/aws-cdk-go/awscdk/v2")},
		{"jsii-runtime-go", goModVersion("github.com/aws/jsii-runtime-go")},
		{"CDK CLI", firstField(output("npx", "--no-install", "cdk", "--version"))},
	}
	return nil
}

// wrappedLibVersion reads the aws-cdk-lib version from the jsii tarball
// inside the aws-cdk-go module.
func wrappedLibVersion() (string, error) {
	dir, err := goListDir("github.com/aws/aws-cdk-go/awscdk/v2")
	if err != nil {
		return "", err
	}
	m, _ := filepath.Glob(filepath.Join(dir, "jsii", "aws-cdk-lib-*.tgz"))
	if len(m) != 1 {
		return "", fmt.Errorf("no aws-cdk-lib tarball in %s/jsii", dir)
	}
	return strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m[0]), "aws-cdk-lib-"), ".tgz"), nil
}

func goListDir(mod string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		return "", fmt.Errorf("go list -m %s: %v (run `go mod download`)", mod, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func goModVersion(mod string) string {
	return output("go", "list", "-m", "-f", "{{.Version}}", mod)
}

func packageVersion(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", err
	}
	return p.Version, nil
}

func output(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

func dirExists(p string) bool  { st, err := os.Stat(p); return err == nil && st.IsDir() }
func fileExists(p string) bool { st, err := os.Stat(p); return err == nil && !st.IsDir() }

// The synth variants. Every one gets a fresh output directory and, as the CDK
// CLI gives an app, CDK_OUTDIR and CDK_CONTEXT_JSON.
func (b *bench) variants() (main, breakdown []variant) {
	peer := filepath.Join(b.root, "bench", "peer")
	noVal := []string{"CDK_VALIDATION=false"}
	main = []variant{
		{key: "go", label: "Go app, built binary (jsii)", args: func(string) []string { return []string{b.bin} }},
		{key: "cli", label: "Go app through `cdk synth --quiet` (CLI + `go run ./bin`)", args: func(out string) []string {
			return []string{"npx", "--no-install", "cdk", "synth", "--quiet", "-o", out}
		}},
		{key: "js", label: "JS peer, plain aws-cdk-lib on Node", args: func(string) []string { return []string{"node", filepath.Join(peer, "app.js")} }},
		{key: "go-min", label: "Minimal stack, Go (jsii start-up + one synth)", args: func(string) []string { return []string{b.minimalBin} }},
		{key: "js-min", label: "Minimal stack, JS (Node + aws-cdk-lib + one synth)", args: func(string) []string { return []string{"node", filepath.Join(peer, "minimal.js")} }},
	}
	breakdown = []variant{
		{key: "node", label: "`node -e 0` (Node start-up)", args: func(string) []string { return []string{"node", "-e", "0"} }},
		{key: "js-min-nv", label: "Minimal stack, JS, no validation", args: main[4].args, env: noVal},
		{key: "go-min-nv", label: "Minimal stack, Go, no validation", args: main[3].args, env: noVal},
		{key: "js-nv", label: "JS peer, no validation", args: main[2].args, env: noVal},
		{key: "go-nv", label: "Go app binary, no validation", args: main[0].args, env: noVal},
	}
	if b.jsiiEntry != "" {
		breakdown = append(breakdown, variant{
			key: "go-rt", label: "Go app binary, JSII_RUNTIME = the runtime in the module cache (no per-run extraction)",
			args: main[0].args, env: []string{"JSII_RUNTIME=node " + b.jsiiEntry},
		})
	}
	return main, breakdown
}

func (b *bench) synthCommand(v variant, out string) command {
	env := append([]string{"CDK_OUTDIR=" + out, "CDK_CONTEXT_JSON=" + b.contextJSON}, v.env...)
	if v.key == "cli" {
		env = v.env // the CLI reads cdk.json and sets both itself
	}
	return command{args: v.args(out), dir: b.root, env: env}
}

func (b *bench) runSynth(v variant, sampleMem bool) (result, string) {
	out, err := os.MkdirTemp(b.work, "out-"+v.key+"-")
	if err != nil {
		return result{err: err}, ""
	}
	r := execute(b.synthCommand(v, out), sampleMem)
	if r.err != nil {
		r.err = fmt.Errorf("%s: %v\n%s", v.label, r.err, tailLines(string(r.output), 30))
	}
	return r, out
}

// timeSynths runs every variant once to warm up (page cache, jsii package
// cache, go run's executable cache), then in rounds, each round in a rotated
// order, so that drift in the machine's load spreads over all variants.
func (b *bench) timeSynths() {
	main, breakdown := b.variants()
	all := append(append([]variant{}, main...), breakdown...)
	b.synth = map[string]*synthStats{}
	for _, v := range all {
		b.synth[v.key] = &synthStats{}
		b.synthOrder = append(b.synthOrder, v.key)
	}
	b.logf("synth: warm-up, then %d rounds of %d variants", b.opts.runs, len(all))
	for _, v := range all {
		r, out := b.runSynth(v, false)
		os.RemoveAll(out)
		if r.err != nil {
			fatal(r.err)
		}
	}
	for round := 0; round < b.opts.runs; round++ {
		for i := range all {
			v := all[(i+round)%len(all)]
			r, out := b.runSynth(v, false)
			os.RemoveAll(out)
			if r.err != nil {
				fatal(r.err)
			}
			s := b.synth[v.key]
			s.wall = append(s.wall, r.wall)
			s.cpu = append(s.cpu, r.cpu)
		}
		b.logf("synth round %d/%d: go %.2fs, js %.2fs (load %s)", round+1, b.opts.runs,
			b.synth["go"].wall[round].Seconds(), b.synth["js"].wall[round].Seconds(), loadAvg())
	}
}

// measureMemory runs the main variants again with the /proc sampler.
func (b *bench) measureMemory() {
	if runtime.GOOS != "linux" || b.opts.memRuns == 0 {
		return
	}
	main, _ := b.variants()
	b.memory = map[string][]result{}
	b.logf("memory: %d sampled runs of %d variants", b.opts.memRuns, len(main))
	for round := 0; round < b.opts.memRuns; round++ {
		for i := range main {
			v := main[(i+round)%len(main)]
			r, out := b.runSynth(v, true)
			os.RemoveAll(out)
			if r.err != nil {
				fatal(r.err)
			}
			b.memory[v.key] = append(b.memory[v.key], r)
		}
	}
}

// checkResult compares the Go app's template with the peer's.
type checkResult struct {
	goCounts, jsCounts map[string]int
	sameIDs            bool
	identical, total   int
	sameOutputs        bool
	equal              bool
	goTemplateBytes    int
}

// check synthesizes both and fails when their resource types or counts
// differ: the peer must stay the same stack for the ratio to mean anything.
func (b *bench) check() error {
	b.logf("check: synthesizing the Go app and the JS peer, comparing templates")
	main, _ := b.variants()
	tmpl := map[string]map[string]any{}
	for _, v := range []variant{main[0], main[2]} {
		r, out := b.runSynth(v, false)
		if r.err != nil {
			return r.err
		}
		path := filepath.Join(out, "PipelineStack.template.json")
		raw, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s wrote no PipelineStack template: %v", v.label, err)
		}
		if v.key == "go" {
			b.checkResult.goTemplateBytes = len(raw)
		}
		var t map[string]any
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		tmpl[v.key] = t
		os.RemoveAll(out)
	}
	g, j := tmpl["go"], tmpl["js"]
	c := &b.checkResult
	c.goCounts, c.jsCounts = typeCounts(g), typeCounts(j)
	gr, _ := g["Resources"].(map[string]any)
	jr, _ := j["Resources"].(map[string]any)
	c.total = len(gr)
	c.sameIDs = reflect.DeepEqual(slices.Sorted(maps.Keys(gr)), slices.Sorted(maps.Keys(jr)))
	for id, r := range gr {
		if reflect.DeepEqual(r, jr[id]) {
			c.identical++
		}
	}
	c.sameOutputs = reflect.DeepEqual(slices.Sorted(maps.Keys(asMap(g["Outputs"]))), slices.Sorted(maps.Keys(asMap(j["Outputs"]))))
	c.equal = reflect.DeepEqual(g, j)
	if !reflect.DeepEqual(c.goCounts, c.jsCounts) {
		return fmt.Errorf("the JS peer no longer builds the Go app's resources; update bench/peer/app.js:\n%s", countDiff(c.goCounts, c.jsCounts))
	}
	b.logf("check: %s", b.checkSummary())
	return nil
}

func (b *bench) checkSummary() string {
	c := b.checkResult
	n := 0
	for _, v := range c.goCounts {
		n += v
	}
	s := fmt.Sprintf("same resource types and counts (%d resources of %d types)", n, len(c.goCounts))
	switch {
	case c.equal:
		s += "; the templates are equal as JSON"
	default:
		s += fmt.Sprintf("; logical ids equal: %v, outputs equal: %v, resources equal as JSON: %d of %d", c.sameIDs, c.sameOutputs, c.identical, c.total)
	}
	return s
}

func typeCounts(t map[string]any) map[string]int {
	out := map[string]int{}
	for _, r := range asMap(t["Resources"]) {
		typ, _ := asMap(r)["Type"].(string)
		out[typ]++
	}
	return out
}

func countDiff(a, b map[string]int) string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var lines []string
	for k := range keys {
		if a[k] != b[k] {
			lines = append(lines, fmt.Sprintf("  %s: Go %d, JS %d", k, a[k], b[k]))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// cleanup removes the work directory when the harness stops early.
var cleanup = func() {}

func fatal(err error) {
	cleanup()
	fmt.Fprintf(os.Stderr, "bench: %v\n", err)
	os.Exit(1)
}
