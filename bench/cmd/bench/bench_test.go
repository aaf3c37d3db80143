package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSeriesMedian(t *testing.T) {
	s := series{3 * time.Second, time.Second, 2 * time.Second}
	if got := s.median(); got != 2*time.Second {
		t.Errorf("median of 1,2,3 s = %v, want 2s", got)
	}
	s = append(s, 4*time.Second)
	if got := s.median(); got != 2500*time.Millisecond {
		t.Errorf("median of 1,2,3,4 s = %v, want 2.5s", got)
	}
	if s.min() != time.Second || s.max() != 4*time.Second {
		t.Errorf("min, max = %v, %v, want 1s, 4s", s.min(), s.max())
	}
	if (series{}).median() != 0 {
		t.Error("median of nothing is not 0")
	}
}

func TestMergeEnvOverrides(t *testing.T) {
	got := mergeEnv([]string{"A=1", "B=2"}, []string{"B=3", "C=4"})
	want := "A=1 B=3 C=4"
	if strings.Join(got, " ") != want {
		t.Errorf("mergeEnv = %v, want %s", got, want)
	}
}

func TestTypeCountsAndDiff(t *testing.T) {
	tmpl := map[string]any{"Resources": map[string]any{
		"A": map[string]any{"Type": "AWS::IAM::Role"},
		"B": map[string]any{"Type": "AWS::IAM::Role"},
		"C": map[string]any{"Type": "AWS::S3::Bucket"},
	}}
	got := typeCounts(tmpl)
	if got["AWS::IAM::Role"] != 2 || got["AWS::S3::Bucket"] != 1 || len(got) != 2 {
		t.Fatalf("typeCounts = %v", got)
	}
	diff := countDiff(got, map[string]int{"AWS::IAM::Role": 2, "AWS::SNS::Topic": 1})
	want := "  AWS::S3::Bucket: Go 1, JS 0\n  AWS::SNS::Topic: Go 0, JS 1"
	if diff != want {
		t.Errorf("countDiff =\n%s\nwant\n%s", diff, want)
	}
}

func TestCountTrace(t *testing.T) {
	// What the jsii runtime writes to stderr under JSII_DEBUG: JSON lines
	// whose "stderr" field holds base64 text.
	text := strings.Join([]string{
		`> {"api":"load","name":"aws-cdk-lib","version":"2.276.0","tarball":"/tmp/x.tgz"}`,
		`[@jsii/kernel] load { api: 'load' }`,
		`< {"ok":{"assembly":"aws-cdk-lib","types":1}}`,
		`> {"api":"create","fqn":"aws-cdk-lib.App","args":[null]}`,
		`< {"callback":{"cbid":"jsii::callback::1"}}`,
		`> {"complete":{"cbid":"jsii::callback::1"}}`,
		`> {"api":"invoke","objref":{"$jsii.byref":"aws-cdk-lib.App@10000"},"method":"synth","args":[]}`,
		`> {"api":"sinvoke","fqn":"aws-cdk-lib.assertions.Template","method":"fromStack","args":[]}`,
	}, "\n") + "\n"
	line := `{"stderr":"` + base64.StdEncoding.EncodeToString([]byte(text)) + `"}`
	path := filepath.Join(t.TempDir(), "trace")
	if err := os.WriteFile(path, []byte(line+"\n"+"{\"stderr\":\"\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := countTrace(path)
	want := traceCounts{requests: 5, loads: 1, synths: 2, callbacks: 1}
	if got != want {
		t.Errorf("countTrace = %+v, want %+v", got, want)
	}
}

func TestPackageLine(t *testing.T) {
	for line, want := range map[string]string{
		"ok  \tgithub.com/shipline/shipline/bundle\t43.000s":                    "43.000",
		"FAIL\tgithub.com/shipline/shipline/constructs/releasepipeline\t3.487s": "3.487",
		"?   \tgithub.com/shipline/shipline/bin\t[no test files]":               "",
		"ok  \tgithub.com/shipline/shipline/test\t(cached)":                     "",
	} {
		m := rePkgLine.FindStringSubmatch(line)
		got := ""
		if m != nil {
			got = m[3]
		}
		if got != want {
			t.Errorf("%q: seconds %q, want %q", line, got, want)
		}
	}
}
