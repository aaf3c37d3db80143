package serverdeploy

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/internal/propcheck"
)

// AgentMode is how the CodeDeploy agent reaches the hosts: the choices of the
// CodeDeploy console's "Install AWS CodeDeploy Agent", done as a Systems
// Manager State Manager association that runs the AWS-ConfigureAWSPackage
// document (action Install, package AWSCodeDeployAgent).
type AgentMode string

const (
	// AgentNever creates no association: the hosts bring their own agent.
	AgentNever AgentMode = "never"
	// AgentOnce creates an association without a schedule. State Manager
	// runs it when it is created and on every instance that later matches
	// its targets (a new tagged host, an Auto Scaling scale-out), and never
	// again on its own: the console's "Only once".
	AgentOnce AgentMode = "once"
	// AgentNow installs or updates the agent now: the same unscheduled
	// association as AgentOnce, which runs when created and again whenever
	// it changes. Run it once more at any time with
	// `aws ssm start-associations-once --association-ids <id>`.
	AgentNow AgentMode = "now"
	// AgentSchedule runs the association now and then on Schedule, which
	// keeps the agent updated: the console's "Now and schedule updates".
	AgentSchedule AgentMode = "schedule"
)

// Systems Manager names used by the association.
const (
	AgentDocument = "AWS-ConfigureAWSPackage"
	AgentPackage  = "AWSCodeDeployAgent"
	// AutoScalingGroupTag is the tag EC2 Auto Scaling puts on the instances
	// it launches, with the group's name as value.
	AutoScalingGroupTag = "aws:autoscaling:groupName"
)

// AgentInstallProps configures an AgentInstall. Give InstanceTags,
// AutoScalingGroupNames or both, normally those of the deployment group.
type AgentInstallProps struct {
	// Mode of installation.
	// Default: AgentOnce.
	Mode AgentMode
	// Schedule of AgentSchedule: "rate(14 days)" or "cron(0 3 ? * SUN *)".
	// Default: none; required with AgentSchedule only.
	Schedule *string
	// InstanceTags select the hosts, as in the deployment group.
	// Default: none.
	InstanceTags awscodedeploy.InstanceTagSet
	// AutoScalingGroupNames select the instances of these groups through
	// their aws:autoscaling:groupName tag.
	// Default: none.
	AutoScalingGroupNames *[]*string
}

// AgentInstall installs (and with AgentSchedule, keeps updating) the
// CodeDeploy agent on the deployment targets through State Manager. Hosts
// must be SSM managed nodes: SSM Agent running and ManagedNodeStatements
// allowed to their role (HostAccess's policy holds them).
type AgentInstall struct {
	constructs.Construct
	associations []awsssm.CfnAssociation
}

// maxTargets is State Manager's limit of targets per association.
const maxTargets = 5

// NewAgentInstall creates the associations: one for the instance tags (one per
// tag key when a tag group has several keys, since a group matches any of
// its keys while an association's targets must all match) and one for the
// Auto Scaling groups. With AgentNever it creates nothing.
func NewAgentInstall(scope constructs.Construct, id string, props *AgentInstallProps) *AgentInstall {
	var p AgentInstallProps
	if props != nil {
		p = *props
	}
	if p.Mode == "" {
		p.Mode = AgentOnce
	}
	a := &AgentInstall{}
	constructs.NewConstruct_Override(a, scope, &id)
	if err := p.validate(""); err != nil {
		// The synth fails; no association is made from invalid props.
		propcheck.Report(a, err)
		return a
	}
	if p.Mode == AgentNever {
		return a
	}
	tagTargets, _ := tagTargets(p.InstanceTags)
	for i, targets := range tagTargets {
		assocID := "Tags"
		if i > 0 {
			assocID = fmt.Sprintf("Tags%d", i+1)
		}
		a.add(assocID, targets, p)
	}
	if p.AutoScalingGroupNames != nil && len(*p.AutoScalingGroupNames) > 0 {
		a.add("AutoScalingGroups", []*awsssm.CfnAssociation_TargetProperty{{
			Key:    jsii.String("tag:" + AutoScalingGroupTag),
			Values: p.AutoScalingGroupNames,
		}}, p)
	}
	return a
}

func (a *AgentInstall) add(id string, targets []*awsssm.CfnAssociation_TargetProperty, p AgentInstallProps) {
	props := &awsssm.CfnAssociationProps{
		Name: jsii.String(AgentDocument),
		Parameters: map[string]any{
			"action": []string{"Install"},
			"name":   []string{AgentPackage},
		},
		Targets: &targets,
	}
	if p.Mode == AgentSchedule {
		props.ScheduleExpression = p.Schedule
		// Run now too, then on the schedule (the default; not allowed with rate()).
		if strings.HasPrefix(*p.Schedule, "cron(") {
			props.ApplyOnlyAtCronInterval = jsii.Bool(false)
		}
	}
	a.associations = append(a.associations, awsssm.NewCfnAssociation(a, jsii.String(id), props))
}

