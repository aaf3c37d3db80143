package main

import (
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(w *world)
		args   []string
		code   int
		stderr string
	}{
		{
			name:   "no such stack",
			setup:  func(w *world) { w.deployTarget() },
			args:   []string{"releases", "--stack", "Nope"},
			code:   1,
			stderr: `no stack "Nope" in us-east-1: deploy it with ` + "`cdk deploy`" + `, or name yours with --stack`,
		},
		{
			name: "stack from an older version",
			setup: func(w *world) {
				o := defaultOutputs()
				delete(o, "DeployApplicationName")
				w.stack(o)
			},
			args:   []string{"releases"},
			code:   1,
			stderr: `stack "` + stackName + `" has no output DeployApplicationName: deploy it again`,
		},
		{
			name:   "unknown release",
			setup:  func(w *world) { w.stack(defaultOutputs()); w.deployTarget() },
			args:   []string{"rollback", "abcdef1"},
			code:   1,
			stderr: `no release "abcdef1" among the last 50 deployments`,
		},
		{
			name:   "nothing to go back to",
			setup:  func(w *world) { w.stack(defaultOutputs()); w.deployTarget() },
			args:   []string{"rollback"},
			code:   1,
			stderr: "no release was deployed successfully yet",
		},
		{
			name:   "bad output format",
			setup:  func(w *world) {},
			args:   []string{"status", "-o", "yaml"},
			code:   2,
			stderr: `--output "yaml": want text or json`,
		},
		{
			name:   "bad since",
			setup:  func(w *world) { w.stack(defaultOutputs()) },
			args:   []string{"logs", "--since", "yesterday"},
			code:   2,
			stderr: `--since "yesterday": want a duration`,
		},
		{
			name:   "too many arguments",
			setup:  func(w *world) {},
			args:   []string{"rollback", "a", "b"},
			code:   2,
			stderr: "accepts at most 1 arg(s), received 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			tt.setup(w)
			_, stderr, code := shipline(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

func TestPermissionDenied(t *testing.T) {
	w := newWorld(t)
	w.stack(defaultOutputs())
	w.deployTarget()
	nobody, err := w.moto.CreateUser("nobody", "")
	w.must(err)
	reader, err := w.moto.CreateUser("stack-reader",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudformation:DescribeStacks","Resource":"*"}]}`)
	w.must(err)
	w.must(w.moto.EnforceAuth(true))
	t.Cleanup(func() { _ = w.moto.EnforceAuth(false) })

	for _, tt := range []struct {
		id, secret, want string
	}{
		{nobody.ID, nobody.Secret, "permission denied: your AWS identity may not call cloudformation:DescribeStacks"},
		{reader.ID, reader.Secret, "permission denied: your AWS identity may not call codedeploy:ListDeployments"},
		{"AKIAUNKNOWN000000000", "x", "AWS refused your credentials"},
	} {
		t.Setenv("AWS_ACCESS_KEY_ID", tt.id)
		t.Setenv("AWS_SECRET_ACCESS_KEY", tt.secret)
		_, stderr, code := shipline(t, "releases")
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tt.want)
		}
	}
}
