package manualapproval

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// ApprovalProps configures an Approval. props may be nil when a Topic with
// its own subscribers is passed in; otherwise give at least one email.
type ApprovalProps struct {
	// Topic announces approval requests.
	// Default: a new topic that requires TLS and is encrypted with a KMS key.
	Topic awssns.ITopic
	// Emails are subscribed to the topic, one subscription each. Every
	// address receives a confirmation mail it must accept.
	// Default: none.
	Emails *[]*string
	// EncryptionKey encrypts a new topic.
	// Default: a new KMS key with rotation on.
	EncryptionKey awskms.IKey
	// TopicName is the physical name of a new topic (1-256 letters, digits,
	// '-' and '_').
	// Default: a name CloudFormation generates.
	TopicName *string
}

// ActionOptions shape one approval action.
type ActionOptions struct {
	// ActionName in the pipeline.
	// Default: "Approve".
	ActionName *string
	// RunOrder within the stage.
	// Default: 1.
	RunOrder *float64
	// AdditionalInformation is shown in the request, e.g. the commit id and
	// message from the source action's variables.
	// Default: none.
	AdditionalInformation *string
	// ExternalEntityLink is linked from the request, e.g. the commit URL.
	// Default: none.
	ExternalEntityLink *string
	// Timeout before the request is rejected, up to 7 days.
	// Default: 7 days (CodePipeline's maximum).
	Timeout awscdk.Duration
}

// Approval is an SNS topic with email subscribers that announces the
// pipeline's manual approval requests (approve / reject by email link).
type Approval struct {
	constructs.Construct
	topic awssns.ITopic
	key   awskms.IKey
}

var reTopicName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// NewApproval creates the topic (unless one is passed) and the subscriptions.
func NewApproval(scope constructs.Construct, id string, props *ApprovalProps) *Approval {
	var p ApprovalProps
	if props != nil {
		p = *props
	}
	a := &Approval{}
	constructs.NewConstruct_Override(a, scope, &id)
	if err := p.validate(); err != nil {
		// The synth fails listing every problem; no subscription is made
		// from an invalid list.
		propcheck.Report(a, err)
		p.Emails, p.EncryptionKey, p.TopicName = nil, nil, nil
	}

	a.topic = p.Topic
	if a.topic == nil {
		a.key = p.EncryptionKey
		if a.key == nil {
			a.key = awskms.NewKey(a, jsii.String("Key"), &awskms.KeyProps{
				Description:       jsii.String("Encrypts the pipeline's approval and notification topic"),
				EnableKeyRotation: jsii.Bool(true),
			})
		}
		a.topic = awssns.NewTopic(a, jsii.String("Resource"), &awssns.TopicProps{
			TopicName:   p.TopicName,
			DisplayName: jsii.String("Pipeline approvals"),
			EnforceSSL:  jsii.Bool(true),
			MasterKey:   a.key,
		})
	}
	if p.Emails != nil {
		for _, e := range *p.Emails {
			a.topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(e, nil))
		}
	}
	return a
}

func (p ApprovalProps) validate() error {
	var errs []error
	if p.Topic == nil && (p.Emails == nil || len(*p.Emails) == 0) {
		errs = append(errs, errors.New("Emails: got none, want at least one approver address when no existing Topic is passed"))
	}
	if p.Topic != nil && p.EncryptionKey != nil {
		errs = append(errs, errors.New("EncryptionKey: got a key with an existing Topic, want it only for a new topic"))
	}
	if p.Topic != nil && p.TopicName != nil {
		errs = append(errs, errors.New("TopicName: got a name with an existing Topic, want it only for a new topic"))
	} else if p.TopicName != nil && !*awscdk.Token_IsUnresolved(p.TopicName) && !reTopicName.MatchString(*p.TopicName) {
		errs = append(errs, fmt.Errorf("TopicName: got %q, want 1-256 letters, digits, '-' or '_'", *p.TopicName))
	}
	if p.Emails != nil {
		for _, e := range *p.Emails {
			if e == nil || *awscdk.Token_IsUnresolved(e) {
				continue
			}
			if a, err := mail.ParseAddress(*e); err != nil || a.Address != *e {
				errs = append(errs, fmt.Errorf("Emails: got %q, want an address such as ops@example.com", *e))
			}
		}
	}
	return errors.Join(errs...)
}

// NewAction makes the pipeline's approval action, announced on the topic.
func (a *Approval) NewAction(opts *ActionOptions) awscodepipelineactions.ManualApprovalAction {
	var o ActionOptions
	if opts != nil {
		o = *opts
	}
	if o.ActionName == nil {
		o.ActionName = jsii.String("Approve")
	}
	return awscodepipelineactions.NewManualApprovalAction(&awscodepipelineactions.ManualApprovalActionProps{
		ActionName:            o.ActionName,
		RunOrder:              o.RunOrder,
		NotificationTopic:     a.topic,
		AdditionalInformation: o.AdditionalInformation,
		ExternalEntityLink:    o.ExternalEntityLink,
		Timeout:               o.Timeout,
	})
}

// Topic announces approval requests (the escape hatch).
func (a *Approval) Topic() awssns.ITopic { return a.topic }

// Key encrypts the topic when the construct created it; nil otherwise.
func (a *Approval) Key() awskms.IKey { return a.key }
