package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shipline/shipline/stacks"
)

// TestHostWritesOnlyAppLogs: a deployment target may write log streams of
// the app's log group (Docker's awslogs driver) and nothing else of
// CloudWatch Logs: no other group, no reading, no creating groups.
func TestHostWritesOnlyAppLogs(t *testing.T) {
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		if variantEnvironments[r.variant.name] != nil {
			t.Skip("each environment's hosts have their own policy: TestEnvironmentHostSettings")
		}
		what, sts := hostStatements(t, r.tmpl)
		groups := resourcesOf(r.tmpl, "AWS::Logs::LogGroup")
		var app string
		for _, g := range groups {
			if strings.HasPrefix(g.ID, "AppLogs") {
				app = "arn:aws:logs:eu-west-1:111122223333:log-group:" + g.ID
			}
		}
		if app == "" {
			t.Fatal("no AppLogs log group in the template")
		}
		for _, req := range []request{
			{Action: "logs:CreateLogStream", Resource: app + ":log-stream:app/i-0123456789abcdef0/web-app-1"},
			{Action: "logs:PutLogEvents", Resource: app + ":log-stream:app/i-0123456789abcdef0/web-app-1"},
		} {
			if ok, why := allowed(sts, req); !ok {
				t.Errorf("%s may not %s: %s", what, req, why)
			}
		}
		other := "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/codebuild/other"
		for _, req := range []request{
			{Action: "logs:PutLogEvents", Resource: other + ":log-stream:x"},
			{Action: "logs:CreateLogStream", Resource: other + ":log-stream:x"},
			{Action: "logs:CreateLogGroup", Resource: other + ":*"},
			{Action: "logs:GetLogEvents", Resource: app + ":log-stream:app/i-0123456789abcdef0/web-app-1"},
			{Action: "logs:DeleteLogGroup", Resource: app + ":*"},
		} {
			if ok, why := allowed(sts, req); ok {
				t.Errorf("%s may %s: %s", what, req, why)
			}
		}
		// Kept and removed like the build logs, with the same retention.
		for _, g := range groups {
			if strings.HasPrefix(g.ID, "AppLogs") && g.props()["RetentionInDays"] == nil {
				t.Errorf("%s has no retention", g.ID)
			}
		}
	})
}

// logEnvironments: two environments in the pipeline's account (staging, qa)
// and production in another, to show each host writes its own group only.
func logEnvironments() []stacks.Environment {
	envs := twoEnvironments()
	qa := envs[0]
	qa.Name, qa.TagValues, qa.ParameterPath, qa.Alarms, qa.Check = "qa", []string{"myapp-qa"}, "/myapp/qa/", nil, nil
	return []stacks.Environment{envs[0], qa, envs[1]}
}

func init() { variantEnvironments["logEnvironments"] = logEnvironments() }

// logGroupArn is the evaluator's ARN of a log group of the template, by the
// AppLogGroupName<suffix> output's value: a Ref (the evaluator names
// the group by its logical id) or a fixed name.
func logGroupArn(t *testing.T, tmpl map[string]any, output string) string {
	t.Helper()
	out, _ := tmpl["Outputs"].(map[string]any)
	o, _ := out[output].(map[string]any)
	if o == nil {
		t.Fatalf("no %s output", output)
	}
	return "arn:aws:logs:eu-west-1:111122223333:log-group:" + fmt.Sprint(resolve(tmpl, o["Value"]))
}

