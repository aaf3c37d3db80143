package ops

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// reachOf says, per client, whose credentials it uses and in which Region:
// "stack@us-east-1".
func reachOf(t *testing.T, c *Clients) map[string]string {
	t.Helper()
	at := func(creds aws.CredentialsProvider, region string) string {
		v, err := creds.Retrieve(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return v.AccessKeyID + "@" + region
	}
	return map[string]string{
		"CloudFormation": at(c.CloudFormation.Options().Credentials, c.CloudFormation.Options().Region),
		"CodePipeline":   at(c.CodePipeline.Options().Credentials, c.CodePipeline.Options().Region),
		"CodeBuild":      at(c.CodeBuild.Options().Credentials, c.CodeBuild.Options().Region),
		"Connections":    at(c.Connections.Options().Credentials, c.Connections.Options().Region),
		"ECR":            at(c.ECR.Options().Credentials, c.ECR.Options().Region),
		"S3":             at(c.S3.Options().Credentials, c.S3.Options().Region),
		"CodeDeploy":     at(c.CodeDeploy.Options().Credentials, c.CodeDeploy.Options().Region),
		"EC2":            at(c.EC2.Options().Credentials, c.EC2.Options().Region),
		"SSM":            at(c.SSM.Options().Credentials, c.SSM.Options().Region),
		"Logs":           at(c.Logs.Options().Credentials, c.Logs.Options().Region),
	}
}

func TestReaching(t *testing.T) {
	config := func(key, region string) aws.Config {
		return aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")}
	}
	stack := NewClients(config("stack", "us-east-1"))
	// The stack, the pipeline, the build and the images stay with the
	// stack's clients whatever the environment.
	home := []string{"CloudFormation", "CodePipeline", "CodeBuild", "Connections", "ECR"}
	env := []string{"CodeDeploy", "EC2", "SSM", "Logs"}
	tests := []struct {
		name      string
		env       aws.Config
		wantEnv   string // CodeDeploy, EC2, SSM, Logs
		wantS3    string // the bundles the deployments name
		wantStack string
	}{
		{"another Region", config("stack", "eu-central-1"), "stack@eu-central-1", "stack@eu-central-1", "stack@us-east-1"},
		{"another account", config("target", "us-east-1"), "target@us-east-1", "stack@us-east-1", "stack@us-east-1"},
		{"another account and Region", config("target", "eu-central-1"), "target@eu-central-1", "stack@eu-central-1", "stack@us-east-1"},
	}
	for _, tc := range tests {
		got := reachOf(t, stack.Reaching(tc.env))
		for _, name := range home {
			if got[name] != tc.wantStack {
				t.Errorf("%s: %s uses %s, want %s", tc.name, name, got[name], tc.wantStack)
			}
		}
		for _, name := range env {
			if got[name] != tc.wantEnv {
				t.Errorf("%s: %s uses %s, want %s", tc.name, name, got[name], tc.wantEnv)
			}
		}
		if got["S3"] != tc.wantS3 {
			t.Errorf("%s: S3 uses %s, want %s", tc.name, got["S3"], tc.wantS3)
		}
	}
	if got := reachOf(t, stack)["CodeDeploy"]; got != "stack@us-east-1" {
		t.Errorf("Reaching changed the stack's clients: CodeDeploy uses %s", got)
	}
}
