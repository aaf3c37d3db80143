package apphost

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/serverdeploy"
	"github.com/shipline/shipline/internal/propcheck"
)

// Access grants a host role what deployments need;
// *serverdeploy.HostAccess is one, so a managed host gets exactly the
// policies of a host the user brings.
type Access interface {
	GrantTo(role awsiam.IRole)
}

// HostProps configures a Host. Every field is optional; props may be nil.
type HostProps struct {
	// Vpc to run the host in.
	// Default: a new VPC with one public subnet in each of two zones, no NAT
	// gateway, and flow logs (all traffic, kept one month).
	Vpc awsec2.IVpc
	// VpcSubnets to place the host in; they must reach the internet (Docker,
	// Compose and the agent are downloaded at boot).
	// Default: the VPC's public subnets.
	VpcSubnets *awsec2.SubnetSelection
	// AssociatePublicIpAddress gives the host a public IPv4 address, which a
	// public subnet without NAT needs to reach the internet.
	// Default: true.
	AssociatePublicIpAddress *bool
	// Architecture of the host; must match the image's, or the app fails
	// with "exec format error".
	// Default: awsec2.InstanceArchitecture_X86_64.
	Architecture awsec2.InstanceArchitecture
	// InstanceType of the host, of the same Architecture.
	// Default: t3.small (x86_64) or t4g.small (arm64).
	InstanceType awsec2.InstanceType
	// MachineImage of the host. The default follows the latest AMI through
	// a public SSM parameter resolved at deploy time (no lookup at synth): a
	// deployment after a new AMI release replaces the host. Pin an image
	// (awsec2.MachineImage_GenericLinux) to keep the host.
	// Default: the latest Amazon Linux 2023 AMI for Architecture.
	MachineImage awsec2.IMachineImage
	// Access is granted to the host's role.
	// Default: only what a Systems Manager managed node needs for Session
	// Manager and State Manager (serverdeploy.ManagedNodeStatements), and no
	// parameter reads.
	Access Access
	// Role of the host's instance profile.
	// Default: a new role trusted by EC2.
	Role awsiam.IRole
	// Tags put on the instance: the deployment group's tag key and value,
	// so that the group deploys to it.
	// Default: none.
	Tags *map[string]*string
	// HTTPPort is the one port opened, to IngressCidr.
	// Default: 80.
	HTTPPort *float64
	// IngressCidr may reach HTTPPort.
	// Default: "0.0.0.0/0".
	IngressCidr *string
	// RootVolumeSize in GiB (encrypted gp3); images and build layers live there.
	// Default: 30.
	RootVolumeSize *float64
	// ComposeVersion of the Docker Compose plugin, a docker/compose release tag.
	// Default: DefaultComposeVersion.
	ComposeVersion *string
	// RemovalPolicy of the new VPC's flow log group.
	// Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// DefaultComposeVersion is the docker/compose release installed by default.
const DefaultComposeVersion = "v2.29.7"

// Host is one Amazon Linux 2023 EC2 instance ready for CodeDeploy in-place
// deployments of a docker compose app: Docker, the Compose plugin and the
// CodeDeploy agent installed at first boot, IMDSv2 only, an encrypted gp3
// root volume, no SSH (use Session Manager), one HTTP port open.
type Host struct {
	constructs.Construct
	instance awsec2.Instance
	role     awsiam.IRole
	sg       awsec2.SecurityGroup
	vpc      awsec2.IVpc
}

var reComposeVersion = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)

