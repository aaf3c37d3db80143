package realhost_test

import (
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// The load loop's bounds: it talks to loopback only, at a fixed rate, for a
// bounded time.
const (
	loadRate        = 25 // requests a second
	loadMaxDuration = 5 * time.Minute
	loadTimeout     = 2 * time.Second // per request
	loadMaxInFlight = 64
)

// Load sends GET requests to one URL at loadRate, alternating between a
// client that keeps its connections alive and one that opens a new
// connection per request, until Stop.
type Load struct {
	url      string
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	samples  []sample
	inFlight chan struct{}
	wg       sync.WaitGroup
}

type sample struct {
	at        time.Time
	ok        bool
	body      string // trimmed, when ok
	err       string // when not ok
	keepAlive bool
}

// LoadResult sums up a load run.
type LoadResult struct {
	Sent, Failed int
	// LongestOutage is the longest time from a failed request to the next
	// request that succeeded (or to the end of the run).
	LongestOutage time.Duration
	// Bodies counts the successful answers by body (the release version).
	Bodies map[string]int
	// Errors counts the failures by error.
	Errors map[string]int
	// DownAtEnd is set when the last request failed: the outage went on
	// past the run, and LongestOutage is a lower bound.
	DownAtEnd bool
}

func startLoad(url string) *Load {
	l := &Load{url: url, stop: make(chan struct{}), done: make(chan struct{}), inFlight: make(chan struct{}, loadMaxInFlight)}
	go l.run()
	return l
}

func (l *Load) run() {
	defer close(l.done)
	keepAlive := &http.Client{Timeout: loadTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	fresh := &http.Client{Timeout: loadTimeout, Transport: &http.Transport{DisableKeepAlives: true}}
	tick := time.NewTicker(time.Second / loadRate)
	defer tick.Stop()
	deadline := time.After(loadMaxDuration)
	for n := 0; ; n++ {
		select {
		case <-l.stop:
			l.wg.Wait()
			return
		case <-deadline:
			l.wg.Wait()
			return
		case <-tick.C:
		}
		c, ka := fresh, false
		if n%2 == 0 {
			c, ka = keepAlive, true
		}
		l.inFlight <- struct{}{}
		l.wg.Add(1)
		go func() {
			defer func() { <-l.inFlight; l.wg.Done() }()
			l.record(l.get(c, ka))
		}()
	}
}

func (l *Load) get(c *http.Client, keepAlive bool) sample {
	s := sample{at: time.Now(), keepAlive: keepAlive}
	resp, err := c.Get(l.url)
	if err != nil {
		s.err = shortError(err.Error())
		return s
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		s.err = shortError(err.Error())
	case resp.StatusCode != http.StatusOK:
		s.err = resp.Status
	default:
		s.ok, s.body = true, strings.TrimSpace(string(body))
	}
	return s
}

// shortError drops the URL from a client error, so that errors group.
func shortError(e string) string {
	if i := strings.LastIndex(e, ": "); i >= 0 {
		return e[i+2:]
	}
	return e
}

func (l *Load) record(s sample) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.samples = append(l.samples, s)
}

// Stop ends the loop, waits for the requests in flight and sums up.
func (l *Load) Stop() LoadResult {
	select {
	case <-l.done:
	default:
		close(l.stop)
		<-l.done
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return summarize(l.samples)
}

func summarize(samples []sample) LoadResult {
	sort.Slice(samples, func(i, j int) bool { return samples[i].at.Before(samples[j].at) })
	r := LoadResult{Sent: len(samples), Bodies: map[string]int{}, Errors: map[string]int{}}
	var downSince time.Time
	for _, s := range samples {
		if !s.ok {
			r.Failed++
			r.Errors[s.err]++
			if downSince.IsZero() {
				downSince = s.at
			}
			continue
		}
		r.Bodies[s.body]++
		if !downSince.IsZero() {
			r.LongestOutage = max(r.LongestOutage, s.at.Sub(downSince))
			downSince = time.Time{}
		}
	}
	if !downSince.IsZero() {
		r.LongestOutage = max(r.LongestOutage, samples[len(samples)-1].at.Sub(downSince))
		r.DownAtEnd = true
	}
	return r
}
