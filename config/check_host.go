package config

import (
	"net"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
)

var (
	reInstanceType = regexp.MustCompile(`^([a-z][a-z0-9-]*)\.([a-z0-9]+)$`)
	reVpcID        = regexp.MustCompile(`^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$`)
	reSubnetID     = regexp.MustCompile(`^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$`)
	reAZ           = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-\d[a-z]$`)
)

// checkHost checks the managed host: its instance type against the image's
// architecture, and the network it is placed in.
func checkHost(c *Config) []error {
	var p problems
	if c.HostInstanceType != "" {
		if !reInstanceType.MatchString(c.HostInstanceType) {
			p.add(bad("hostInstanceType", c.HostInstanceType, "an EC2 instance type such as t3.small or t4g.small"))
		} else if arch := InstanceArchitecture(c.HostInstanceType); arch != c.Architecture && validArch(c.Architecture) {
			p.add(bad("hostInstanceType", c.HostInstanceType, "an %[1]s instance type to match architecture %[1]q (the image is built for %[1]s; a %[2]s host would fail with \"exec format error\")",
				ArchName(c.Architecture), ArchName(arch)))
		}
	}
	if c.VpcID != "" {
		if !reVpcID.MatchString(c.VpcID) {
			p.add(bad("vpcId", c.VpcID, "empty (new VPC) or a VPC id such as vpc-0abc1234def567890"))
		}
		if len(c.Subnets) == 0 {
			p.add(bad("subnetIds", "", "the public subnet ids of vpcId"))
		}
	} else if len(c.Subnets) > 0 {
		p.add(bad("vpcId", "", "a VPC id when subnetIds or availabilityZones are set (they describe an existing VPC)"))
	}
	ids := make([]string, len(c.Subnets))
	for i, s := range c.Subnets {
		ids[i] = s.ID
		if !reSubnetID.MatchString(s.ID) {
			p.add(bad("subnetIds", s.ID, "subnet ids such as subnet-0abc1234def567890"))
		}
		if !reAZ.MatchString(s.Zone) {
			p.add(bad("availabilityZones", s.Zone, "zone names such as eu-west-1a"))
		}
	}
	p.add(noDuplicates("subnetIds", ids))
	p.add(sameRegion(c.Subnets))
	if ip, n, err := net.ParseCIDR(c.IngressCidr); err != nil || ip.To4() == nil || !ip.Equal(n.IP) {
		p.add(bad("ingressCidr", c.IngressCidr, "an IPv4 network in CIDR notation such as 203.0.113.0/24, with no host bits set"))
	}
	return p
}

// InstanceArchitecture tells the CPU architecture of an EC2 instance type
// from its family: Graviton families carry a 'g' after the generation digit
// (t4g, m7g, c7gn, r8gd), and a1 is the first Graviton.
func InstanceArchitecture(instanceType string) awsec2.InstanceArchitecture {
	family, _, _ := strings.Cut(instanceType, ".")
	if family == "a1" {
		return awsec2.InstanceArchitecture_ARM_64
	}
	for i := 0; i < len(family); i++ {
		if family[i] >= '0' && family[i] <= '9' {
			if i+1 < len(family) && family[i+1] == 'g' {
				return awsec2.InstanceArchitecture_ARM_64
			}
			break
		}
	}
	return awsec2.InstanceArchitecture_X86_64
}

// ArchName is the setting's name of an architecture: "x86_64" or "arm64".
func ArchName(a awsec2.InstanceArchitecture) string {
	for i, t := range archTypes {
		if t == a {
			return archNames[i]
		}
	}
	return string(a)
}

func validArch(a awsec2.InstanceArchitecture) bool { return ArchName(a) != string(a) }

// sameRegion reports a zone in another Region than the first one: a VPC's
// subnets are all in the VPC's Region.
func sameRegion(subnets []Subnet) *SettingError {
	for _, s := range subnets {
		if reAZ.MatchString(s.Zone) && reAZ.MatchString(subnets[0].Zone) && regionOf(s.Zone) != regionOf(subnets[0].Zone) {
			return bad("availabilityZones", s.Zone, "zones of one Region, as the subnets of vpcId are (%s, from %s)", regionOf(subnets[0].Zone), subnets[0].Zone)
		}
	}
	return nil
}
