package stacks_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/config"
	"github.com/shipline/shipline/internal/cdktest"
	"github.com/shipline/shipline/stacks"
)

const (
	pipelineAccount = "111111111111"
	targetAccount   = "222222222222"
)

// threeEnvironments: staging (pipeline account), production in another
// account on an Auto Scaling group behind an ALB, with an alarm of its own,
// then a third environment that production's alarms must hold.
func threeEnvironments(t *testing.T) (*stacks.PipelineStack, map[string]any, map[string]any) {
	t.Helper()
	cfg, err := config.FromContext(map[string]any{
		"account": pipelineAccount, "region": "eu-west-1",
		"environments": []any{
			map[string]any{"name": "staging"},
			map[string]any{
				"name": "production", "account": targetAccount, "autoScalingGroupName": "web-production",
				"targetGroupArn":  "arn:aws:elasticloadbalancing:eu-west-1:222222222222:targetgroup/web/0123456789abcdef",
				"loadBalancerArn": "arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/app/web/fedcba9876543210",
				"alarms":          []any{"web-latency"},
			},
			map[string]any{"name": "eu", "approval": true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	app := cdktest.NewApp(nil)
	stack := stacks.NewPipelineStack(app, "Pipeline", &stacks.PipelineStackProps{
		StackProps: awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(pipelineAccount), Region: jsii.String("eu-west-1")}},
		Config:     &cfg,
	})
	target := stack.Environments[1].Target
	if target == nil {
		t.Fatal("production: no target stack")
	}
	return stack, cdktest.JSON(assertions.Template_FromStack(stack, nil)), cdktest.JSON(assertions.Template_FromStack(target, nil))
}

// TestCrossAccountEventsForwarded: the target stack forwards the state
// changes of production's alarms (its own, named, and the two defaults, by
// name) and its failed or stopped deployments to the pipeline account's
// default bus, as a role only EventBridge of that account may assume and
// that may put events on that bus alone.
func TestCrossAccountEventsForwarded(t *testing.T) {
	_, _, target := threeEnvironments(t)
	bus := "arn:aws:events:eu-west-1:" + pipelineAccount + ":event-bus/default"
	patterns := map[string]string{}
	for _, rule := range cdktest.Resources(target, "AWS::Events::Rule") {
		props := rule["Properties"].(map[string]any)
		pattern := compactJSON(props["EventPattern"])
		targets := props["Targets"].([]any)
		if len(targets) != 1 || targets[0].(map[string]any)["Arn"] != bus {
			t.Errorf("rule %s: targets %s, want the pipeline account's default bus only", pattern, compactJSON(targets))
		}
		if !strings.Contains(compactJSON(targets[0]), `"RoleArn":{"Fn::GetAtt":["EventsRole`) {
			t.Errorf("rule %s: target %s does not send with the events role", pattern, compactJSON(targets[0]))
		}
		patterns[props["Description"].(string)] = pattern
	}
	alarms, deployments := "", ""
	for desc, p := range patterns {
		if strings.Contains(desc, "alarms") {
			alarms = p
		} else {
			deployments = p
		}
	}
	for _, w := range []string{`"source":["aws.cloudwatch"]`, `"detail-type":["CloudWatch Alarm State Change"]`, `:alarm:web-latency"`, `ServerDeployTarget5xxAlarm`, `ServerDeployUnhealthyHostsAlarm`} {
		if !strings.Contains(alarms, w) {
			t.Errorf("alarm rule pattern %s lacks %s", alarms, w)
		}
	}
	if want := `"detail":{"application":["myapp"],"deploymentGroup":["myapp-production"],"state":["FAILURE","STOP"]}`; !strings.Contains(deployments, want) {
		t.Errorf("deployment rule pattern %s, want %s", deployments, want)
	}
	names := map[string]bool{}
	for _, a := range cdktest.Resources(target, "AWS::CloudWatch::Alarm") {
		n, _ := a["Properties"].(map[string]any)["AlarmName"].(string)
		names[n] = true
	}
	if !names["myapp-production-target-5xx"] || !names["myapp-production-unhealthy-hosts"] {
		t.Errorf("default alarms named %v, want fixed names the pipeline account can refer to", names)
	}
	for id, role := range cdktest.Resources(target, "AWS::IAM::Role") {
		if !strings.HasPrefix(id, "EventsRole") {
			continue
		}
		props := role["Properties"].(map[string]any)
		if props["RoleName"] != "myapp-production-events" {
			t.Errorf("events role name %v", props["RoleName"])
		}
		want := `{"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"` + targetAccount + `"}},"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"}}`
		if got := compactJSON(props["AssumeRolePolicyDocument"].(map[string]any)["Statement"]); got != "["+want+"]" {
			t.Errorf("events role trust: got %s, want %s", got, want)
		}
	}
	for id, pol := range cdktest.Resources(target, "AWS::IAM::Policy") {
		if strings.HasPrefix(id, "EventsRole") {
			want := `[{"Action":"events:PutEvents","Effect":"Allow","Resource":"` + bus + `"}]`
			if got := compactJSON(pol["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"]); got != want {
				t.Errorf("events role policy: got %s, want %s", got, want)
			}
		}
	}
}

// TestCrossAccountEventsReceived: the pipeline account's bus admits the
// forwarding role alone; its rules tell the topic which alarm fired and
// which deployment failed, for events of the target account only; each
// forwarded alarm has a mirror, and the mirrors hold the environment after
// production, whose first stage is its approval.
func TestCrossAccountEventsReceived(t *testing.T) {
	stack, tmpl, _ := threeEnvironments(t)
	policies := cdktest.Resources(tmpl, "AWS::Events::EventBusPolicy")
	if len(policies) != 1 {
		t.Fatalf("%d event bus policies, want 1", len(policies))
	}
	for _, p := range policies {
		got := compactJSON(p["Properties"].(map[string]any)["Statement"])
		want := `{"Action":"events:PutEvents","Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::` + targetAccount + `:role/myapp-production-events"}},` +
			`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + targetAccount + `:root"},"Resource":"arn:aws:events:eu-west-1:` + pipelineAccount + `:event-bus/default"}`
		if got != want {
			t.Errorf("bus policy statement:\n got %s\nwant %s", got, want)
		}
	}
	var topic string
	for id := range cdktest.Resources(tmpl, "AWS::SNS::Topic") {
		topic = id
	}
	notified := map[string]string{}
	for _, rule := range cdktest.Resources(tmpl, "AWS::Events::Rule") {
		props := rule["Properties"].(map[string]any)
		pattern := compactJSON(props["EventPattern"])
		if !strings.Contains(pattern, `"account":["`+targetAccount+`"]`) {
			continue
		}
		target := compactJSON(props["Targets"])
		if strings.Contains(target, `{"Ref":"`+topic+`"}`) {
			notified[pattern] = target
		}
	}
	var alarmMsg, deployMsg bool
	for pattern, target := range notified {
		switch {
		case strings.Contains(pattern, `"state":{"value":["ALARM"]}`) && strings.Contains(pattern, ":alarm:myapp-production-target-5xx"):
			alarmMsg = strings.Contains(target, "Alarm <detail-alarmName> of production (account "+targetAccount+") is in ALARM")
		case strings.Contains(pattern, `"state":["FAILURE","STOP"]`):
			deployMsg = strings.Contains(target, "<detail-deploymentId>") && strings.Contains(target, "ended in <detail-state>")
		}
	}
	if !alarmMsg || !deployMsg {
		t.Errorf("topic messages: alarm %v, deployment %v; rules %v", alarmMsg, deployMsg, notified)
	}

	mirrors := map[string]string{} // logical id: mirrored alarm
	for id, a := range cdktest.Resources(tmpl, "AWS::CloudWatch::Alarm") {
		props := a["Properties"].(map[string]any)
		if props["Namespace"] == "shipline/ForwardedAlarms" {
			dims := compactJSON(props["Dimensions"])
			for _, n := range []string{"web-latency", "myapp-production-target-5xx", "myapp-production-unhealthy-hosts"} {
				if strings.Contains(dims, `"Value":"`+n+`"`) && strings.Contains(dims, `"Value":"`+targetAccount+`"`) {
					mirrors[id] = n
				}
			}
			if props["TreatMissingData"] != "ignore" {
				t.Errorf("mirror %s: TreatMissingData %v, want ignore (keep the last state)", id, props["TreatMissingData"])
			}
		}
	}
	if len(mirrors) != 3 {
		t.Fatalf("mirror alarms %v, want one per production alarm", mirrors)
	}
	var hold string
	for _, p := range cdktest.Resources(tmpl, "AWS::CodePipeline::Pipeline") {
		for _, s := range p["Properties"].(map[string]any)["Stages"].([]any) {
			if s.(map[string]any)["Name"] == "Approve-eu" {
				hold = compactJSON(s.(map[string]any)["BeforeEntry"])
			}
		}
	}
	for id := range mirrors {
		if !strings.Contains(hold, `"AlarmName":{"Ref":"`+id+`"},"AlarmStates":"ALARM"`) {
			t.Errorf("Approve-eu BeforeEntry %s does not hold on mirror %s", hold, id)
		}
	}
	deps := stack.Dependencies()
	if !slices.ContainsFunc(*deps, func(s awscdk.Stack) bool { return *s.StackName() == "Pipeline-production" }) {
		t.Error("the pipeline stack does not deploy after production's stack, whose roles its key policy names")
	}
}

// compactJSON is v as JSON, with '<' and '>' as they are.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// TestEnvironmentsPlacementMistakes: environments a Go caller builds that
// the stack cannot place panic at construction with what to change.
func TestEnvironmentsPlacementMistakes(t *testing.T) {
	placed := &awscdk.Environment{Account: jsii.String(pipelineAccount), Region: jsii.String("eu-west-1")}
	for _, c := range []struct {
		name string
		env  *awscdk.Environment
		e    stacks.Environment
		want string
	}{
		{"Region without the stack's", nil, stacks.Environment{Name: "dr", Region: "eu-central-1"},
			`Environments[0] "dr": Region eu-central-1 needs the pipeline stack's own account and Region set (StackProps.Env)`},
		{"Account without the stack's", nil, stacks.Environment{Name: "prod", Account: targetAccount},
			`Environments[0] "prod": Account 222222222222 needs the pipeline stack's own account set`},
		{"managed host in another Region", placed, stacks.Environment{Name: "dr", Region: "eu-central-1", ManagedHost: true},
			`Environments[0] "dr": a managed host is created in the pipeline's Region only, want tags or an Auto Scaling group in eu-central-1`},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.e.TagKey, c.e.TagValues, c.e.ParameterPath = "App", []string{"web-" + c.e.Name}, "/web/"+c.e.Name+"/"
			app := cdktest.NewApp(nil)
			msg := cdktest.MustPanic(t, func() {
				stacks.NewPipelineStack(app, "Pipeline", &stacks.PipelineStackProps{
					StackProps:   awscdk.StackProps{Env: c.env},
					Environments: []stacks.Environment{c.e},
				})
			})
			if !strings.Contains(msg, c.want) {
				t.Errorf("panic:\n%s\nwant it to say: %s", msg, c.want)
			}
		})
	}
}
