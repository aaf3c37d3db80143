package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/shipline/shipline/internal/ops"
)

// host starts an instance tagged deploy=<tag>, with the instance profile
// when profile is set.
func (w *world) host(tag string, profile bool) string {
	w.t.Helper()
	return w.hostIn(w.c, tag, profile)
}

// hostIn is host in the account of c.
func (w *world) hostIn(c *ops.Clients, tag string, profile bool) string {
	w.t.Helper()
	in := &ec2.RunInstancesInput{
		// moto does not check the image (and listing its images is slow).
		ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
			Tags: []ec2types.Tag{{Key: aws.String("deploy"), Value: aws.String(tag)}}}},
	}
	if profile {
		_, _ = w.moto.Query("iam", url.Values{"Action": {"CreateInstanceProfile"}, "Version": {"2010-05-08"}, "InstanceProfileName": {"web-host"}})
		in.IamInstanceProfile = &ec2types.IamInstanceProfileSpecification{Name: aws.String("web-host")}
	}
	out, err := c.EC2.RunInstances(w.ctx, in)
	w.must(err)
	return aws.ToString(out.Instances[0].InstanceId)
}

// buildProject creates the build project with the variables the stack sets.
func (w *world) buildProject(required string) {
	w.t.Helper()
	w.buildProjectWith(map[string]string{"PARAMETER_PATH": "/web/", "REQUIRED_SETTINGS": required})
}

// buildProjectWith creates the build project with these variables.
func (w *world) buildProjectWith(vars map[string]string) {
	w.t.Helper()
	var env []cbtypes.EnvironmentVariable
	for k, v := range vars {
		env = append(env, cbtypes.EnvironmentVariable{Name: aws.String(k), Value: aws.String(v)})
	}
	_, err := w.c.CodeBuild.CreateProject(w.ctx, &codebuild.CreateProjectInput{
		Name: aws.String(projectName),
		// moto wants a source location even for a pipeline source.
		Source:      &cbtypes.ProjectSource{Type: cbtypes.SourceTypeS3, Location: aws.String(bucketName + "/source.zip")},
		Artifacts:   &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeNoArtifacts},
		ServiceRole: aws.String("arn:aws:iam::" + account + ":role/build"),
		Environment: &cbtypes.ProjectEnvironment{
			Type: cbtypes.EnvironmentTypeLinuxContainer, ComputeType: cbtypes.ComputeTypeBuildGeneral1Small, Image: aws.String("aws/codebuild/standard:7.0"),
			EnvironmentVariables: env,
		},
	})
	w.must(err)
}

func (w *world) parameter(name string) {
	w.t.Helper()
	_, err := w.c.SSM.PutParameter(w.ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: ssmtypes.ParameterTypeSecureString})
	w.must(err)
}

func TestDoctorReportsEachProblemWithWhatToDo(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	good := w.host("web", true)
	bare := w.host("web", false)
	w.host("other-app", true)
	w.buildProject("DB_URL SECRET_KEY")
	w.parameter("/web/db/url")
	w.fillDoctorGaps("PENDING", []string{good}, map[string]string{good: "agent=running\ncredentials=present\n"})

	out, stderr, code := shipline(t, "doctor", "--poll", "10ms", "-o", "json")
	if code != 1 || !strings.Contains(stderr, "5 checks failed") {
		t.Fatalf("exit %d, stderr %q: want 1 and 5 failed checks\n%s", code, stderr, out)
	}
	var fs []ops.Finding
	w.must(json.Unmarshal([]byte(out), &fs))
	var got []string
	for _, f := range fs {
		got = append(got, f.Status+" "+f.Check+" "+f.Message)
	}
	for _, want := range []string{
		"fail connection GitHub connection web-github is PENDING: complete the handshake",
		"ok hosts 2 running host(s) with tag deploy=web: ",
		"ok profile " + good + " has instance profile",
		"fail profile " + bare + " has no instance profile: attach one whose role has the host policy arn:aws:iam::" + account + ":policy/web-host",
		"ok ssm " + good + " is online in Systems Manager",
		"fail ssm " + bare + " is not registered with Systems Manager",
		"ok agent " + good + " runs the CodeDeploy agent",
		"fail credentials " + good + " has /root/.aws/credentials: the agent uses those keys before the instance profile",
		"fail settings required setting SECRET_KEY is missing: aws ssm put-parameter --name /web/SECRET_KEY",
	} {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, want)
		}
		if !found {
			t.Errorf("no finding %q in:\n%s", want, strings.Join(got, "\n"))
		}
	}
	// The probe went to the hosts that Systems Manager reaches.
	if len(w.sent) != 1 || fmt.Sprint(w.sent[0]["InstanceIds"]) != "["+good+"]" ||
		!strings.Contains(fmt.Sprint(w.sent[0]["Parameters"]), "/root/.aws/credentials") {
		t.Errorf("commands sent = %v, want the probe to %s only", w.sent, good)
	}
}

func TestDoctorAllGood(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	h := w.host("web", true)
	w.buildProject("DB_URL")
	w.parameter("/web/DB_URL")
	w.fillDoctorGaps("AVAILABLE", []string{h}, map[string]string{h: "agent=running\ncredentials=absent\n"})
	out, stderr, code := shipline(t, "doctor", "--poll", "10ms")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "ok ") {
			t.Errorf("finding %q, want every one ok", line)
		}
	}
	if !strings.Contains(out, "1 parameter(s) under /web/, the 1 required present") {
		t.Errorf("no settings finding in:\n%s", out)
	}
}

func TestDoctorNoHosts(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	w.buildProject("")
	w.fillDoctorGaps("AVAILABLE", nil, nil)
	out, _, code := shipline(t, "doctor")
	if code != 1 || !strings.Contains(out, "fail  hosts        no running EC2 instance has tag deploy=web: tag your hosts") ||
		!strings.Contains(out, "warn  settings     no parameters under /web/") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
