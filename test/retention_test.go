package test

import (
	"testing"
)

// statefulTypes hold data a user would miss: images, pipeline artifacts and
// their access logs, build and flow logs.
var statefulTypes = []string{"AWS::ECR::Repository", "AWS::S3::Bucket", "AWS::Logs::LogGroup"}

// TestNothingLost: with removalPolicy retain (the default) every stateful
// resource survives stack deletion and replacement; with destroy it is
// deleted, and emptied first (ECR EmptyOnDelete, S3 auto-delete objects),
// so deleting the stack does not fail on a non-empty repository or bucket.
func TestNothingLost(t *testing.T) {
	checked := map[string]bool{}
	forEachVariant(t, func(t *testing.T, r *synthResult) {
		want := "Retain"
		if r.variant.settings["removalPolicy"] == "destroy" {
			want = "Delete"
		}
		checked[want] = true
		resources := resourcesOf(r.tmpl, statefulTypes...)
		if len(resources) == 0 {
			t.Fatal("no stateful resources found")
		}
		for _, res := range resources {
			for _, attr := range []string{"DeletionPolicy", "UpdateReplacePolicy"} {
				if got := res.Body[attr]; got != want {
					t.Errorf("%s %s: %s is %v, want %s (removalPolicy %v)", res.Type, res.ID, attr, got, want, r.variant.settings["removalPolicy"])
				}
			}
			if want != "Delete" {
				continue
			}
			switch res.Type {
			case "AWS::ECR::Repository":
				if res.props()["EmptyOnDelete"] != true {
					t.Errorf("repository %s: EmptyOnDelete is %v, want true with removalPolicy destroy", res.ID, res.props()["EmptyOnDelete"])
				}
			case "AWS::S3::Bucket":
				emptied := false
				for _, c := range resourcesOf(r.tmpl, "Custom::S3AutoDeleteObjects") {
					if refersTo(c.props()["BucketName"], res.ID) {
						emptied = true
					}
				}
				if !emptied {
					t.Errorf("bucket %s is deleted with the stack but never emptied (no auto-delete objects)", res.ID)
				}
			}
		}
		if want == "Retain" && len(resourcesOf(r.tmpl, "Custom::S3AutoDeleteObjects")) > 0 {
			t.Error("auto-delete objects with removalPolicy retain")
		}
	})
	if !checked["Retain"] || !checked["Delete"] {
		t.Errorf("variants cover %v, want both Retain and Delete", checked)
	}
}
