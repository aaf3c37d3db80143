package apphost_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/apphost"
	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/cdktest"
)

// newStack makes a stack with the feature flags of the project's cdk.json.
func newStack() awscdk.Stack {
	app := cdktest.NewApp(nil)
	return awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
}

func resources(tpl assertions.Template, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range *tpl.FindResources(jsii.String(typ), nil) {
		out[id] = *r
	}
	return out
}

func only(t *testing.T, tpl assertions.Template, typ string) map[string]any {
	t.Helper()
	rs := resources(tpl, typ)
	if len(rs) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(rs))
	}
	for _, r := range rs {
		return r["Properties"].(map[string]any)
	}
	return nil
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// userDataText joins the rendered user data (an Fn::Base64 of an Fn::Join)
// into one string, tokens shown as JSON.
func userDataText(instance map[string]any) string {
	join := instance["UserData"].(map[string]any)["Fn::Base64"]
	if s, ok := join.(string); ok {
		return s
	}
	var b strings.Builder
	for _, part := range join.(map[string]any)["Fn::Join"].([]any)[1].([]any) {
		if s, ok := part.(string); ok {
			b.WriteString(s)
		} else {
			b.WriteString(toJSON(part))
		}
	}
	return b.String()
}

func TestHostDefaults(t *testing.T) {
	stack := newStack()
	apphost.NewHost(stack, "Host", &apphost.HostProps{
		Tags:        &map[string]*string{"App": jsii.String("myapp")},
		IngressCidr: jsii.String("203.0.113.0/24"),
	})
	tpl := assertions.Template_FromStack(stack, nil)

	// IMDSv2 only, encrypted gp3 root volume, t3.small, AL2023 x86_64 AMI.
	tpl.HasResourceProperties(jsii.String("AWS::EC2::Instance"), &map[string]any{
		"InstanceType": "t3.small",
		"ImageId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String(
			"^SsmParameterValueawsserviceamiamazonlinuxlatestal2023amikernel.*x8664"))},
		"MetadataOptions": map[string]any{"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
		"BlockDeviceMappings": []any{map[string]any{
			"DeviceName": "/dev/xvda",
			"Ebs":        map[string]any{"Encrypted": true, "VolumeType": "gp3", "VolumeSize": 30, "DeleteOnTermination": true},
		}},
		"NetworkInterfaces": []any{assertions.Match_ObjectLike(&map[string]any{"AssociatePublicIpAddress": true})},
		"Tags":              assertions.Match_ArrayWith(&[]any{map[string]any{"Key": "App", "Value": "myapp"}}),
		"KeyName":           assertions.Match_Absent(),
	})

	// Only the HTTP port, only from the ingress range: no SSH.
	sg := only(t, tpl, "AWS::EC2::SecurityGroup")
	ingress := toJSON(sg["SecurityGroupIngress"])
	want := `[{"CidrIp":"203.0.113.0/24","Description":"HTTP to the app's proxy","FromPort":80,"IpProtocol":"tcp","ToPort":80}]`
	if ingress != want {
		t.Errorf("SecurityGroupIngress:\n got %s\nwant %s", ingress, want)
	}
	tpl.ResourceCountIs(jsii.String("AWS::EC2::SecurityGroupIngress"), jsii.Number(0))

	// User data: no static credentials, docker, compose and the agent.
	ud := userDataText(only(t, tpl, "AWS::EC2::Instance"))
	for _, part := range []string{
		"rm -f /root/.aws/credentials",
		"dnf install -y docker ruby",
		"systemctl enable --now docker",
		"https://github.com/docker/compose/releases/download/" + apphost.DefaultComposeVersion,
		`sha256sum -c "$compose.sha256"`,
		"/usr/local/lib/docker/cli-plugins/docker-compose",
		`https://aws-codedeploy-eu-west-1.s3.eu-west-1.{"Ref":"AWS::URLSuffix"}/latest/install`,
		"/tmp/codedeploy-install auto",
		"systemctl enable --now codedeploy-agent",
	} {
		if !strings.Contains(ud, part) {
			t.Errorf("user data: want %q in:\n%s", part, ud)
		}
	}
	if strings.Index(ud, "rm -f /root/.aws/credentials") > strings.Index(ud, "codedeploy-install auto") {
		t.Error("user data: the credentials file must be gone before the agent starts")
	}

	// A new minimal VPC: public subnets, no NAT gateway, flow logs on.
	tpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(2))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), &map[string]any{"MapPublicIpOnLaunch": true})
	tpl.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), &map[string]any{"ResourceType": "VPC", "TrafficType": "ALL"})
	tpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), &map[string]any{"RetentionInDays": 30})

	// The role: trusted by EC2, with only what Session Manager and State
	// Manager need, and no AWS managed policy (which would read every
	// parameter of the account).
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), &map[string]any{
		"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"},
		}}},
		"ManagedPolicyArns": assertions.Match_Absent(),
	})
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), &map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{
			assertions.Match_ObjectLike(&map[string]any{"Sid": "ManagedNode", "Resource": "*"}),
			assertions.Match_ObjectLike(&map[string]any{"Sid": "SessionManager", "Resource": "*"}),
		}},
	})
}

