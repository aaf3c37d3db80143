package apphost

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// userData prepares the host at first boot (cloud-init logs it to
// /var/log/cloud-init-output.log). Nothing here is internet-free: dnf reads
// the Amazon Linux repositories, the agent comes from the regional
// aws-codedeploy-<region> bucket and Compose from GitHub, so the host needs
// outbound access (a public IP in a public subnet, or NAT).
//
// Compose: Amazon Linux 2023 packages Docker but not its Compose plugin, so
// the plugin is the docker/compose release binary for the host's CPU,
// pinned to ComposeVersion and checked against the release's .sha256 file
// (that catches a broken download; the checksum comes from the same release,
// so it is no signature).
//
// Agent: the CodeDeploy user guide's "Install the CodeDeploy agent for Amazon
// Linux or RHEL": the install script from aws-codedeploy-<region>, run with
// "auto". The State Manager association (serverdeploy.AgentInstall) may
// install or update it again later; both are idempotent.
func userData(scope constructs.Construct, composeVersion string) awsec2.UserData {
	stack := awscdk.Stack_Of(scope)
	ud := awsec2.UserData_ForLinux(nil)
	lines := strings.Split(strings.TrimSpace(`
set -euo pipefail
# The instance profile must be the only credential source: stale keys in
# root's credentials file beat it, and the CodeDeploy agent then fails with
# AccessDeniedException.
rm -f /root/.aws/credentials
dnf install -y docker ruby
systemctl enable --now docker
arch=$(uname -m)
compose=docker-compose-linux-$arch
release=https://github.com/docker/compose/releases/download/`+composeVersion+`
mkdir -p /usr/local/lib/docker/cli-plugins
cd /tmp
curl -fsSL --retry 5 -o "$compose" "$release/$compose"
curl -fsSL --retry 5 -o "$compose.sha256" "$release/$compose.sha256"
sha256sum -c "$compose.sha256"
install -m 0755 "$compose" /usr/local/lib/docker/cli-plugins/docker-compose
rm -f "$compose" "$compose.sha256"
docker compose version
`), "\n")
	ud.AddCommands(*jsii.Strings(lines...)...)
	ud.AddCommands(
		jsii.String("curl -fsSL --retry 5 -o /tmp/codedeploy-install https://aws-codedeploy-"+*stack.Region()+".s3."+*stack.Region()+"."+*stack.UrlSuffix()+"/latest/install"),
		jsii.String("chmod +x /tmp/codedeploy-install"),
		jsii.String("/tmp/codedeploy-install auto"),
		jsii.String("rm -f /tmp/codedeploy-install"),
		jsii.String("systemctl enable --now codedeploy-agent"),
		jsii.String("systemctl is-active codedeploy-agent"),
	)
	return ud
}
