package config

import "strings"

// arn is the parsed head of an ARN.
type arn struct{ partition, service, region string }

func parseArn(s string) (arn, bool) {
	p := strings.SplitN(s, ":", 6)
	if len(p) < 6 || p[0] != "arn" {
		return arn{}, false
	}
	return arn{partition: p[1], service: p[2], region: p[3]}, true
}

// checkRegions checks that what the stack uses from its own Region is in
// one Region, and every ARN in one partition: a topic, key, target group or
// subnet elsewhere passes synth and fails at deploy time. (The stack is
// environment-agnostic, so its own Region is not known here; the values
// must at least agree with each other.)
func checkRegions(c *Config) []error {
	var p problems
	type place struct{ setting, value, region string }
	var regional []place
	if a, ok := parseArn(c.ApprovalTopicArn); ok && reTopicArn.MatchString(c.ApprovalTopicArn) {
		regional = append(regional, place{"approvalTopicArn", c.ApprovalTopicArn, a.region})
		if k, ok := parseArn(c.ApprovalTopicKeyArn); ok && reKeyArn.MatchString(c.ApprovalTopicKeyArn) && k.region != a.region {
			p.add(bad("approvalTopicKeyArn", c.ApprovalTopicKeyArn, "a key in %s, the topic's Region: SNS uses the key of its own Region (a multi-Region key's replica there has that Region in its ARN)", a.region))
		}
	}
	if a, ok := parseArn(c.TargetGroupArn); ok && reTargetGroup.MatchString(c.TargetGroupArn) {
		regional = append(regional, place{"targetGroupArn", c.TargetGroupArn, a.region})
	}
	if len(c.Subnets) > 0 && reAZ.MatchString(c.Subnets[0].Zone) {
		z := c.Subnets[0].Zone
		regional = append(regional, place{"availabilityZones", z, regionOf(z)})
	}
	for _, r := range regional[min(1, len(regional)):] {
		if first := regional[0]; r.region != first.region {
			p.add(bad(r.setting, r.value, "a value in %s, the Region of %s: the stack and what it uses live in one Region", first.region, first.setting))
		}
	}
	p.add(samePartition(c))
	return p
}

// samePartition reports the first ARN in another partition (aws, aws-cn,
// aws-us-gov) than the ones before it.
func samePartition(c *Config) *SettingError {
	arns := []struct{ setting, value string }{
		{"connectionArn", c.ConnectionArn}, {"approvalTopicArn", c.ApprovalTopicArn},
		{"approvalTopicKeyArn", c.ApprovalTopicKeyArn}, {"targetGroupArn", c.TargetGroupArn},
	}
	if c.DiffRole != nil {
		arns = append(arns, struct{ setting, value string }{"diffRoleProviderArn", c.DiffRole.ProviderArn})
	}
	first, firstSetting := "", ""
	for _, a := range arns {
		parsed, ok := parseArn(a.value)
		switch {
		case !ok:
		case first == "":
			first, firstSetting = parsed.partition, a.setting
		case parsed.partition != first:
			return bad(a.setting, a.value, "an ARN of partition %q, as %s is: one stack lives in one partition", first, firstSetting)
		}
	}
	return nil
}

// regionOf is the Region of a zone name such as eu-west-1a.
func regionOf(zone string) string { return zone[:len(zone)-1] }