// tagTargets turns the deployment group's tag set into association targets.
// A tag set is an AND of groups, each an OR of its tags; an association's
// targets are ANDed and a target's values ORed.
func tagTargets(set awscodedeploy.InstanceTagSet) ([][]*awsssm.CfnAssociation_TargetProperty, error) {
	if set == nil || set.InstanceTagGroups() == nil {
		return nil, nil
	}
	groups := *set.InstanceTagGroups()
	target := func(key string, values *[]*string) (*awsssm.CfnAssociation_TargetProperty, error) {
		switch {
		case key == "":
			return nil, errors.New("InstanceTags: got a value-only tag filter, want tag keys: a State Manager target names a tag key")
		case values == nil || len(*values) == 0:
			return &awsssm.CfnAssociation_TargetProperty{Key: jsii.String("tag-key"), Values: jsii.Strings(key)}, nil
		default:
			return &awsssm.CfnAssociation_TargetProperty{Key: jsii.String("tag:" + key), Values: values}, nil
		}
	}
	var out [][]*awsssm.CfnAssociation_TargetProperty
	switch {
	case len(groups) == 1:
		// One group: any of its keys. One association per key.
		for _, key := range sortedTagKeys(groups[0]) {
			t, err := target(key, (*groups[0])[key])
			if err != nil {
				return nil, err
			}
			out = append(out, []*awsssm.CfnAssociation_TargetProperty{t})
		}
	case len(groups) > maxTargets:
		return nil, fmt.Errorf("InstanceTags: got %d tag groups, want at most %d (State Manager's targets per association)", len(groups), maxTargets)
	default:
		// Several groups: all of them. One association, one target per group.
		var targets []*awsssm.CfnAssociation_TargetProperty
		for i, g := range groups {
			keys := sortedTagKeys(g)
			if len(keys) != 1 {
				return nil, fmt.Errorf("InstanceTags: group %d has %d tag keys, want one key per group when there are several groups (an association cannot express an OR inside an AND); install the agent yourself and use AgentNever", i+1, len(keys))
			}
			t, err := target(keys[0], (*g)[keys[0]])
			if err != nil {
				return nil, err
			}
			targets = append(targets, t)
		}
		out = append(out, targets)
	}
	return out, nil
}

func sortedTagKeys(g *map[string]*[]*string) []string {
	if g == nil {
		return nil
	}
	keys := slices.Sorted(maps.Keys(*g))
	return keys
}

// validate checks the props; prefix names Mode and Schedule as the caller's
// user wrote them ("Agent." for DeploymentGroupProps.Agent).
func (p AgentInstallProps) validate(prefix string) error {
	var errs []error
	switch p.Mode {
	case AgentNever, AgentOnce, AgentNow:
		if p.Schedule != nil {
			errs = append(errs, fmt.Errorf("%sSchedule: got %q with mode %q, want a schedule only with %q", prefix, *p.Schedule, p.Mode, AgentSchedule))
		}
	case AgentSchedule:
		switch {
		case p.Schedule == nil:
			errs = append(errs, fmt.Errorf(`%sSchedule: got nil, want "rate(14 days)" or "cron(0 3 ? * SUN *)" with mode %q`, prefix, AgentSchedule))
		case *awscdk.Token_IsUnresolved(p.Schedule):
		case ScheduleProblem(*p.Schedule) != "":
			errs = append(errs, fmt.Errorf("%sSchedule: got %q, want %s", prefix, *p.Schedule, ScheduleProblem(*p.Schedule)))
		}
	default:
		errs = append(errs, fmt.Errorf("%sMode: got %q, want one of never, once, now, schedule", prefix, p.Mode))
	}
	targets, err := tagTargets(p.InstanceTags)
	if err != nil {
		errs = append(errs, err)
	}
	if prefix == "" && p.Mode != AgentNever && len(targets) == 0 && (p.AutoScalingGroupNames == nil || len(*p.AutoScalingGroupNames) == 0) {
		errs = append(errs, errors.New("InstanceTags, AutoScalingGroupNames: got neither, want the deployment group's tags or Auto Scaling groups to install the agent on"))
	}
	return errors.Join(errs...)
}

// Associations are the State Manager associations (none with AgentNever).
func (a *AgentInstall) Associations() []awsssm.CfnAssociation { return a.associations }