// NewHost creates the host, its security group, its role (unless one is
// passed) and its VPC (unless one is passed).
func NewHost(scope constructs.Construct, id string, props *HostProps) *Host {
	p := withDefaults(props)
	h := &Host{}
	constructs.NewConstruct_Override(h, scope, &id)
	if err := p.validate(); err != nil {
		// The synth fails listing every problem; build from the defaults
		// meanwhile, which the CDK accepts.
		propcheck.Report(h, err)
		d := withDefaults(&HostProps{Architecture: awsec2.InstanceArchitecture_X86_64})
		p.Architecture, p.InstanceType, p.MachineImage = d.Architecture, d.InstanceType, d.MachineImage
		p.HTTPPort, p.IngressCidr, p.RootVolumeSize, p.ComposeVersion = d.HTTPPort, d.IngressCidr, d.RootVolumeSize, d.ComposeVersion
	}

	h.vpc = p.Vpc
	if h.vpc == nil {
		h.vpc = awsec2.NewVpc(h, jsii.String("Vpc"), &awsec2.VpcProps{
			MaxAzs:      jsii.Number(2),
			NatGateways: jsii.Number(0),
			SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
				Name: jsii.String("Public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24),
			}},
			// A host's flows are a few MB a month: logging all of them costs
			// cents and answers "was it the security group?".
			FlowLogs: &map[string]*awsec2.FlowLogOptions{
				"FlowLog": {
					TrafficType: awsec2.FlowLogTrafficType_ALL,
					Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(
						awslogs.NewLogGroup(h, jsii.String("FlowLogs"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_MONTH, RemovalPolicy: p.RemovalPolicy}), nil),
				},
			},
		})
	}

	h.role = p.Role
	if h.role == nil {
		h.role = awsiam.NewRole(h, jsii.String("Role"), &awsiam.RoleProps{
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
			Description: jsii.String("Deployment target: CodeDeploy agent, image pull, app settings"),
		})
	}
	if p.Access != nil {
		p.Access.GrantTo(h.role)
	} else {
		for _, st := range serverdeploy.ManagedNodeStatements() {
			h.role.AddToPrincipalPolicy(st)
		}
	}

	h.sg = awsec2.NewSecurityGroup(h, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              h.vpc,
		Description:      jsii.String(fmt.Sprintf("App host: HTTP port %v only; no SSH (Session Manager)", *p.HTTPPort)),
		AllowAllOutbound: jsii.Bool(true), // ECR, S3, SSM, CodeDeploy, package and release downloads
	})
	h.sg.AddIngressRule(awsec2.Peer_Ipv4(p.IngressCidr), awsec2.Port_Tcp(p.HTTPPort), jsii.String("HTTP to the app's proxy"), nil)

	h.instance = awsec2.NewInstance(h, jsii.String("Resource"), &awsec2.InstanceProps{
		Vpc:                      h.vpc,
		VpcSubnets:               p.VpcSubnets,
		AssociatePublicIpAddress: p.AssociatePublicIpAddress,
		InstanceType:             p.InstanceType,
		MachineImage:             p.MachineImage,
		Role:                     h.role,
		SecurityGroup:            h.sg,
		UserData:                 userData(h, *p.ComposeVersion),
		// IMDSv2 only; a hop limit of 1 keeps containers from the instance
		// role's credentials (the deploy hooks run on the host).
		HttpEndpoint:            jsii.Bool(true),
		HttpTokens:              awsec2.HttpTokens_REQUIRED,
		HttpPutResponseHopLimit: jsii.Number(1),
		BlockDevices: &[]*awsec2.BlockDevice{{
			DeviceName: jsii.String("/dev/xvda"), // Amazon Linux 2023's root device
			Volume: awsec2.BlockDeviceVolume_Ebs(p.RootVolumeSize, &awsec2.EbsDeviceOptions{
				Encrypted:           jsii.Bool(true),
				VolumeType:          awsec2.EbsDeviceVolumeType_GP3,
				DeleteOnTermination: jsii.Bool(true),
			}),
		}},
		PropagateTagsToVolumeOnCreation: jsii.Bool(true),
	})
	if p.Tags != nil {
		keys := slices.Sorted(maps.Keys(*p.Tags))
		for _, k := range keys {
			awscdk.Tags_Of(h.instance).Add(jsii.String(k), (*p.Tags)[k], nil)
		}
	}
	return h
}

