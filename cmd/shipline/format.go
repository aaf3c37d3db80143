package main

import (
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shipline/shipline/internal/ops"
)

// when formats a time for a person: UTC, to the second; "-" when unknown.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// shortDigest keeps the algorithm and the first 12 hex digits.
func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	if d == "" {
		return "-"
	}
	return d
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// table writes tab-separated rows as aligned columns, without the padding
// an empty last column leaves.
func table(w io.Writer, header string, rows []string) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	io.WriteString(tw, header+"\n")
	for _, r := range rows {
		io.WriteString(tw, r+"\n")
	}
	tw.Flush()
	for line := range strings.Lines(b.String()) {
		io.WriteString(w, strings.TrimRight(line, " \n")+"\n")
	}
}

func cols(c ...string) string { return strings.Join(c, "\t") }

// placed is an environment's name with where it lives when that is not with
// the stack: "production (account 222222222222, region eu-central-1)".
func placed(name, account, region string) string {
	if p := ops.Place(account, region); p != "" {
		return name + " (" + p + ")"
	}
	return name
}
