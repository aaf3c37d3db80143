package test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// awsManagedPolicies are the documents of the AWS managed policies a host
// role may be given, as data: the template names them by ARN only.
// AmazonSSMManagedInstanceCore is version v2, as published in the AWS Managed
// Policy Reference (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMManagedInstanceCore.html).
var awsManagedPolicies = map[string]string{
	"AmazonSSMManagedInstanceCore": `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Resource": "*", "Action": [
	    "ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument",
	    "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters",
	    "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems",
	    "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
	    "ssm:UpdateInstanceInformation"]},
	  {"Effect": "Allow", "Resource": "*", "Action": [
	    "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
	    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]},
	  {"Effect": "Allow", "Resource": "*", "Action": [
	    "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
	    "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"]}
	]}`,
}

// hostStatements are the resolved statements a deployment target's role
// holds. With a managed host, that is the host role of the template: its
// inline policies, the policies attached to it and its managed policies
// (customer managed from the template, AWS managed from
// awsManagedPolicies). Without one, it is what the HostPolicyArn output
// tells users to attach: that policy, plus any AWS managed policy its
// description names.
func hostStatements(t *testing.T, tmpl map[string]any) (string, []map[string]any) {
	t.Helper()
	var docs []any
	role := hostRole(tmpl)
	var what string
	if role != "" {
		what = "host role " + role
		body := resourcesByID(tmpl)[role]
		for _, pol := range listOf(body.props()["Policies"]) {
			docs = append(docs, pol.(map[string]any)["PolicyDocument"])
		}
		for _, p := range resourcesOf(tmpl, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") {
			if refersTo(p.props()["Roles"], role) {
				docs = append(docs, p.props()["PolicyDocument"])
			}
		}
		for _, arn := range listOf(body.props()["ManagedPolicyArns"]) {
			docs = append(docs, managedDocument(t, tmpl, arn))
		}
	} else {
		out, _ := tmpl["Outputs"].(map[string]any)
		hp, _ := out["HostPolicyArn"].(map[string]any)
		if hp == nil {
			t.Fatal("no HostPolicyArn output and no host role: nothing tells what a host gets")
		}
		what = "HostPolicyArn output"
		docs = append(docs, managedDocument(t, tmpl, hp["Value"]))
		desc, _ := hp["Description"].(string)
		for name := range awsManagedPolicies {
			if strings.Contains(desc, name) {
				docs = append(docs, managedDocument(t, tmpl, "arn:aws:iam::aws:policy/"+name))
			}
		}
	}
	var out []map[string]any
	for _, d := range docs {
		doc, _ := resolve(tmpl, d).(map[string]any)
		for _, st := range listOf(doc["Statement"]) {
			out = append(out, st.(map[string]any))
		}
	}
	return what, out
}

// hostRole is the logical id of the role EC2 instances assume, "" if none.
func hostRole(tmpl map[string]any) string {
	for _, r := range resourcesOf(tmpl, "AWS::IAM::Role") {
		if strings.Contains(compact(r.props()["AssumeRolePolicyDocument"]), `"ec2.amazonaws.com"`) {
			return r.ID
		}
	}
	return ""
}

