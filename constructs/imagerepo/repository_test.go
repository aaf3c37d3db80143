package imagerepo_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/shipline/shipline/constructs/imagerepo"
	"github.com/shipline/shipline/internal/cdktest"
)

func TestRepositoryDefaults(t *testing.T) {
	stack := cdktest.NewStack()
	imagerepo.NewRepository(stack, "Repo", nil)
	tmpl := assertions.Template_FromStack(stack, nil)

	tmpl.HasResource(jsii.String("AWS::ECR::Repository"), map[string]any{
		"DeletionPolicy":      "Retain",
		"UpdateReplacePolicy": "Retain",
		"Properties": map[string]any{
			"ImageScanningConfiguration": map[string]any{"ScanOnPush": true},
			"ImageTagMutability":         "IMMUTABLE_WITH_EXCLUSION",
			"ImageTagMutabilityExclusionFilters": []any{
				map[string]any{"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "latest"},
				map[string]any{"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "buildcache"},
			},
			// Absent means ECR's default, AES-256.
			"EncryptionConfiguration": assertions.Match_Absent(),
		},
	})
	// Images are deleted with the stack only when the user opts in.
	tmpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), map[string]any{"EmptyOnDelete": false})

	policy := lifecyclePolicy(t, tmpl)
	if len(policy.Rules) != 2 {
		t.Fatalf("lifecycle rules: got %d, want 2", len(policy.Rules))
	}
	untagged, release := policy.Rules[0], policy.Rules[1]
	if untagged.Selection.TagStatus != "untagged" || untagged.Selection.CountType != "sinceImagePushed" || untagged.Selection.CountNumber != 1 {
		t.Errorf("first rule should expire untagged images after a day, got %+v", untagged.Selection)
	}
	if release.Selection.TagStatus != "tagged" || strings.Join(release.Selection.TagPrefixList, ",") != "sha-" ||
		release.Selection.CountType != "imageCountMoreThan" || release.Selection.CountNumber != 20 {
		t.Errorf("second rule should keep 20 sha- images, got %+v", release.Selection)
	}
}

func TestRepositoryOptions(t *testing.T) {
	stack := cdktest.NewStack()
	imagerepo.NewRepository(stack, "Repo", &imagerepo.RepositoryProps{
		MovingTags:        jsii.Strings("stable"),
		ReleaseTagPrefix:  jsii.String("v"),
		KeepReleaseImages: jsii.Number(5),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
	})
	tmpl := assertions.Template_FromStack(stack, nil)
	tmpl.HasResource(jsii.String("AWS::ECR::Repository"), map[string]any{
		"DeletionPolicy": "Delete",
		"Properties": map[string]any{
			"ImageTagMutabilityExclusionFilters": []any{
				map[string]any{"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "stable"},
			},
		},
	})
	tmpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), map[string]any{"EmptyOnDelete": true})
	policy := lifecyclePolicy(t, tmpl)
	if got := policy.Rules[1].Selection; got.CountNumber != 5 || got.TagPrefixList[0] != "v" {
		t.Errorf("release rule: got %+v, want keep 5 images tagged v*", got)
	}
}

func TestRepositoryGrants(t *testing.T) {
	stack := cdktest.NewStack()
	repo := imagerepo.NewRepository(stack, "Repo", nil)
	puller := awsiam.NewRole(stack, jsii.String("Puller"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil)})
	pusher := awsiam.NewRole(stack, jsii.String("Pusher"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("codebuild.amazonaws.com"), nil)})
	repo.GrantPull(puller)
	repo.GrantPullPush(pusher)
	tmpl := cdktest.JSON(assertions.Template_FromStack(stack, nil))

	pull := actionsOf(tmpl, "Puller")
	push := actionsOf(tmpl, "Pusher")
	for _, a := range []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:GetAuthorizationToken"} {
		if !pull[a] || !push[a] {
			t.Errorf("%s: want it granted to both roles, puller=%v pusher=%v", a, pull[a], push[a])
		}
	}
	for _, a := range []string{"ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"} {
		if pull[a] {
			t.Errorf("%s: granted to the pull-only role", a)
		}
		if !push[a] {
			t.Errorf("%s: missing from the push role", a)
		}
	}
}

func TestRepositoryRejectsBadProps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props imagerepo.RepositoryProps
		want  string
	}{
		{"zero images kept", imagerepo.RepositoryProps{KeepReleaseImages: jsii.Number(0)}, "KeepReleaseImages: got 0"},
		{"no moving tag", imagerepo.RepositoryProps{MovingTags: &[]*string{}}, "MovingTags: got none"},
		{"empty prefix", imagerepo.RepositoryProps{ReleaseTagPrefix: jsii.String("")}, "ReleaseTagPrefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			msg := cdktest.SynthFailure(stack, func() { imagerepo.NewRepository(stack, "Repo", &tc.props) })
			if !strings.Contains(msg, "[TestStack/Repo] "+tc.want) {
				t.Errorf("panic %q: want it to name the construct and contain %q", msg, tc.want)
			}
		})
	}
}

type lifecycle struct {
	Rules []struct {
		RulePriority int
		Selection    struct {
			TagStatus     string
			TagPrefixList []string
			CountType     string
			CountNumber   int
		}
	}
}

func lifecyclePolicy(t *testing.T, tmpl assertions.Template) lifecycle {
	t.Helper()
	repos := cdktest.Resources(cdktest.JSON(tmpl), "AWS::ECR::Repository")
	for _, r := range repos {
		text := r["Properties"].(map[string]any)["LifecyclePolicy"].(map[string]any)["LifecyclePolicyText"].(string)
		var l lifecycle
		if err := json.Unmarshal([]byte(text), &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	t.Fatal("no repository")
	return lifecycle{}
}

// actionsOf collects the actions of the policies attached to the role whose
// logical id starts with prefix.
func actionsOf(tmpl map[string]any, prefix string) map[string]bool {
	out := map[string]bool{}
	for _, p := range cdktest.Resources(tmpl, "AWS::IAM::Policy") {
		props := p["Properties"].(map[string]any)
		roles, _ := json.Marshal(props["Roles"])
		if !strings.Contains(string(roles), `"`+prefix) {
			continue
		}
		for _, st := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			switch a := st.(map[string]any)["Action"].(type) {
			case string:
				out[a] = true
			case []any:
				for _, x := range a {
					out[x.(string)] = true
				}
			}
		}
	}
	return out
}
