package serverdeploy

import (
	"regexp"
	"strconv"
	"strings"
)

// State Manager accepts fewer schedules for associations than cron allows:
// rates from 30 minutes to under 31 days, and cron expressions that run
// every 30 minutes, every 1, 2, 4, 8 or 12 hours, or every day or every week
// at a set time (Systems Manager user guide, "Cron and rate expressions for
// associations"). Anything else fails at deploy time.
var (
	reRate    = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	reCron    = regexp.MustCompile(`^cron\(([^()]*)\)$`)
	reMinute  = regexp.MustCompile(`^([0-9]|[1-5][0-9])$`)
	reHour    = regexp.MustCompile(`^([0-9]|1[0-9]|2[0-3])$`)
	reEvery   = regexp.MustCompile(`^[0*]/(1|2|4|8|12)$`)
	reWeekday = regexp.MustCompile(`^(SUN|MON|TUE|WED|THU|FRI|SAT|[1-7])$`)
)

const (
	scheduleForms = "rate(N minutes|hours|days) or cron(min hour day month weekday year), e.g. rate(14 days) or cron(0 3 ? * SUN *)"
	cronForms     = "a cron State Manager accepts for associations: every 30 minutes cron(0/30 * * * ? *), every 1, 2, 4, 8 or 12 hours cron(0 0/4 * * ? *), daily cron(15 3 * * ? *) or weekly cron(15 3 ? * SUN *)"
)

// ScheduleProblem tells what is wrong with a State Manager schedule
// expression, as the allowed form, or "" when it is valid.
func ScheduleProblem(expr string) string {
	if m := reRate.FindStringSubmatch(expr); m != nil {
		return rateProblem(m[1], m[2])
	}
	if m := reCron.FindStringSubmatch(expr); m != nil {
		if !validAssociationCron(strings.Fields(m[1])) {
			return cronForms
		}
		return ""
	}
	return scheduleForms
}

func rateProblem(count, unit string) string {
	n, err := strconv.Atoi(count)
	singular := strings.TrimSuffix(unit, "s")
	minutes := map[string]int{"minute": 1, "hour": 60, "day": 24 * 60}[singular] * n
	switch {
	case err != nil || n < 1 || (n == 1) != (singular == unit):
		return "a rate with a singular unit for 1 and plural otherwise, e.g. rate(1 day), rate(14 days)"
	case minutes < 30:
		return "a rate of at least 30 minutes (State Manager's minimum)"
	case minutes >= 31*24*60:
		return "a rate under 31 days (State Manager's maximum), e.g. rate(30 days)"
	}
	return ""
}

// validAssociationCron tells the fields of one of the cron expressions
// State Manager accepts for associations.
func validAssociationCron(f []string) bool {
	if len(f) == 7 { // an optional leading seconds field, which must be 0
		if f[0] != "0" {
			return false
		}
		f = f[1:]
	}
	if len(f) != 6 || f[3] != "*" || f[5] != "*" {
		return false
	}
	minute, hour, day, weekday := f[0], f[1], f[2], f[4]
	everyDay := (day == "*" && weekday == "?") || (day == "?" && weekday == "*")
	switch {
	case minute == "0/30" || minute == "*/30":
		return hour == "*" && everyDay
	case !reMinute.MatchString(minute):
		return false
	case reEvery.MatchString(hour):
		return everyDay
	case !reHour.MatchString(hour):
		return false
	}
	return everyDay || (day == "?" && reWeekday.MatchString(weekday))
}
