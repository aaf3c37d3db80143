// Package manualapproval provides Approval: an SNS topic with one email
// subscription per approver, and NewAction, which makes the pipeline's
// ManualApprovalAction announced on that topic.
//
// Defaults:
//   - a new topic that denies publishing without TLS and is encrypted with a
//     KMS key that rotates, named by CloudFormation unless TopicName is set;
//     or an existing topic passed as Topic;
//   - action name "Approve", timeout 7 days.
//
// Invalid props fail the synth, one line per problem with the construct's
// path.
//
// Construct ids: the topic is "Resource", its key "Key".
package manualapproval