// TestEnvironmentHostsWriteOnlyTheirLogs: each environment has a log group
// of its own (in its own account), and its hosts may write to that group
// and to no other: not another environment's, not the build logs, no
// reading, no new groups.
func TestEnvironmentHostsWriteOnlyTheirLogs(t *testing.T) {
	r := synthVariant(t, stackVariant{name: "logEnvironments"})
	out, _ := r.tmpl["Outputs"].(map[string]any)
	if _, ok := out["AppLogGroupName"]; ok {
		t.Error("a stack with environments has an AppLogGroupName output; want one per environment")
	}
	prodName := "/shipline/myapp/production"
	if got := fmt.Sprint(out["AppLogGroupNameProduction"].(map[string]any)["Value"]); got != prodName {
		t.Errorf("AppLogGroupNameProduction: got %s, want %s", got, prodName)
	}
	groups := map[string]string{
		"staging":    logGroupArn(t, r.tmpl, "AppLogGroupNameStaging"),
		"qa":         logGroupArn(t, r.tmpl, "AppLogGroupNameQa"),
		"production": "arn:aws:logs:eu-west-1:" + testTargetAccount + ":log-group:" + prodName,
		"build":      "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/codebuild/other",
	}
	if len(resourcesOf(r.tmpl, "AWS::Logs::LogGroup")) < 3 || groups["staging"] == groups["qa"] {
		t.Fatalf("want a log group each for staging and qa, got %v", groups)
	}
	check := func(t *testing.T, what string, sts []map[string]any, own string) {
		for env, arn := range groups {
			for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
				req := request{Action: action, Resource: arn + ":log-stream:i-0123456789abcdef0/nginx"}
				ok, why := allowed(sts, req)
				if env == own && !ok {
					t.Errorf("%s may not %s: %s", what, req, why)
				}
				if env != own && ok {
					t.Errorf("%s may %s (the %s group): %s", what, req, env, why)
				}
			}
			for _, req := range []request{
				{Action: "logs:CreateLogGroup", Resource: arn + ":*"},
				{Action: "logs:GetLogEvents", Resource: arn + ":log-stream:i-0123456789abcdef0/nginx"},
				{Action: "logs:DeleteLogGroup", Resource: arn + ":*"},
			} {
				if ok, why := allowed(sts, req); ok {
					t.Errorf("%s may %s: %s", what, req, why)
				}
			}
		}
	}
	for _, env := range []string{"staging", "qa"} {
		t.Run(env, func(t *testing.T) {
			hp, _ := out["HostPolicyArn"+strings.ToUpper(env[:1])+env[1:]].(map[string]any)
			doc, _ := resolve(r.tmpl, managedDocument(t, r.tmpl, hp["Value"])).(map[string]any)
			var sts []map[string]any
			for _, st := range listOf(doc["Statement"]) {
				sts = append(sts, st.(map[string]any))
			}
			check(t, env+" hosts", sts, env)
		})
	}
	t.Run("production", func(t *testing.T) {
		target := r.pipeline.Environments[2].Target
		tmpl := templateOf(t, r, *target.StackName())
		var group cfnResource
		for _, g := range resourcesOf(tmpl, "AWS::Logs::LogGroup") {
			group = g
		}
		if group.props()["LogGroupName"] != prodName || group.props()["RetentionInDays"] == nil {
			t.Fatalf("production's log group: got %s, want %s with a retention", fullJSON(group.props()), prodName)
		}
		// The evaluator names a GetAtt'd group by its logical id, in its
		// own account: name it as production's account does.
		rename := strings.NewReplacer(group.ID, prodName, "111122223333", testTargetAccount)
		var sts []map[string]any
		for _, p := range resourcesOf(tmpl, "AWS::IAM::Policy") {
			if !strings.Contains(fullJSON(p.props()["Roles"]), "HostRole") {
				continue
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(rename.Replace(fullJSON(resolve(tmpl, p.props()["PolicyDocument"])))), &doc); err != nil {
				t.Fatal(err)
			}
			for _, st := range listOf(doc["Statement"]) {
				sts = append(sts, st.(map[string]any))
			}
		}
		check(t, "production host role", sts, "production")
	})
	// One build serves every environment: the hosts find their group by
	// their deployment group.
	var pairs string
	for _, p := range resourcesOf(r.tmpl, "AWS::CodeBuild::Project") {
		env, _ := p.props()["Environment"].(map[string]any)
		for _, v := range listOf(env["EnvironmentVariables"]) {
			if v.(map[string]any)["Name"] == "LOG_GROUPS" {
				pairs = fullJSON(v.(map[string]any)["Value"])
			}
		}
	}
	for _, w := range []string{`{"Ref":"EnvironmentstagingAppLogs`, `{"Ref":"EnvironmentqaAppLogs`, `"myapp-production=/shipline/myapp/production"`} {
		if !strings.Contains(pairs, w) {
			t.Errorf("LOG_GROUPS: want %s in %s", w, pairs)
		}
	}
}
