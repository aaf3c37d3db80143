package diffreport

import "testing"

func TestEnvironmentOfPath(t *testing.T) {
	envs := []string{"staging", "staging-eu", "production"}
	for _, c := range []struct{ path, want string }{
		{"Environment-staging/ServerDeploy", "staging"},
		{"Environment-staging-eu/ServerDeploy", "staging-eu"},
		{"Environment-staging-eu-Events/BusPolicy", "staging-eu"},
		{"Environment-production-Events/DeploymentNotifications", "production"},
		{"ReleasePipeline/DeploymentTarget-production", "production"},
		{"ReleasePipeline/Resource/Deploy-staging-eu/Check/CodePipelineActionRole", "staging-eu"},
		{"ReleasePipeline/Resource/Approve-production/Approve/CodePipelineActionRole", "production"},
		{"ReleasePipeline/Resource/Deploy/CodePipelineActionRole", ""},
		{"Environment-qa/ServerDeploy", ""},
		{"DockerBuild", ""},
	} {
		if got := environmentOfPath(c.path, envs); got != c.want {
			t.Errorf("environmentOfPath(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}
