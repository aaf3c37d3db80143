package serverdeploy_test

import (
	"strings"
	"testing"

	"github.com/shipline/shipline/constructs/serverdeploy"
)

// TestScheduleProblem: the schedules State Manager accepts for associations
// pass; the ones it refuses at deploy time are caught at synth.
func TestScheduleProblem(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want string // a fragment of the problem; "" for a valid schedule
	}{
		{"rate(30 minutes)", ""},
		{"rate(1 hour)", ""},
		{"rate(14 days)", ""},
		{"rate(30 days)", ""},
		{"rate(743 hours)", ""},
		{"rate(29 minutes)", "at least 30 minutes"},
		{"rate(31 days)", "under 31 days"},
		{"rate(744 hours)", "under 31 days"},
		{"rate(1 days)", "singular unit for 1"},
		{"rate(0 days)", "singular unit"},
		{"cron(0 3 ? * SUN *)", ""},
		{"cron(15 13 ? * * *)", ""},
		{"cron(15 3 * * ? *)", ""},
		{"cron(0/30 * * * ? *)", ""},
		{"cron(0 */30 * * * ? *)", ""},
		{"cron(0 0/4 * * ? *)", ""},
		{"cron(0 0/12 * * ? *)", ""},
		{"cron(0 3 ? * 1 *)", ""},
		{"cron(0/15 * * * ? *)", "every 30 minutes"},
		{"cron(0 0/3 * * ? *)", "every 1, 2, 4, 8 or 12 hours"},
		{"cron(0 3 1 * ? *)", "weekly"},
		{"cron(0 3 ? 1 SUN *)", "daily"},
		{"cron(0 3 ? * MON-FRI *)", "weekly"},
		{"cron(0 3 * * SUN *)", "weekly"},
		{"cron(0 3 ? * SUN 2027)", "weekly"},
		{"cron(5 0 3 ? * SUN *)", "weekly"},
		{"cron(a b c d e f)", "a cron State Manager accepts"},
		{"cron(0 3 * * 0)", "a cron State Manager accepts"},
		{"0 3 * * 0", "rate(N minutes|hours|days) or cron("},
		{"weekly", "rate(N minutes|hours|days)"},
	} {
		got := serverdeploy.ScheduleProblem(tc.expr)
		if (got == "") != (tc.want == "") || !strings.Contains(got, tc.want) {
			t.Errorf("ScheduleProblem(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}
