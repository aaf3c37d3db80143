package test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// wildcardResourceActions are the only actions an identity policy may grant
// on Resource "*", each because AWS offers no resource-level permission for it.
var wildcardResourceActions = map[string]string{
	"ecr:GetAuthorizationToken": "docker login to ECR: the token is registry-wide; the action supports no resource ARN",
}

// managedNodeActions are the SSM Agent's calls (registration, State Manager
// associations, Distributor packages, Session Manager channels) that AWS's
// own AmazonSSMManagedInstanceCore grants on "*": the agent makes them
// before it knows any ARN they could be scoped to (Systems Manager user
// guide, "Reference: ec2messages, ssmmessages, and other API operations").
var managedNodeActions = []string{
	"ssm:UpdateInstanceInformation", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:DescribeAssociation",
	"ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus", "ssm:PutComplianceItems",
	"ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest", "ssm:PutConfigurePackageResult",
	"ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
	"ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
	"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
	"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
}

func init() {
	for _, a := range managedNodeActions {
		wildcardResourceActions[a] = "SSM Agent call of a managed node (agent association, Session Manager); AWS's managed policy grants it on \"*\""
	}
}

// TestNoWildcardActions: no policy allows every action ("*") or every action
// of a service ("s3:*"). The only exception is the default KMS key policy
// statement that delegates the key to the account's IAM ("kms:*" to the
// account root), which AWS requires so the key stays manageable.
func TestNoWildcardActions(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		for _, st := range policyStatements(r.tmpl) {
			if st.Body["Effect"] != "Allow" {
				continue // a Deny on "*" (TLS-only policies) only narrows access
			}
			for _, a := range st.Actions() {
				if a != "*" && !strings.HasSuffix(a, ":*") {
					continue
				}
				if a == "kms:*" && !st.Identity && isAccountRoot(st.Body["Principal"]) {
					continue
				}
				t.Errorf("%s allows %q: %s", st.Source, a, compact(st.Body))
			}
		}
	})
}

func isAccountRoot(principal any) bool {
	p, _ := principal.(map[string]any)
	return strings.Contains(compact(p["AWS"]), ":root")
}

// TestWildcardResourcesOnlyWhereRequired: an identity policy grants
// Resource "*" only for the actions in wildcardResourceActions. (Resource
// policies are exempt: in a key policy "*" means the key itself.)
func TestWildcardResourcesOnlyWhereRequired(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		for _, st := range policyStatements(r.tmpl) {
			if !st.Identity || st.Body["Effect"] != "Allow" {
				continue
			}
			star := false
			for _, res := range st.list("Resource") {
				if res == "*" {
					star = true
				}
			}
			if !star {
				continue
			}
			for _, a := range st.Actions() {
				if _, ok := wildcardResourceActions[a]; !ok {
					t.Errorf("%s grants %s on Resource \"*\"; scope it to ARNs or, if AWS requires \"*\", list it in wildcardResourceActions with the reason", st.Source, a)
				}
			}
		}
	})
}

