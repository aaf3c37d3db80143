package realhost_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ok := func(ms int, body string) sample { return sample{at: at(ms), ok: true, body: body} }
	bad := func(ms int) sample { return sample{at: at(ms), err: "502 Bad Gateway"} }
	cases := []struct {
		name    string
		samples []sample
		failed  int
		outage  time.Duration
		bodies  string
		// downAtEnd: the last request failed.
		downAtEnd bool
	}{
		{"all fine", []sample{ok(0, "v1"), ok(40, "v1"), ok(80, "v2")}, 0, 0, "map[v1:2 v2:1]", false},
		{"longest of two outages", []sample{ok(0, "v1"), bad(40), ok(80, "v1"), bad(120), bad(160), bad(200), ok(240, "v2")}, 4, 120 * time.Millisecond, "map[v1:2 v2:1]", false},
		{"down until the end", []sample{ok(0, "v1"), bad(40), bad(1040)}, 2, time.Second, "map[v1:1]", true},
		{"out of order", []sample{ok(80, "v2"), bad(40), ok(0, "v1")}, 1, 40 * time.Millisecond, "map[v1:1 v2:1]", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := summarize(tc.samples)
			if r.Sent != len(tc.samples) || r.Failed != tc.failed || r.LongestOutage != tc.outage || fmt.Sprint(r.Bodies) != tc.bodies || r.DownAtEnd != tc.downAtEnd {
				t.Errorf("got sent %d failed %d outage %s bodies %v down %v; want failed %d outage %s bodies %s down %v",
					r.Sent, r.Failed, r.LongestOutage, r.Bodies, r.DownAtEnd, tc.failed, tc.outage, tc.bodies, tc.downAtEnd)
			}
		})
	}
}

// TestLoadRateAndConnections checks the loop against a local server: the
// rate, and both kinds of connection.
func TestLoadRateAndConnections(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "v1")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	l := startLoad(srv.URL)
	time.Sleep(time.Second)
	r := l.Stop()
	if r.Sent < loadRate*8/10 || r.Sent > loadRate*12/10 || r.Failed != 0 || r.Bodies["v1"] != r.Sent {
		t.Errorf("in 1 s: %+v, want about %d requests, all answered v1", r, loadRate)
	}
	// Half the requests open a connection each; the other half share a few.
	if n := conns.Load(); n < int64(r.Sent/2) || n > int64(r.Sent/2+5) {
		t.Errorf("%d connections for %d requests, want about half as many", n, r.Sent)
	}
}