// managedDocument is the policy document of a managed policy ARN: a
// customer managed policy of the template or an AWS managed one.
func managedDocument(t *testing.T, tmpl map[string]any, arn any) any {
	t.Helper()
	if m, ok := arn.(map[string]any); ok {
		ref, _ := m["Ref"].(string)
		if body, ok := resourcesByID(tmpl)[ref]; ok && body.Type == "AWS::IAM::ManagedPolicy" {
			return body.props()["PolicyDocument"]
		}
	}
	s := fmt.Sprint(resolve(tmpl, arn))
	name, ok := strings.CutPrefix(s, "arn:aws:iam::aws:policy/")
	raw, known := awsManagedPolicies[name]
	if !ok || !known {
		t.Fatalf("the host gets managed policy %s: embed its document in awsManagedPolicies", s)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func resourcesByID(tmpl map[string]any) map[string]cfnResource {
	out := map[string]cfnResource{}
	for _, r := range resourcesOf(tmpl) {
		out[r.ID] = r
	}
	return out
}

func listOf(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

// parameterReads are the calls that return a parameter's value: the
// parameter itself through GetParameter, GetParameters and
// GetParameterHistory, and every ancestor path through GetParametersByPath,
// which is authorized against the path, not the parameters it returns
// (Systems Manager user guide, "How Parameter Store authorizes parameter
// retrieval"): recursively from any ancestor, one level from the parent.
func parameterReads(name string) []request {
	arn := func(path string) string {
		return "arn:aws:ssm:eu-west-1:111122223333:parameter/" + strings.TrimPrefix(path, "/")
	}
	var reqs []request
	for _, a := range []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"} {
		reqs = append(reqs, request{Action: a, Resource: arn(name)})
	}
	parts := strings.Split(strings.Trim(name, "/"), "/")
	for i := range len(parts) {
		path := "/" + strings.Join(parts[:i], "/")
		forms := []string{path}
		if path != "/" {
			forms = append(forms, path+"/")
		}
		for _, p := range forms {
			reqs = append(reqs, request{Action: "ssm:GetParametersByPath", Resource: arn(p), Context: map[string]string{"ssm:Recursive": "true"}})
			if i == len(parts)-1 {
				reqs = append(reqs, request{Action: "ssm:GetParametersByPath", Resource: arn(p), Context: map[string]string{"ssm:Recursive": "false"}})
			}
		}
	}
	return reqs
}

// TestHostReadsOnlyItsOwnSettings: a deployment target may read the app's
// settings and nothing else of Parameter Store: not another app's, not the
// app's build secrets (/<appName>/build/, read by the build only), whatever
// API it calls. It evaluates the statements the host really holds.
func TestHostReadsOnlyItsOwnSettings(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		if variantEnvironments[r.variant.name] != nil {
			t.Skip("each environment's hosts read their own path: TestEnvironmentHostSettings")
		}
		what, sts := hostStatements(t, r.tmpl)
		for _, name := range []string{"/otherapp/DB_PASSWORD", "/myapp/build/NPM_TOKEN", "/myapp/build/deep/KEY", "/myappx/DB_PASSWORD", "/myapp-staging/DB_PASSWORD", "/DB_PASSWORD"} {
			for _, req := range parameterReads(name) {
				if ok, why := allowed(sts, req); ok {
					t.Errorf("%s may read %s: %s, %s", what, name, req, why)
				}
			}
		}
		// The app's own settings, one level under its path: by name and by
		// path, as the deploy hooks read them.
		for _, req := range []request{
			{Action: "ssm:GetParameter", Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/myapp/DB_PASSWORD"},
			{Action: "ssm:GetParameters", Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/myapp/DB_PASSWORD"},
			{Action: "ssm:GetParametersByPath", Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/myapp/", Context: map[string]string{"ssm:Recursive": "false"}},
			{Action: "ssm:GetParametersByPath", Resource: "arn:aws:ssm:eu-west-1:111122223333:parameter/myapp", Context: map[string]string{"ssm:Recursive": "false"}},
		} {
			if ok, why := allowed(sts, req); !ok {
				t.Errorf("%s may not %s: %s", what, req, why)
			}
		}
	})
}

// TestHostReadsOnlyDeployBundles: of the artifact bucket, a host may read
// the deploy bundles (the build's output artifact, "Bundle", stored as
// <pipeline name>/Bundle/<key>), not the source archives beside them.
//
// With environments, it checks every environment's hosts: the policy of
// HostPolicyArn<Name> in the pipeline's account; in another account, the
// host role of its target stack, which reaches the bucket only where both
// its own policy and the bucket policy allow.
func TestHostReadsOnlyDeployBundles(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		hosts := environmentHostAccess(t, r)
		if hosts == nil {
			what, sts := hostStatements(t, r.tmpl)
			hosts = []hostAccess{{what: what, identity: sts, bucket: artifactBucketArn(t, r)}}
		}
		for _, h := range hosts {
			checkReadsOnlyBundles(t, h)
		}
	})
}

// TestDeployRoleReadsOnlyDeployBundles: the deploy role of an environment
// in another account or Region reads the deploy bundles it hands to
// CodeDeploy, not the source archives (the app's code) beside them, in the
// artifact store of its Region. CodePipeline's deploy action grants its
// role read on the whole artifact bucket; for a role of another account
// that grant is a bucket policy statement, which the stack narrows to the
// bundles.
func TestDeployRoleReadsOnlyDeployBundles(t *testing.T) {
	for _, variant := range []string{"twoEnvironments", "otherRegions"} {
		r := synthVariant(t, stackVariant{name: variant})
		var n int
		for i, env := range r.pipeline.Environments {
			if env.Target == nil {
				continue
			}
			name := variantEnvironments[r.variant.name][i].Name
			tmpl := templateOf(t, r, *env.Target.StackName())
			checkReadsOnlyBundles(t, targetRoleAccess(t, r, i, tmpl, "myapp-"+name+"-deploy", variant+": "+name+"'s deploy role"))
			n++
		}
		if n == 0 {
			t.Fatalf("%s: no environment in another account or Region", variant)
		}
	}
}

// artifactBucketArn is the ARN the evaluator gives the pipeline's artifact
// bucket: its logical id stands for its generated name.
func artifactBucketArn(t *testing.T, r *synthResult) string {
	t.Helper()
	for _, res := range resourcesOf(r.tmpl, "AWS::S3::Bucket") {
		if strings.HasPrefix(res.ID, "ReleasePipelineArtifactBucket") {
			return "arn:aws:s3:::" + res.ID
		}
	}
	t.Fatal("no artifact bucket in the template")
	return ""
}

// checkReadsOnlyBundles: h may read the deploy bundles (the build's output
// artifact, "Bundle", stored as <pipeline name>/Bundle/<key>), and not the
// source archives beside them.
func checkReadsOnlyBundles(t *testing.T, h hostAccess) {
	t.Helper()
	bucket := h.bucket
	for _, key := range []string{"PipelineStack-Relea/Bundle/Ab3dE5f", "PipelineStack-Relea/Bundle/Ab3dE5f.zip"} {
		for _, a := range []string{"s3:GetObject", "s3:GetObjectVersion"} {
			if ok, why := h.allowed(request{Action: a, Resource: bucket + "/" + key}); !ok {
				t.Errorf("%s may not %s on %s: %s", h.what, a, key, why)
			}
		}
	}
	for _, key := range []string{"PipelineStack-Relea/Source/Ab3dE5f", "artifact-bucket/log", "PipelineStack-Relea/Bundle"} {
		for _, a := range []string{"s3:GetObject", "s3:GetObjectVersion"} {
			if ok, why := h.allowed(request{Action: a, Resource: bucket + "/" + key}); ok {
				t.Errorf("%s may %s on %s: %s", h.what, a, key, why)
			}
		}
	}
}

// hostAccess is what one environment's hosts may do to the pipeline's
// resources: their identity statements and, for hosts of another account,
// the pipeline stack's resource policy statements that name their role
// (or everyone), both of which must allow a request (IAM user guide,
// "Cross-account policy evaluation logic").
type hostAccess struct {
	what     string
	identity []map[string]any
	resource []map[string]any // nil in the pipeline's account
	context  map[string]string
	bucket   string // the ARN of the artifact store they read
}

func (h hostAccess) allowed(req request) (bool, string) {
	req.Context = map[string]string{}
	for k, v := range h.context {
		req.Context[k] = v
	}
	ok, why := allowed(h.identity, req)
	if !ok || h.resource == nil {
		return ok, why
	}
	if ok, why := allowed(h.resource, req); !ok {
		return false, "the bucket policy: " + why
	}
	return true, why
}

// environmentHostAccess is the access of each environment's hosts; nil for
// a variant without environments.
func environmentHostAccess(t *testing.T, r *synthResult) []hostAccess {
	t.Helper()
	if r.pipeline.Environments == nil {
		return nil
	}
	out, _ := r.tmpl["Outputs"].(map[string]any)
	var hosts []hostAccess
	for i, env := range r.pipeline.Environments {
		name := variantEnvironments[r.variant.name][i].Name
		if env.Target == nil {
			hp, _ := out["HostPolicyArn"+suffixOf(name)].(map[string]any)
			if hp == nil {
				t.Fatalf("no HostPolicyArn output for %s", name)
			}
			doc, _ := resolve(r.tmpl, managedDocument(t, r.tmpl, hp["Value"])).(map[string]any)
			hosts = append(hosts, hostAccess{what: name + "'s host policy", identity: statementsOf(doc), bucket: artifactBucketArn(t, r)})
			continue
		}
		tmpl := templateOf(t, r, *env.Target.StackName())
		role := hostRole(tmpl)
		if role == "" {
			t.Fatalf("no host role in the target stack of %s", name)
		}
		h := targetRoleAccess(t, r, i, tmpl, fmt.Sprint(resourcesByID(tmpl)[role].props()["RoleName"]), name+"'s host role")
		hosts = append(hosts, h)
	}
	return hosts
}

// targetRoleAccess is what the role roleName of the target stack (tmpl) of
// environment i may do to the artifact store of its Region: its own
// policies' statements and, from another account, the bucket policy
// statements that name it (or everyone).
func targetRoleAccess(t *testing.T, r *synthResult, i int, tmpl map[string]any, roleName, what string) hostAccess {
	t.Helper()
	var role string
	for _, res := range resourcesOf(tmpl, "AWS::IAM::Role") {
		if fmt.Sprint(res.props()["RoleName"]) == roleName {
			role = res.ID
		}
	}
	if role == "" {
		t.Fatalf("no role %s in the target stack", roleName)
	}
	e := variantEnvironments[r.variant.name][i]
	store, bucket := r.tmpl, artifactBucketArn(t, r)
	if e.Region != "" {
		store = templateOf(t, r, "PipelineStack-Artifacts-"+e.Region)
		bucket = "arn:aws:s3:::" + replicaBucketID(t, store)
	}
	h := hostAccess{
		what:    what + " (account " + cmp.Or(e.Account, testPipelineAccount) + ", region " + cmp.Or(e.Region, "eu-west-1") + ")",
		context: map[string]string{"s3:ResourceAccount": testPipelineAccount},
		bucket:  bucket,
	}
	for _, p := range resourcesOf(tmpl, "AWS::IAM::Policy") {
		if refersTo(p.props()["Roles"], role) {
			doc, _ := resolve(tmpl, p.props()["PolicyDocument"]).(map[string]any)
			h.identity = append(h.identity, statementsOf(doc)...)
		}
	}
	roleArn := "arn:aws:iam::" + e.Account + ":role/" + roleName
	for _, st := range policyStatements(store) {
		principal := compact(st.Body["Principal"])
		if e.Account != "" && !st.Identity && st.Source != "" && typeOf(store, st.Source) == "AWS::S3::BucketPolicy" &&
			(strings.Contains(principal, roleArn) || principal == `{"AWS":"*"}`) {
			body, _ := resolve(store, st.Body).(map[string]any)
			h.resource = append(h.resource, body)
		}
	}
	if len(h.identity) == 0 {
		t.Fatalf("%s has no policy in the target stack", what)
	}
	return h
}

func statementsOf(doc map[string]any) []map[string]any {
	var sts []map[string]any
	for _, st := range listOf(doc["Statement"]) {
		sts = append(sts, st.(map[string]any))
	}
	return sts
}

// suffixOf is the output id suffix of an environment name ("staging-eu":
// "StagingEu"), as the stack makes it.
func suffixOf(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// TestHostKeepsWhatItNeeds: the host still reaches everything a deployment
// and the Systems Manager features shipline relies on need: the image, the
// registry login, Session Manager, and the State Manager association that
// installs the CodeDeploy agent (AWS-ConfigureAWSPackage, through
// Distributor).
func TestHostKeepsWhatItNeeds(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		if variantEnvironments[r.variant.name] != nil {
			t.Skip("each environment's hosts read their own path: TestEnvironmentHostSettings")
		}
		what, sts := hostStatements(t, r.tmpl)
		var repo string
		for _, res := range resourcesOf(r.tmpl, "AWS::ECR::Repository") {
			repo = "arn:" + res.ID
		}
		reqs := []request{
			{Action: "ecr:GetAuthorizationToken", Resource: "*"},
			{Action: "ecr:BatchGetImage", Resource: repo},
			{Action: "ecr:GetDownloadUrlForLayer", Resource: repo},
		}
		for _, a := range []string{
			// Registration and the association (SSM Agent, Distributor).
			"ssm:UpdateInstanceInformation", "ssm:ListInstanceAssociations", "ssm:DescribeAssociation",
			"ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest", "ssm:PutConfigurePackageResult",
			"ssm:UpdateInstanceAssociationStatus", "ssm:PutComplianceItems",
			"ec2messages:GetMessages", "ec2messages:AcknowledgeMessage", "ec2messages:SendReply",
			// Session Manager.
			"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
			"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
		} {
			reqs = append(reqs, request{Action: a, Resource: "arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0"})
		}
		// The proxy image, through the app's pull-through cache rule.
		if len(resourcesOf(r.tmpl, "AWS::ECR::PullThroughCacheRule")) == 1 {
			cached := "arn:aws:ecr:eu-west-1:111122223333:repository/myapp-public/docker/library/nginx"
			for _, a := range []string{"ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"} {
				reqs = append(reqs, request{Action: a, Resource: cached})
			}
			for _, other := range []string{"repository/otherapp-public/docker/library/nginx", "repository/myapp-public", "repository/somerepo"} {
				req := request{Action: "ecr:CreateRepository", Resource: "arn:aws:ecr:eu-west-1:111122223333:" + other}
				if ok, why := allowed(sts, req); ok {
					t.Errorf("%s may %s: %s", what, req, why)
				}
			}
		}
		for _, req := range reqs {
			if ok, why := allowed(sts, req); !ok {
				t.Errorf("%s may not %s: %s", what, req, why)
			}
		}
	})
}