// secretLooking are shapes of credentials that must never be in a template.
var secretLooking = []*regexp.Regexp{
	regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`),                         // AWS access key id
	regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`),                  // PEM private key
	regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{30,}\b`),                      // GitHub tokens
	regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{40,}\b`),                    // GitHub fine-grained token
	regexp.MustCompile(`\bnpm_[A-Za-z0-9]{30,}\b`),                            // npm token
	regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}\b`),                   // Slack token
	regexp.MustCompile(`(?i)"(password|secret|token|api_?key)"\s*:\s*"[^"{]`), // a literal credential field
}

var (
	secretName = regexp.MustCompile(`(?i)(secret|token|password|passwd|credential|api_?key|private_?key)`)
	// Names of secrets, not secrets: BUILD_SECRET_IDS lists the ids of the
	// PARAMETER_STORE variables.
	secretMetaName = regexp.MustCompile(`_(IDS?|NAMES?|ARNS?|PATHS?)$`)
)

// TestNoPlaintextSecrets: build secrets reach CodeBuild as PARAMETER_STORE
// variables (the template holds the parameter name, never the value), no
// plaintext variable is named like a secret, and nothing in the template
// looks like a credential.
func TestNoPlaintextSecrets(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		raw, _ := json.Marshal(r.tmpl)
		for _, re := range secretLooking {
			if m := re.Find(raw); m != nil {
				t.Errorf("template holds something that looks like a secret: %q", m)
			}
		}
		for _, p := range resourcesOf(r.tmpl, "AWS::CodeBuild::Project") {
			env, _ := p.props()["Environment"].(map[string]any)
			vars, _ := env["EnvironmentVariables"].([]any)
			for _, v := range vars {
				m, _ := v.(map[string]any)
				name, _ := m["Name"].(string)
				typ, _ := m["Type"].(string)
				if typ == "" {
					typ = "PLAINTEXT"
				}
				if typ == "PLAINTEXT" && secretName.MatchString(name) && !secretMetaName.MatchString(name) {
					t.Errorf("%s: build variable %s is PLAINTEXT; a secret must be PARAMETER_STORE or SECRETS_MANAGER", p.ID, name)
				}
				secrets, _ := r.variant.settings["buildSecrets"].(map[string]any)
				if want, ok := secrets[name]; ok {
					if typ != "PARAMETER_STORE" || m["Value"] != want {
						t.Errorf("%s: build secret %s is %s %v, want PARAMETER_STORE %v", p.ID, name, typ, m["Value"], want)
					}
				}
			}
		}
	})
}

// hasTLSOnlyDeny tells whether a resource policy denies requests without
// TLS (aws:SecureTransport false) on the resource with the logical id.
func hasTLSOnlyDeny(tmpl map[string]any, policyType, target string) bool {
	for _, st := range policyStatements(tmpl) {
		if st.Body["Effect"] != "Deny" || !strings.Contains(compact(st.Body["Condition"]), `"aws:SecureTransport":"false"`) {
			continue
		}
		for _, p := range resourcesOf(tmpl, policyType) {
			if p.ID == st.Source && refersTo(p.props(), target) {
				return true
			}
		}
	}
	return false
}

// TestBucketsTLSOnlyAndPrivate: every bucket blocks public access, is
// encrypted and has a policy denying requests without TLS.
func TestBucketsTLSOnlyAndPrivate(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		buckets := resourcesOf(r.tmpl, "AWS::S3::Bucket")
		if len(buckets) == 0 {
			t.Fatal("no bucket: every variant creates its artifact bucket")
		}
		for _, b := range buckets {
			pab, _ := b.props()["PublicAccessBlockConfiguration"].(map[string]any)
			for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
				if pab[k] != true {
					t.Errorf("bucket %s: PublicAccessBlockConfiguration.%s is %v, want true", b.ID, k, pab[k])
				}
			}
			if b.props()["BucketEncryption"] == nil {
				t.Errorf("bucket %s has no BucketEncryption", b.ID)
			}
			if !hasTLSOnlyDeny(r.tmpl, "AWS::S3::BucketPolicy", b.ID) {
				t.Errorf("bucket %s has no policy denying aws:SecureTransport false", b.ID)
			}
		}
	})
}

// TestTopicTLSOnlyAndEncrypted: every topic the stack creates is encrypted
// with KMS and denies publishing without TLS.
func TestTopicTLSOnlyAndEncrypted(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		topics := resourcesOf(r.tmpl, "AWS::SNS::Topic")
		if len(topics) == 0 && r.variant.settings["approvalTopicArn"] == nil {
			t.Error("no approval topic")
		}
		for _, tp := range topics {
			if tp.props()["KmsMasterKeyId"] == nil {
				t.Errorf("topic %s is not encrypted with KMS", tp.ID)
			}
			if !hasTLSOnlyDeny(r.tmpl, "AWS::SNS::TopicPolicy", tp.ID) {
				t.Errorf("topic %s has no policy denying aws:SecureTransport false", tp.ID)
			}
		}
		for _, k := range resourcesOf(r.tmpl, "AWS::KMS::Key") {
			if k.props()["EnableKeyRotation"] != true {
				t.Errorf("KMS key %s has no key rotation", k.ID)
			}
		}
	})
}

// TestImageScanOnPush: the repository scans every pushed image.
func TestImageScanOnPush(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		repos := resourcesOf(r.tmpl, "AWS::ECR::Repository")
		if len(repos) == 0 {
			t.Fatal("no ECR repository")
		}
		for _, repo := range repos {
			scan, _ := repo.props()["ImageScanningConfiguration"].(map[string]any)
			if scan["ScanOnPush"] != true {
				t.Errorf("repository %s: ScanOnPush is %v, want true", repo.ID, scan["ScanOnPush"])
			}
		}
	})
}

// TestHostsIMDSv2AndEncryptedVolumes: every instance and launch template
// requires IMDSv2 tokens and encrypts its EBS volumes.
func TestHostsIMDSv2AndEncryptedVolumes(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		templates := map[string]map[string]any{}
		for _, lt := range resourcesOf(r.tmpl, "AWS::EC2::LaunchTemplate") {
			data, _ := lt.props()["LaunchTemplateData"].(map[string]any)
			templates[lt.ID] = data
			checkHostSettings(t, "launch template "+lt.ID, data, nil)
		}
		for _, in := range resourcesOf(r.tmpl, "AWS::EC2::Instance") {
			var fromTemplate map[string]any
			for id, data := range templates {
				if refersTo(in.props()["LaunchTemplate"], id) {
					fromTemplate = data
				}
			}
			checkHostSettings(t, "instance "+in.ID, in.props(), fromTemplate)
		}
		for _, v := range resourcesOf(r.tmpl, "AWS::EC2::Volume") {
			if v.props()["Encrypted"] != true {
				t.Errorf("volume %s is not encrypted", v.ID)
			}
		}
		if r.variant.settings["managedHost"] == true && len(resourcesOf(r.tmpl, "AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::AutoScalingGroup")) == 0 {
			t.Error("managedHost is true but the template has no host")
		}
	})
}

func checkHostSettings(t *testing.T, what string, props, fromTemplate map[string]any) {
	t.Helper()
	tokens := func(m map[string]any) any {
		md, _ := m["MetadataOptions"].(map[string]any)
		return md["HttpTokens"]
	}
	if tokens(props) != "required" && tokens(fromTemplate) != "required" {
		t.Errorf("%s does not require IMDSv2 (MetadataOptions.HttpTokens: required)", what)
	}
	mappings, _ := props["BlockDeviceMappings"].([]any)
	if len(mappings) == 0 && fromTemplate != nil {
		mappings, _ = fromTemplate["BlockDeviceMappings"].([]any)
	}
	if len(mappings) == 0 {
		t.Errorf("%s sets no BlockDeviceMappings: the root volume's encryption is left to the account default", what)
	}
	for _, m := range mappings {
		mm, _ := m.(map[string]any)
		ebs, _ := mm["Ebs"].(map[string]any)
		if ebs != nil && ebs["Encrypted"] != true {
			t.Errorf("%s: volume %v is not encrypted", what, mm["DeviceName"])
		}
	}
}

// TestLogGroupsHaveRetention: no log group keeps logs forever.
func TestLogGroupsHaveRetention(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		groups := resourcesOf(r.tmpl, "AWS::Logs::LogGroup")
		if len(groups) == 0 {
			t.Fatal("no log group: every variant creates the build's log group")
		}
		for _, lg := range groups {
			if lg.props()["RetentionInDays"] == nil {
				t.Errorf("log group %s has no RetentionInDays", lg.ID)
			}
		}
	})
}
