package ops

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// Stack names the resources of a deployed shipline stack, read from its
// outputs. A field is empty when the stack has no such output.
type Stack struct {
	Name            string `json:"name"`
	Region          string `json:"region"`
	Pipeline        string `json:"pipeline,omitempty"`
	Application     string `json:"application,omitempty"`
	DeploymentGroup string `json:"deploymentGroup,omitempty"`
	RepositoryURI   string `json:"repositoryUri,omitempty"`
	ConnectionARN   string `json:"connectionArn,omitempty"`
	BuildProject    string `json:"buildProject,omitempty"`
	LogGroup        string `json:"logGroup,omitempty"`
	HostPolicyARN   string `json:"hostPolicyArn,omitempty"`
	ArtifactBucket  string `json:"artifactBucket,omitempty"`
	// Environments of a stack deployed with `environments`, in pipeline
	// order; empty for a stack without.
	Environments []Environment `json:"environments,omitempty"`
	// Env is the environment a command acts on (Select); nil for a stack
	// without environments. The fields above are then its own.
	Env *Environment `json:"environment,omitempty"`
}

// outputFields maps output keys to the fields they fill.
func (s *Stack) outputFields() map[string]*string {
	return map[string]*string{
		"PipelineName":          &s.Pipeline,
		"DeployApplicationName": &s.Application,
		"DeploymentGroupName":   &s.DeploymentGroup,
		"RepositoryUri":         &s.RepositoryURI,
		"ConnectionArn":         &s.ConnectionARN,
		"BuildProjectName":      &s.BuildProject,
		"AppLogGroupName":       &s.LogGroup,
		"HostPolicyArn":         &s.HostPolicyARN,
		"ArtifactBucketName":    &s.ArtifactBucket,
	}
}

// perEnvironment are the outputs each environment has its own of.
var perEnvironment = map[string]bool{"DeployApplicationName": true, "DeploymentGroupName": true, "HostPolicyArn": true, "AppLogGroupName": true}

// outputKey is the output that fills field (for error messages).
func (s *Stack) outputKey(field *string) string {
	for k, f := range s.outputFields() {
		if f == field {
			if perEnvironment[k] && (k != "AppLogGroupName" || s.Env.Remote()) {
				return s.Env.outputKey(k)
			}
			return k
		}
	}
	return "?"
}

// LoadStack reads the outputs of the named stack.
func LoadStack(ctx context.Context, c *Clients, name string) (*Stack, error) {
	out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &name})
	region := c.CloudFormation.Options().Region
	if err != nil {
		if errorCode(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist") {
			return nil, fmt.Errorf("no stack %q in %s: deploy it with `cdk deploy`, or name yours with --stack (and the region with --region)", name, region)
		}
		return nil, explain(err)
	}
	if len(out.Stacks) == 0 {
		return nil, fmt.Errorf("no stack %q in %s: deploy it with `cdk deploy`, or name yours with --stack", name, region)
	}
	s := &Stack{Name: name, Region: region}
	fields := s.outputFields()
	var outputs []Output
	for _, o := range out.Stacks[0].Outputs {
		if o.OutputKey == nil || o.OutputValue == nil {
			continue
		}
		outputs = append(outputs, Output{*o.OutputKey, *o.OutputValue, deref(o.Description)})
		if f, ok := fields[*o.OutputKey]; ok {
			*f = *o.OutputValue
		}
	}
	s.Environments = EnvironmentsOf(outputs)
	for i := range s.Environments {
		if s.Environments[i].Region == region {
			s.Environments[i].Region = "" // the stack's own: no other Region
		}
	}
	orderByPipeline(ctx, c, s.Pipeline, s.Environments)
	return s, nil
}

// EnvironmentRegion is the Region of the environment s is selected for: its
// own, else the stack's.
func (s *Stack) EnvironmentRegion() string {
	if s.Env != nil && s.Env.Region != "" {
		return s.Env.Region
	}
	return s.Region
}

// require fails when the stack lacks one of the outputs a command needs,
// which happens with a stack deployed by an older shipline.
func (s *Stack) require(fields ...*string) error {
	var missing []string
	for _, f := range fields {
		if *f == "" {
			missing = append(missing, s.outputKey(f))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("stack %q has no output %s: deploy it again with this version of shipline (`cdk deploy`)", s.Name, strings.Join(missing, ", "))
	}
	return nil
}
