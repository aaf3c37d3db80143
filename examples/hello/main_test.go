package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(newHandler("hi"))
	defer srv.Close()
	cases := []struct {
		path string
		code int
		body string
	}{
		{"/health", http.StatusOK, "ok\n"},
		{"/", http.StatusOK, "hi\n"},
		{"/nope", http.StatusNotFound, ""},
	}
	for _, tc := range cases {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || (tc.body != "" && string(body) != tc.body) {
			t.Errorf("GET %s: %d %q, want %d %q", tc.path, resp.StatusCode, body, tc.code, tc.body)
		}
	}
	if err := probe(srv.URL + "/health"); err != nil {
		t.Errorf("probe of a healthy server: %v", err)
	}
	if err := probe(srv.URL + "/nope"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("probe of a missing path: %v, want a 404 error", err)
	}
}

func TestPort(t *testing.T) {
	t.Setenv("APP_PORT", "")
	if got := port(); got != "8080" {
		t.Errorf("default port %q, want 8080", got)
	}
	t.Setenv("APP_PORT", "9090")
	if got := port(); got != "9090" {
		t.Errorf("port %q, want 9090", got)
	}
}
