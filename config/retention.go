package config

import (
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
)

// retentions are the retention periods CloudWatch Logs accepts, in days.
var retentions = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

// retentionWant lists the accepted retention days.
func retentionWant() string {
	days := slices.Sorted(maps.Keys(retentions))
	s := make([]string, len(days))
	for i, d := range days {
		s[i] = itoa(d)
	}
	return "a CloudWatch Logs retention: " + strings.Join(s, ", ")
}

func logRetention(b *builder, key string, raw any) error {
	n, err := wholeNumber(key, raw, retentionWant())
	if err != nil {
		return err
	}
	r, ok := retentions[n]
	if !ok {
		return bad(key, n, "%s", retentionWant())
	}
	b.c.LogRetention = r
	return nil
}

// RetentionDays is the number of days of a CloudWatch Logs retention, or 0
// for one this package does not offer.
func RetentionDays(r awslogs.RetentionDays) int {
	for d, v := range retentions {
		if v == r {
			return d
		}
	}
	return 0
}
