package motoserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shipline/shipline/internal/motoserver"
)

func TestServerAnswersUntilStopped(t *testing.T) {
	srv := motoserver.Shared(t)
	defer motoserver.StopShared()
	if !strings.HasPrefix(srv.Endpoint, "http://localhost:") {
		t.Errorf("Endpoint = %q, want http://localhost:PORT", srv.Endpoint)
	}
	if err := srv.PutParameter("/app/KEY", "SecureString", "v a'l\"ue"); err != nil {
		t.Fatal(err)
	}
	out, err := srv.JSON("ssm", "AmazonSSM.GetParameter", map[string]any{"Name": "/app/KEY", "WithDecryption": true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"Value": "v a'l\"ue"`) && !strings.Contains(string(out), `"Value":"v a'l\"ue"`) {
		t.Errorf("GetParameter = %s, want the value written", out)
	}
	// Each Region has parameters of its own.
	if err := srv.PutParameterIn("eu-west-1", "/app/KEY", "String", "in eu-west-1"); err != nil {
		t.Fatal(err)
	}
	for region, want := range map[string]string{srv.Region: `v a'l\"ue`, "eu-west-1": "in eu-west-1"} {
		out, err := srv.JSONIn(region, "ssm", "AmazonSSM.GetParameter", map[string]any{"Name": "/app/KEY", "WithDecryption": true})
		if err != nil || !strings.Contains(strings.ReplaceAll(string(out), `": "`, `":"`), `"Value":"`+want+`"`) {
			t.Errorf("GetParameter in %s = %s (%v), want %s", region, out, err, want)
		}
	}
	if err := srv.DeleteParameterIn("eu-west-1", "/app/KEY"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.JSONIn("eu-west-1", "ssm", "AmazonSSM.GetParameter", map[string]any{"Name": "/app/KEY"}); err == nil {
		t.Errorf("the parameter in eu-west-1 is still there after DeleteParameterIn")
	}
	if _, err := srv.JSON("ssm", "AmazonSSM.GetParameter", map[string]any{"Name": "/app/KEY"}); err != nil {
		t.Errorf("DeleteParameterIn eu-west-1 removed the parameter of %s: %v", srv.Region, err)
	}
	if _, err := srv.CreateUser("reader", ""); err != nil {
		t.Fatal(err)
	}
	motoserver.StopShared()
	if resp, err := http.Get(srv.Endpoint + "/moto-api/data.json"); err == nil {
		resp.Body.Close()
		t.Errorf("the emulator still answers after Stop")
	}
}