func TestHostArm(t *testing.T) {
	stack := newStack()
	apphost.NewHost(stack, "Host", &apphost.HostProps{Architecture: awsec2.InstanceArchitecture_ARM_64})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::EC2::Instance"), &map[string]any{
		"InstanceType": "t4g.small",
		"ImageId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String(
			"^SsmParameterValueawsserviceamiamazonlinuxlatestal2023amikernel.*arm64"))},
	})
}

func TestHostExistingVpc(t *testing.T) {
	stack := newStack()
	vpc := awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId:             jsii.String("vpc-0abc1234def567890"),
		AvailabilityZones: jsii.Strings("eu-west-1a"),
		PublicSubnetIds:   jsii.Strings("subnet-0abc1234def567890"),
	})
	h := apphost.NewHost(stack, "Host", &apphost.HostProps{Vpc: vpc, HTTPPort: jsii.Number(8443)})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::EC2::FlowLog"), jsii.Number(0))
	tpl.HasResourceProperties(jsii.String("AWS::EC2::Instance"), &map[string]any{
		"NetworkInterfaces": []any{assertions.Match_ObjectLike(&map[string]any{"SubnetId": "subnet-0abc1234def567890"})},
	})
	tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), &map[string]any{
		"VpcId":                "vpc-0abc1234def567890",
		"SecurityGroupIngress": []any{assertions.Match_ObjectLike(&map[string]any{"CidrIp": "0.0.0.0/0", "FromPort": 8443, "ToPort": 8443})},
	})
	if h.Vpc() != vpc {
		t.Error("Vpc: want the VPC passed in")
	}
}

func TestHostArchitectureMismatch(t *testing.T) {
	for _, tc := range []struct {
		arch awsec2.InstanceArchitecture
		typ  string
		want string
	}{
		{awsec2.InstanceArchitecture_X86_64, "t4g.small", "InstanceType: got t4g.small, an arm64 type, want an x86_64 type"},
		{awsec2.InstanceArchitecture_ARM_64, "m5.large", "InstanceType: got m5.large, an x86_64 type, want an arm64 type"},
	} {
		stack := newStack()
		msg := cdktest.MustFailSynth(t, stack, func() {
			apphost.NewHost(stack, "Host", &apphost.HostProps{
				Architecture: tc.arch, InstanceType: awsec2.NewInstanceType(jsii.String(tc.typ)),
			})
		})
		for _, part := range []string{"[Test/Host] " + tc.want, "exec format error"} {
			if !strings.Contains(msg, part) {
				t.Errorf("want %q in %q", part, msg)
			}
		}
	}
	stack := newStack()
	msg := cdktest.MustFailSynth(t, stack, func() {
		apphost.NewHost(stack, "Host", &apphost.HostProps{
			Architecture: "arm64", HTTPPort: jsii.Number(0), IngressCidr: jsii.String("10.0.0.1/8"), RootVolumeSize: jsii.Number(4), ComposeVersion: jsii.String("latest"),
		})
	})
	for _, part := range []string{"[Test/Host] HTTPPort: got 0", `[Test/Host] IngressCidr: got "10.0.0.1/8"`, "[Test/Host] RootVolumeSize: got 4", `[Test/Host] ComposeVersion: got "latest"`,
		`[Test/Host] Architecture: got "arm64", want awsec2.InstanceArchitecture_X86_64 or awsec2.InstanceArchitecture_ARM_64`} {
		if !strings.Contains(msg, part) {
			t.Errorf("want %q in %q", part, msg)
		}
	}
}

