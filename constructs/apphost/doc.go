// Package apphost provides Host: one Amazon Linux 2023 EC2 instance ready for
// CodeDeploy in-place deployments of a docker compose app.
//
// Defaults:
//   - t3.small (x86_64) or t4g.small (arm64); an instance type of the other
//     architecture is an error (the image would fail with "exec format error");
//   - the latest Amazon Linux 2023 AMI through its public SSM parameter (no
//     lookup at synth; a new AMI release replaces the host at the next deploy);
//   - IMDSv2 required (hop limit 1), encrypted gp3 root volume of 30 GiB;
//   - a security group opening only the HTTP port to one IPv4 range; no SSH
//     key (use Session Manager);
//   - a role trusted by EC2 with the given Access (serverdeploy.HostAccess:
//     the same policy a host the user brings gets), or without Access only
//     what Session Manager and State Manager need
//     (serverdeploy.ManagedNodeStatements);
//   - user data that removes /root/.aws/credentials and installs Docker, the
//     Compose plugin (docker/compose release, checksum-verified) and the
//     CodeDeploy agent (regional aws-codedeploy-<region> bucket, install auto);
//   - a new VPC with public subnets in two zones, no NAT gateway and flow
//     logs, unless one is passed.
//
// Construct ids: the instance is "Resource", then "Role", "SecurityGroup",
// "Vpc" and "FlowLogs".
package apphost
