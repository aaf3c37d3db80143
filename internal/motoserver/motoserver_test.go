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
	if _, err := srv.CreateUser("reader", ""); err != nil {
		t.Fatal(err)
	}
	motoserver.StopShared()
	if resp, err := http.Get(srv.Endpoint + "/moto-api/data.json"); err == nil {
		resp.Body.Close()
		t.Errorf("the emulator still answers after Stop")
	}
}
