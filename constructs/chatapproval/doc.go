// Package chatapproval provides Channel: a Slack or Microsoft Teams channel,
// configured in AWS Chatbot, where a pipeline's manual approvals are
// announced and can be approved or rejected.
//
// Requests reach the channel through a CodeStar Notifications rule on the
// pipeline's approval events, whose target is the Chatbot configuration
// itself. Chatbot renders those events (stage, action, a link to the
// request); it does not render the raw message an approval action publishes
// to its SNS topic, so subscribing the channel to the approval topic would
// not show the requests.
//
// Members of the channel answer with Chatbot's command, run under the
// channel's role:
//
//	@aws codepipeline get-pipeline-state --name <pipeline> --region <region>
//	@aws codepipeline put-approval-result --pipeline-name <pipeline> --region <region> \
//	    --stage-name <stage> --action-name Approve \
//	    --result summary=ok,status=Approved --token <token>
//
// The role may read the pipeline's state and answer its approval actions,
// nothing else, and the same policy is the channel's guardrail, so a member's
// own role (if the workspace requires one) cannot do more from the channel
// either.
//
// Defaults:
//   - every manual approval action of the pipeline, as built when NewChannel
//     is called, may be answered from the channel;
//   - the configuration's name is "<stack name>-<path in the stack>-<Region>"
//     (Chatbot names are unique in an account across Regions).
//
// The Slack workspace or Microsoft Teams tenant must have been authorized
// with AWS Chatbot (now Amazon Q Developer in chat applications) once, in
// its console; CloudFormation cannot do that step.
// AWS Chatbot is not available in the China and AWS GovCloud (US) Regions:
// a stack there fails the synth.
//
// Invalid props fail the synth, one line per problem with the construct's
// path.
//
// Construct ids: the configuration is "Resource", its role "Role", the
// policy of the role and the guardrail "Permissions", the notification
// rule "Notifications".
package chatapproval
