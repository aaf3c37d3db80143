package test

import (
	"fmt"
	"testing"
)

// TestDiffReaderReadsOnlyItsStack: the role of an environment's stack in
// another account that the pull-request diff role assumes may read that
// stack's template and status and nothing else, and only the pipeline
// account's diff role may assume it; the diff role may assume it, and the
// workflow finds it in the synthesized template's output DiffReadRoleArn.
func TestDiffReaderReadsOnlyItsStack(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "twoEnvironmentsDiff"})
	diffRole := roleNamed(t, r.tmpl, "myapp-diff")
	diffRoleArn := "arn:aws:iam::" + testPipelineAccount + ":role/myapp-diff"
	const readerArn = "arn:aws:iam::" + testTargetAccount + ":role/myapp-production-diff"
	var stackName string
	for _, env := range r.pipeline.Environments {
		if env.Target != nil {
			stackName = *env.Target.StackName()
		}
	}
	tmpl := templateOf(t, r, stackName)
	reader := roleNamed(t, tmpl, "myapp-production-diff")

	stack := func(name string) string {
		return "arn:aws:cloudformation:eu-west-1:" + testTargetAccount + ":stack/" + name + "/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	}
	sts := roleStatements(tmpl, reader)
	for _, a := range []string{"cloudformation:GetTemplate", "cloudformation:DescribeStacks"} {
		if ok, why := allowed(sts, request{Action: a, Resource: stack(stackName)}); !ok {
			t.Errorf("the reader may not %s on its stack: %s", a, why)
		}
		for _, other := range []string{"PipelineStack", stackName + "-other", "OtherStack"} {
			if ok, why := allowed(sts, request{Action: a, Resource: stack(other)}); ok {
				t.Errorf("the reader may %s on %s: %s", a, other, why)
			}
		}
	}
	for _, req := range []request{
		{Action: "cloudformation:DescribeStackResources", Resource: stack(stackName)},
		{Action: "cloudformation:CreateChangeSet", Resource: stack(stackName)},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::any-bucket/key"},
		{Action: "sts:AssumeRole", Resource: "arn:aws:iam::" + testTargetAccount + ":role/myapp-production-deploy"},
	} {
		if ok, why := allowed(sts, req); ok {
			t.Errorf("the reader may %s: %s", req, why)
		}
	}

	// Trust: the pipeline's account, for its diff role only.
	doc, _ := resolve(tmpl, reader.props()["AssumeRolePolicyDocument"]).(map[string]any)
	trust := statementsOf(doc)
	for _, st := range trust {
		if got := compact(st["Principal"]); got != `{"AWS":"arn:aws:iam::`+testPipelineAccount+`:root"}` {
			t.Errorf("reader trust principal: got %s, want the pipeline's account only", got)
		}
	}
	for principal, want := range map[string]bool{
		diffRoleArn: true,
		"arn:aws:iam::" + testPipelineAccount + ":role/myapp-production-deploy": false,
		"arn:aws:iam::" + testPipelineAccount + ":role/myapp-diff-other":        false,
		"arn:aws:iam::" + testPipelineAccount + ":user/someone":                 false,
	} {
		ok, why := allowed(trust, request{Action: "sts:AssumeRole", Resource: readerArn, Context: map[string]string{"aws:PrincipalArn": principal}})
		if ok != want {
			t.Errorf("%s may assume the reader: got %v, want %v (%s)", principal, ok, want, why)
		}
	}

	// The diff role may assume the reader (both sides of a cross-account
	// call must allow it).
	if ok, why := allowed(roleStatements(r.tmpl, diffRole), request{Action: "sts:AssumeRole", Resource: readerArn}); !ok {
		t.Errorf("the diff role may not assume the reader: %s", why)
	}
	out, _ := tmpl["Outputs"].(map[string]any)
	if got := fmt.Sprint(resolve(tmpl, out["DiffReadRoleArn"].(map[string]any)["Value"])); got != readerArn {
		t.Errorf("output DiffReadRoleArn: got %s, want %s", got, readerArn)
	}
}

// roleNamed is the role of tmpl named name.
func roleNamed(t *testing.T, tmpl map[string]any, name string) cfnResource {
	t.Helper()
	for _, res := range resourcesOf(tmpl, "AWS::IAM::Role") {
		if fmt.Sprint(res.props()["RoleName"]) == name {
			return res
		}
	}
	t.Fatalf("no role named %s", name)
	return cfnResource{}
}

// roleStatements are the resolved statements of role's inline policies and
// of the policies of tmpl attached to it.
func roleStatements(tmpl map[string]any, role cfnResource) []map[string]any {
	var sts []map[string]any
	for _, pol := range listOf(role.props()["Policies"]) {
		doc, _ := resolve(tmpl, pol.(map[string]any)["PolicyDocument"]).(map[string]any)
		sts = append(sts, statementsOf(doc)...)
	}
	for _, p := range resourcesOf(tmpl, "AWS::IAM::Policy") {
		if refersTo(p.props()["Roles"], role.ID) {
			doc, _ := resolve(tmpl, p.props()["PolicyDocument"]).(map[string]any)
			sts = append(sts, statementsOf(doc)...)
		}
	}
	return sts
}
