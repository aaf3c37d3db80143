package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/shipline/shipline/internal/ops"
)

// logLine writes one event to the stream (created on first use).
func (w *world) logLine(stream, msg string, at time.Time) {
	w.t.Helper()
	w.logLineIn(w.c, logGroup, stream, msg, at)
}

// logLineIn is logLine in another group (created on first use), in the
// account of c.
func (w *world) logLineIn(c *ops.Clients, group, stream, msg string, at time.Time) {
	w.t.Helper()
	_, _ = c.Logs.CreateLogGroup(w.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	_, _ = c.Logs.CreateLogStream(w.ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)})
	_, err := c.Logs.PutLogEvents(w.ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		LogEvents: []types.InputLogEvent{{Message: aws.String(msg), Timestamp: aws.Int64(at.UnixMilli())}},
	})
	w.must(err)
}

func (w *world) logGroup() {
	w.t.Helper()
	_, err := w.c.Logs.CreateLogGroup(w.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(logGroup)})
	w.must(err)
}

func TestLogsSince(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.logGroup()
	now := time.Now()
	w.logLine("app/i-0aaa/web-app-1", "too old to show", now.Add(-3*time.Hour))
	w.logLine("app/i-0aaa/web-app-1", "listening on :8080", now.Add(-50*time.Minute))
	w.logLine("proxy/i-0aaa/web-nginx-1", `10.0.0.1 - - "GET /health HTTP/1.1" 200`, now.Add(-10*time.Minute))
	w.logLine("app/i-0aaa/web-app-1", "served /health", now.Add(-9*time.Minute))

	out, stderr, code := shipline(t, "logs", "--since", "1h")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], "app/i-0aaa/web-app-1 listening on :8080") ||
		!strings.Contains(lines[1], "proxy/i-0aaa/web-nginx-1 10.0.0.1") || !strings.HasSuffix(lines[2], "served /health") {
		t.Errorf("logs --since 1h =\n%s\nwant the three recent lines, oldest first across streams", out)
	}
	out, _, _ = shipline(t, "logs", "--since", "1h", "--filter", "GET", "-o", "json")
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"stream":"proxy/i-0aaa/web-nginx-1"`) {
		t.Errorf("logs --filter GET -o json = %s, want the proxy line alone, as JSON", out)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogsFollowPrintsNewLinesOnce(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.logGroup()
	w.logLine("app/i-0aaa/web-app-1", "first", time.Now().Add(-time.Minute))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"logs", "-f", "--poll", "20ms"}, &out, &errb) }()
	waitFor(t, &out, "first")
	w.logLine("app/i-0aaa/web-app-1", "second", time.Now())
	waitFor(t, &out, "second")
	time.Sleep(100 * time.Millisecond) // a few more reads, which must print nothing again
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if n := strings.Count(out.String(), "first"); n != 1 {
		t.Errorf("the first line was printed %d times, want once:\n%s", n, out.String())
	}
}

func waitFor(t *testing.T, out *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output within 10s:\n%s", s, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLogsWithoutLogGroup(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	_, stderr, code := shipline(t, "logs")
	if code != 1 || !strings.Contains(stderr, "log group "+logGroup+" (stack output AppLogGroupName) does not exist") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
