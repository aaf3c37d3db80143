package crossaccount_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/crossaccount"
	"github.com/shipline/shipline/internal/cdktest"
)

func targetStack() awscdk.Stack {
	return awscdk.NewStack(cdktest.NewApp(nil), jsii.String("Target"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")},
	})
}

func validProps() *crossaccount.TargetRolesProps {
	return &crossaccount.TargetRolesProps{
		PipelineAccount:     jsii.String("111111111111"),
		DeployRoleName:      jsii.String("web-production-deploy"),
		HostRoleName:        jsii.String("web-production-host"),
		ApplicationName:     jsii.String("web"),
		DeploymentGroupName: jsii.String("web-production"),
		ParameterPath:       jsii.String("/web/production/"),
	}
}

func TestTargetRoles(t *testing.T) {
	stack := targetStack()
	crossaccount.NewTargetRoles(stack, "Roles", validProps())
	tpl := assertions.Template_FromStack(stack, nil)
	roles := cdktest.Resources(cdktest.JSON(tpl), "AWS::IAM::Role")
	policies := cdktest.Resources(cdktest.JSON(tpl), "AWS::IAM::Policy")
	byName := map[string]map[string]any{}
	for _, r := range roles {
		p := r["Properties"].(map[string]any)
		byName[p["RoleName"].(string)] = p
	}
	// Only the pipeline account may assume the deploy role; only EC2 the host role.
	trust := toJSON(byName["web-production-deploy"]["AssumeRolePolicyDocument"])
	if want := `"Principal":{"AWS":"arn:aws:iam::111111111111:root"}`; !strings.Contains(trust, want) || strings.Count(trust, "Principal") != 1 {
		t.Errorf("deploy role trust: got %s, want only %s", trust, want)
	}
	if trust := toJSON(byName["web-production-host"]["AssumeRolePolicyDocument"]); !strings.Contains(trust, `"Service":"ec2.amazonaws.com"`) {
		t.Errorf("host role trust: got %s", trust)
	}
	var deploy, host string
	for id, p := range policies {
		switch {
		case strings.HasPrefix(id, "RolesDeployRole"):
			deploy = toJSON(p)
		case strings.HasPrefix(id, "RolesHostRole"):
			host = toJSON(p)
		}
	}
	for _, w := range []string{
		`:codedeploy:eu-west-1:222222222222:application:web"`,
		`:codedeploy:eu-west-1:222222222222:deploymentgroup:web/web-production"`,
		`"s3:ResourceAccount":"111111111111"`,
		`:kms:eu-west-1:111111111111:key/*"`,
		`"kms:ViaService"`,
	} {
		if !strings.Contains(deploy, w) {
			t.Errorf("deploy role policy: want %s in %s", w, deploy)
		}
	}
	for _, w := range []string{
		`:ecr:eu-west-1:111111111111:repository/*"`,
		`:ssm:eu-west-1:222222222222:parameter/web/production"`,
		`:ssm:eu-west-1:222222222222:parameter/web/production/*"`,
		`"s3:ResourceAccount":"111111111111"`,
		`"Sid":"ManagedNode"`,
		`"Sid":"NoRecursiveSettingsRead"`,
	} {
		if !strings.Contains(host, w) {
			t.Errorf("host role policy: want %s in %s", w, host)
		}
	}
	if all := toJSON(cdktest.JSON(tpl)); strings.Contains(all, "AmazonSSMManagedInstanceCore") {
		t.Error("host role: want the managed-node statements, not AmazonSSMManagedInstanceCore (it reads every parameter)")
	}
	tpl.HasResourceProperties(jsii.String("AWS::IAM::InstanceProfile"), &map[string]any{
		"InstanceProfileName": "web-production-host",
	})
}

func TestTargetRolesValidation(t *testing.T) {
	props := validProps()
	props.PipelineAccount = jsii.String("1111")
	props.HostRoleName = jsii.String("web production")
	props.ParameterPath = jsii.String("web")
	props.ApplicationName = nil
	msg := cdktest.MustPanic(t, func() { crossaccount.NewTargetRoles(targetStack(), "Roles", props) })
	for _, w := range []string{
		"[Target/Roles] PipelineAccount:",
		`PipelineAccount: got "1111", want a 12-digit AWS account id`,
		`HostRoleName: got "web production", want an IAM role name`,
		`ParameterPath: got "web"`,
		"ApplicationName: got nil",
	} {
		if !strings.Contains(msg, w) {
			t.Errorf("want %q in: %s", w, msg)
		}
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestTargetRolesAppLogs: with AppLogGroup, the host role may create
// streams in that group and put events, nothing else of CloudWatch Logs;
// without it, nothing of CloudWatch Logs.
func TestTargetRolesAppLogs(t *testing.T) {
	for _, withGroup := range []bool{true, false} {
		stack := targetStack()
		props := validProps()
		if withGroup {
			props.AppLogGroup = awslogs.NewLogGroup(stack, jsii.String("AppLogs"), &awslogs.LogGroupProps{LogGroupName: jsii.String("/shipline/web/production")})
		}
		crossaccount.NewTargetRoles(stack, "Roles", props)
		var host string
		for id, p := range cdktest.Resources(cdktest.JSON(assertions.Template_FromStack(stack, nil)), "AWS::IAM::Policy") {
			if strings.HasPrefix(id, "RolesHostRole") {
				host = toJSON(p)
			}
		}
		want := `{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow","Resource":{"Fn::GetAtt":["AppLogs`
		if got := strings.Contains(host, want); got != withGroup || strings.Count(host, `"logs:`) != map[bool]int{true: 2, false: 0}[withGroup] {
			t.Errorf("with a group %v: host role policy %s", withGroup, host)
		}
	}
}
