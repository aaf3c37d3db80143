package ops

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// LogEvent is one line of the app's logs.
type LogEvent struct {
	Time    time.Time `json:"time"`
	Stream  string    `json:"stream"`
	Message string    `json:"message"`
}

// LogOptions select the lines.
type LogOptions struct {
	Since  time.Time
	Filter string
	// Follow keeps reading new lines until ctx ends, every Poll.
	Follow bool
	Poll   time.Duration
}

// Logs sends the log group's events since opt.Since to emit, oldest first;
// with Follow it goes on until ctx is done.
func Logs(ctx context.Context, c *Clients, s *Stack, opt LogOptions, emit func(LogEvent)) error {
	if err := s.require(&s.LogGroup); err != nil {
		return err
	}
	if opt.Poll <= 0 {
		opt.Poll = 2 * time.Second
	}
	start := opt.Since
	seen := map[string]time.Time{}
	for {
		newest, err := readLogs(ctx, c, s.LogGroup, start, opt.Filter, seen, emit)
		if errors.Is(err, errNoLogGroup) {
			return fmt.Errorf("log group %s (stack output %s) does not exist%s: was it deleted outside CloudFormation?", s.LogGroup, s.outputKey(&s.LogGroup), s.elsewhere())
		}
		if err != nil {
			return err
		}
		if !opt.Follow {
			return nil
		}
		// Events may arrive late, with earlier timestamps: read again from
		// the newest one seen, and skip the ids already printed.
		if newest.After(start) {
			start = newest
		}
		for id, t := range seen {
			if t.Before(start) {
				delete(seen, id) // never read again
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(opt.Poll):
		}
	}
}

func readLogs(ctx context.Context, c *Clients, group string, start time.Time, filter string, seen map[string]time.Time, emit func(LogEvent)) (time.Time, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, StartTime: ptr(start.UnixMilli())}
	if filter != "" {
		in.FilterPattern = &filter
	}
	newest := start
	var batch []LogEvent
	p := cloudwatchlogs.NewFilterLogEventsPaginator(c.Logs, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return newest, nil
			}
			if errorCode(err) == "ResourceNotFoundException" {
				return newest, errNoLogGroup
			}
			return newest, explain(err)
		}
		for _, e := range page.Events {
			id := deref(e.EventId)
			if _, dup := seen[id]; dup {
				continue
			}
			t := time.UnixMilli(deref64(e.Timestamp))
			seen[id] = t
			if t.After(newest) {
				newest = t
			}
			batch = append(batch, LogEvent{Time: t, Stream: deref(e.LogStreamName), Message: deref(e.Message)})
		}
	}
	// Pages come stream by stream: interleave the app's and the proxy's lines.
	slices.SortStableFunc(batch, func(a, b LogEvent) int { return a.Time.Compare(b.Time) })
	for _, e := range batch {
		emit(e)
	}
	return newest, nil
}

// errNoLogGroup is the log group's absence, which Logs names.
var errNoLogGroup = errors.New("no such log group")

func deref64(v *int64) int64 {
	if v == nil {
		return 0
	}
	return *v
}