func withDefaults(props *HostProps) HostProps {
	var p HostProps
	if props != nil {
		p = *props
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if p.Architecture == "" {
		p.Architecture = awsec2.InstanceArchitecture_X86_64
	}
	if p.InstanceType == nil {
		size := "t3.small"
		if p.Architecture == awsec2.InstanceArchitecture_ARM_64 {
			size = "t4g.small"
		}
		p.InstanceType = awsec2.NewInstanceType(jsii.String(size))
	}
	if p.MachineImage == nil {
		cpu := awsec2.AmazonLinuxCpuType_X86_64
		if p.Architecture == awsec2.InstanceArchitecture_ARM_64 {
			cpu = awsec2.AmazonLinuxCpuType_ARM_64
		}
		p.MachineImage = awsec2.MachineImage_LatestAmazonLinux2023(&awsec2.AmazonLinux2023ImageSsmParameterProps{CpuType: cpu})
	}
	if p.VpcSubnets == nil {
		p.VpcSubnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC}
	}
	if p.AssociatePublicIpAddress == nil {
		p.AssociatePublicIpAddress = jsii.Bool(true)
	}
	if p.HTTPPort == nil {
		p.HTTPPort = jsii.Number(80)
	}
	if p.IngressCidr == nil {
		p.IngressCidr = jsii.String("0.0.0.0/0")
	}
	if p.RootVolumeSize == nil {
		p.RootVolumeSize = jsii.Number(30)
	}
	if p.ComposeVersion == nil {
		p.ComposeVersion = jsii.String(DefaultComposeVersion)
	}
	return p
}

func (p HostProps) validate() error {
	var errs []error
	if p.Architecture != awsec2.InstanceArchitecture_X86_64 && p.Architecture != awsec2.InstanceArchitecture_ARM_64 {
		errs = append(errs, fmt.Errorf("Architecture: got %q, want awsec2.InstanceArchitecture_X86_64 or awsec2.InstanceArchitecture_ARM_64", p.Architecture))
	} else if arch := p.InstanceType.Architecture(); arch != p.Architecture {
		want, got := archName(p.Architecture), archName(arch)
		errs = append(errs, fmt.Errorf("InstanceType: got %s, an %s type, want an %s type to match Architecture (an image built for %s fails on %s with \"exec format error\")",
			*p.InstanceType.ToString(), got, want, want, got))
	}
	if port := *p.HTTPPort; port < 1 || port > 65535 || port != float64(int(port)) {
		errs = append(errs, fmt.Errorf("HTTPPort: got %v, want a TCP port, 1-65535", port))
	}
	if !*awscdk.Token_IsUnresolved(p.IngressCidr) {
		if ip, n, err := net.ParseCIDR(*p.IngressCidr); err != nil || ip.To4() == nil || !ip.Equal(n.IP) {
			errs = append(errs, fmt.Errorf("IngressCidr: got %q, want an IPv4 network such as 203.0.113.0/24", *p.IngressCidr))
		}
	}
	if size := *p.RootVolumeSize; size < 8 || size > 16384 {
		errs = append(errs, fmt.Errorf("RootVolumeSize: got %v GiB, want 8-16384 (Amazon Linux 2023 needs 8)", size))
	}
	if !reComposeVersion.MatchString(*p.ComposeVersion) {
		errs = append(errs, fmt.Errorf("ComposeVersion: got %q, want a docker/compose release tag such as %s", *p.ComposeVersion, DefaultComposeVersion))
	}
	return errors.Join(errs...)
}

func archName(a awsec2.InstanceArchitecture) string {
	if a == awsec2.InstanceArchitecture_ARM_64 {
		return "arm64"
	}
	return "x86_64"
}

// Instance is the EC2 instance (the escape hatch).
func (h *Host) Instance() awsec2.Instance { return h.instance }

// Role is the host's instance profile role.
func (h *Host) Role() awsiam.IRole { return h.role }

// SecurityGroup is the host's security group.
func (h *Host) SecurityGroup() awsec2.SecurityGroup { return h.sg }

// Vpc is the VPC the host runs in.
func (h *Host) Vpc() awsec2.IVpc { return h.vpc }
