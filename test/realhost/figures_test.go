package realhost_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/shipline/shipline/internal/mdblock"
)

// readmeFlag names a Markdown file whose figures block the run replaces
// (make figures passes the README).
var readmeFlag = flag.String("figures-readme", "", "replace the real-engine figures block of this Markdown file")

const figuresFile = "out/figures.md"

// Figure is what one scenario measured. Durations that do not apply stay 0
// and print as "–".
type Figure struct {
	Scenario string
	// Outcome says how the scenario's main deployment ended, in a few words.
	Outcome string
	// Load figures, from the load loop against the host's HTTP port.
	Sent, Failed  int
	LongestOutage time.Duration
	// DownAtEnd: the host served nothing when the load loop ended.
	DownAtEnd bool
	// Deploy is the time from the first hook to the end of the deployment.
	Deploy time.Duration
	// TimeToFail is the time from a bad release's start to the deployment
	// failing.
	TimeToFail time.Duration
}

// AddLoad records a load run's figures.
func (f *Figure) AddLoad(r LoadResult) {
	f.Sent, f.Failed = f.Sent+r.Sent, f.Failed+r.Failed
	f.LongestOutage = max(f.LongestOutage, r.LongestOutage)
	f.DownAtEnd = r.DownAtEnd
}

type recorder struct {
	mu   sync.Mutex
	figs []*Figure
}

var figures recorder

func (r *recorder) add(scenario string) *Figure {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := &Figure{Scenario: scenario}
	r.figs = append(r.figs, f)
	return f
}

func seconds(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", d.Seconds())
}

// table renders the figures as a Markdown table.
func (r *recorder) table() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("| Scenario | Outcome | Requests sent | Failed | Longest outage (s) | Deployment (s) | Bad release to failure (s) |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|\n")
	for _, f := range r.figs {
		if f.Outcome == "" {
			continue // skipped
		}
		sent, failed, outage := "–", "–", seconds(f.LongestOutage)
		if f.Sent > 0 {
			sent, failed = fmt.Sprint(f.Sent), fmt.Sprint(f.Failed)
		}
		if f.DownAtEnd {
			outage += "+ (still down)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", f.Scenario, f.Outcome, sent, failed,
			outage, seconds(f.Deploy), seconds(f.TimeToFail))
	}
	return b.String()
}

// write prints the table and writes it to out/figures.md (and the README
// block when asked); nothing when no scenario ran.
func (r *recorder) write() error {
	table := r.table()
	if strings.Count(table, "\n") <= 2 {
		return nil
	}
	fmt.Printf("\nReal-engine figures (%d req/s load loop, %d CPUs):\n\n%s\n", loadRate, runtime.NumCPU(), table)
	if err := os.MkdirAll(filepath.Dir(figuresFile), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(figuresFile, []byte(table), 0o644); err != nil {
		return err
	}
	if *readmeFlag == "" {
		return nil
	}
	doc, err := os.ReadFile(*readmeFlag)
	if err != nil {
		return err
	}
	out, err := mdblock.RealhostFigures.Replace(string(doc), table)
	if err != nil {
		return fmt.Errorf("%s: %w", *readmeFlag, err)
	}
	return os.WriteFile(*readmeFlag, []byte(out), 0o644)
}