// TestSamePermissions: a managed host and a host the user brings (its role
// granted by the same HostAccess) get the same managed policies, and no
// other policy.
func TestSamePermissions(t *testing.T) {
	stack := newStack()
	access := serverdeploy.NewHostAccess(stack, "HostAccess", &serverdeploy.HostAccessProps{
		ArtifactBucket: awss3.NewBucket(stack, jsii.String("Artifacts"), nil),
		Repository:     awsecr.NewRepository(stack, jsii.String("Images"), nil),
		ParameterPath:  jsii.String("/myapp/"),
	})
	host := apphost.NewHost(stack, "Host", &apphost.HostProps{
		Access: access,
		Vpc: awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
			VpcId: jsii.String("vpc-0abc1234def567890"), AvailabilityZones: jsii.Strings("eu-west-1a"),
			PublicSubnetIds: jsii.Strings("subnet-0abc1234def567890"),
		}),
	})
	userRole := awsiam.NewRole(stack, jsii.String("UserHostRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
	})
	access.GrantTo(userRole)
	tpl := assertions.Template_FromStack(stack, nil)

	roles := resources(tpl, "AWS::IAM::Role")
	hostRoleID := *stack.GetLogicalId(host.Role().Node().DefaultChild().(awscdk.CfnElement))
	userRoleID := *stack.GetLogicalId(userRole.Node().DefaultChild().(awscdk.CfnElement))
	managed := func(id string) string {
		return toJSON(roles[id]["Properties"].(map[string]any)["ManagedPolicyArns"])
	}
	if managed(hostRoleID) != managed(userRoleID) {
		t.Errorf("managed policies differ:\n managed host %s\n user host    %s", managed(hostRoleID), managed(userRoleID))
	}
	policyID := *stack.GetLogicalId(access.Policy().Node().DefaultChild().(awscdk.CfnElement))
	if managed(hostRoleID) != `[{"Ref":"`+policyID+`"}]` {
		t.Errorf("host role: want the host policy %s alone, got %s", policyID, managed(hostRoleID))
	}
	// One policy document serves both, and neither role has an inline policy.
	tpl.ResourceCountIs(jsii.String("AWS::IAM::ManagedPolicy"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(0))
	for _, id := range []string{hostRoleID, userRoleID} {
		if p := roles[id]["Properties"].(map[string]any)["Policies"]; p != nil {
			t.Errorf("%s: want no inline policies, got %s", id, toJSON(p))
		}
	}
}

// TestHostTagsMatchDeploymentGroup: the host carries the tag the deployment
// group selects.
func TestHostTagsMatchDeploymentGroup(t *testing.T) {
	stack := newStack()
	tags := map[string]string{"App": "myapp"}
	serverdeploy.NewDeploymentGroup(stack, "Deploy", &serverdeploy.DeploymentGroupProps{
		InstanceTags: awscodedeploy.NewInstanceTagSet(&map[string]*[]*string{"App": jsii.Strings(tags["App"])}),
	})
	apphost.NewHost(stack, "Host", &apphost.HostProps{Tags: &map[string]*string{"App": jsii.String(tags["App"])}})
	tpl := assertions.Template_FromStack(stack, nil)

	group := only(t, tpl, "AWS::CodeDeploy::DeploymentGroup")
	filters := group["Ec2TagSet"].(map[string]any)["Ec2TagSetList"].([]any)[0].(map[string]any)["Ec2TagGroup"].([]any)
	instanceTags := toJSON(only(t, tpl, "AWS::EC2::Instance")["Tags"])
	for _, f := range filters {
		f := f.(map[string]any)
		if !strings.Contains(instanceTags, toJSON(map[string]any{"Key": f["Key"], "Value": f["Value"]})) {
			t.Errorf("instance tags %s: want the group's filter %s=%s", instanceTags, f["Key"], f["Value"])
		}
	}
}
