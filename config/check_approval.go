package config

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
)

var (
	reTopicArn = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:sns:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	// A key id is a UUID, or "mrk-" and 32 hex digits for a multi-Region key.
	reKeyArn = regexp.MustCompile(`^arn:aws(?:-cn|-us-gov)?:kms:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
)

// checkApproval checks the approval topic, its key, the approvers and the
// stage's position.
func checkApproval(c *Config) []error {
	var p problems
	if c.ApprovalTopicArn != "" {
		if !reTopicArn.MatchString(c.ApprovalTopicArn) {
			p.add(bad("approvalTopicArn", c.ApprovalTopicArn, "empty (create a topic) or arn:aws:sns:<region>:<account>:<topic name>"))
		} else if strings.HasSuffix(c.ApprovalTopicArn, ".fifo") {
			p.add(bad("approvalTopicArn", c.ApprovalTopicArn, "a standard topic: FIFO topics cannot deliver email"))
		}
	}
	if c.ApprovalTopicKeyArn != "" {
		if c.ApprovalTopicArn == "" {
			p.add(bad("approvalTopicKeyArn", c.ApprovalTopicKeyArn, "no value unless approvalTopicArn names an existing topic (a new topic gets its own key)"))
		} else if !reKeyArn.MatchString(c.ApprovalTopicKeyArn) {
			p.add(bad("approvalTopicKeyArn", c.ApprovalTopicKeyArn, "arn:aws:kms:<region>:<account>:key/<key id> (a key id or mrk-<id> of a multi-Region key; not an alias)"))
		}
	}
	if c.ApprovalTopicArn == "" && len(c.ApproverEmails) == 0 {
		p.add(bad("approverEmails", "", "at least one address, unless approvalTopicArn names a topic that already has subscribers"))
	}
	seen := map[string]bool{}
	for _, e := range c.ApproverEmails {
		if !validEmail(e) {
			p.add(bad("approverEmails", e, "an email address such as ops@example.com"))
		} else if seen[strings.ToLower(e)] {
			p.add(bad("approverEmails", e, "each address once"))
		}
		seen[strings.ToLower(e)] = true
	}
	if !slices.Contains(approvalTypes, c.ApprovalPosition) {
		p.add(bad("approvalPosition", string(c.ApprovalPosition), "%s", oneOf(approvalNames)))
	}
	return p
}

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || len(e) > 254 {
		return false
	}
	_, domain, _ := strings.Cut(e, "@")
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.ContainsAny(e, " \t\"")
}
