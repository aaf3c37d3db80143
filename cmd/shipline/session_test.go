package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/shipline/shipline/internal/mdblock"
	"github.com/shipline/shipline/internal/modroot"
)

var sessionReadme = flag.String("session-readme", "", "rewrite the shipline session block of this Markdown file (make shipline-session)")

// The commits of the session's releases, oldest first.
const (
	commitExpired = "0c81f4e2d6a8b0c2e4f6a8b0c2d4e6f8a0b2c4d6"
	commitOld     = "51e0b7c3a9d24f6e8b1c5d7a9e3f2b4c6d8e0a1b"
	commitCur     = "7d4e91a0c2b35f6d7e8a9b0c1d2e3f4a5b6c7d8e"
	commitBroken  = "9f3c2a17e4b5d6c7a8b9c0d1e2f3a4b5c6d7e8f9"
)

// sessionWorld is the two-environment, two-account stack of the README's
// session: staging (two hosts) in the stack's account, production (one
// host) in targetAccount; four releases to staging, the newest failing on
// one host, two to production; the oldest bundle expired.
func (w *world) sessionWorld() (hosts []string, expiredDeployment string) {
	w.t.Helper()
	w.stackOf(envOutputs(otherAccount))
	w.storage()
	w.envPipelineInMoto()
	prod := w.clientsIn(otherAccount)
	w.targetProfiles()
	w.group(w.c, stagingApp, stagingGroup, "web-staging")
	w.group(prod, prodApp, prodGroup, "web-production")
	hosts = []string{w.host("web-staging", true), w.host("web-staging", true)}
	// moto's instance ids are random: the first in order is the one with
	// problems, so that the session reads the same on every run.
	slices.Sort(hosts)
	bad, good := hosts[0], hosts[1]
	prodHost := w.hostIn(prod, "web-production", false)

	expired, old, cur, broken := w.release(commitExpired), w.release(commitOld), w.release(commitCur), w.release(commitBroken)
	for _, b := range []build{expired, old, cur} {
		d := w.deployIn(w.c, stagingApp, stagingGroup, b, succeeded(2))
		w.hostTargets(d, map[string]string{bad: "Succeeded", good: "Succeeded"})
		if b.commit == commitExpired {
			expiredDeployment = d
		}
	}
	d := w.deployIn(w.c, stagingApp, stagingGroup, broken, deploymentState{status: "Failed", overview: map[string]int{"Succeeded": 1, "Failed": 1},
		err: "The overall deployment failed because too many individual instances failed deployment"})
	w.hostTargets(d, map[string]string{bad: "Failed", good: "Succeeded"})
	for _, b := range []build{old, cur} {
		d := w.deployIn(prod, prodApp, prodGroup, b, succeeded(1))
		w.hostTargets(d, map[string]string{prodHost: "Succeeded"})
	}
	_, err := w.c.S3.DeleteObject(w.ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucketName), Key: aws.String(expired.bundle.Key)})
	w.must(err)

	w.fillPipelineGaps(map[string]stageRun{
		"Source": {status: "Succeeded"}, "Build": {status: "Succeeded"},
		"Deploy-staging": {status: "Failed", message: "The deployment failed: 1 of 2 instances failed"},
	}, commitBroken, "Cache the session store")
	w.buildProjectWith(map[string]string{"PARAMETER_PATH": "/web/", "REQUIRED_SETTINGS": "DATABASE_URL SECRET_KEY_BASE",
		"PARAMETER_PATHS": stagingGroup + "=/web/staging/ " + prodGroup + "=/web/production/"})
	w.parameter("/web/staging/DATABASE_URL")
	w.parameter("/web/staging/SECRET_KEY_BASE")
	w.parameter("/web/production/DATABASE_URL")
	w.fillDoctorGaps("AVAILABLE", hosts, map[string]string{bad: "agent=running\ncredentials=present\n", good: "agent=running\ncredentials=absent\n"})
	now := time.Now()
	w.logLineIn(w.c, stagingLogs, "app/"+good+"/web-app-1", "I, [2026-12-01] INFO -- : Listening on http://0.0.0.0:8080", now.Add(-4*time.Minute))
	w.logLineIn(w.c, stagingLogs, "proxy/"+good+"/web-nginx-1", `10.0.1.17 - - "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"`, now.Add(-3*time.Minute))
	w.logLineIn(w.c, stagingLogs, "app/"+good+"/web-app-1", "I, [2026-12-01] INFO -- : Completed 200 OK in 12ms", now.Add(-2*time.Minute))
	w.logLineIn(w.c, logGroup, "app/"+good+"/web-app-1", "not staging's: the stack-wide group", now.Add(-time.Minute))
	return hosts, expiredDeployment
}

// TestReadmeSession runs the README's session of the shipline command
// against moto and compares it with the README, ids and times aside;
// -session-readme rewrites the README's copy.
func TestReadmeSession(t *testing.T) {
	w := newWorld(t)
	hosts, expired := w.sessionWorld()
	var b strings.Builder
	step := func(args ...string) {
		if slices.Contains(args, "rollback") && !slices.Contains(args, expired) {
			w.next = []deploymentState{
				{status: "Created"},
				{status: "InProgress", overview: map[string]int{"Pending": 1, "InProgress": 1}},
				{status: "InProgress", overview: map[string]int{"Succeeded": 1, "InProgress": 1}},
				succeeded(2),
			}
			w.nextTargets = []map[string]any{{"targetId": hosts[0], "status": "Succeeded"}, {"targetId": hosts[1], "status": "Succeeded"}}
		}
		var out bytes.Buffer
		// As a terminal shows them: progress (stderr) and outcome (stdout).
		run := append([]string(nil), args...)
		if args[0] == "rollback" || args[0] == "doctor" {
			run = append(run, "--poll", "10ms") // moto answers at once
		}
		code := runCommand(run, &out)
		fmt.Fprintf(&b, "$ shipline %s\n%s$ echo $?\n%d\n\n", strings.Join(args, " "), out.String(), code)
	}
	step("status")
	step("status", "--env", "production", "--target-profile", "production")
	step("releases")
	step("releases", "--env", "staging")
	step("rollback", "--env", "staging")
	step("logs", "--env", "staging", "--since", "10m")
	step("doctor", "--env", "staging")
	step("rollback", "--env", "staging", expired)
	session := "```text\n" + strings.TrimSuffix(b.String(), "\n") + "```\n"

	// What the session must show, whatever the README holds.
	for _, want := range []string{
		"Environment production (account 222222222222): deployment group web-production\n  not read: environment production is in account 222222222222",
		"shipline releases: stack ShiplineTest has 2 environments (staging, production): name one with --env\n$ echo $?\n2",
		"Rolling back web-staging (staging) to release 51e0b7c",
		"Completed 200 OK in 12ms\n$ echo $?\n0",
		"ok    settings     2 parameter(s) under /web/staging/, the 2 required present",
		"bundle expired: s3://web-artifacts/web-pipeline/BuildArtif/0c81f4e is gone",
	} {
		if !strings.Contains(session, want) {
			t.Errorf("the session lacks %q:\n%s", want, session)
		}
	}
	if strings.Contains(session, "stack-wide") {
		t.Errorf("logs --env staging read the stack-wide group:\n%s", session)
	}

	readme := *sessionReadme
	if readme == "" {
		root, err := modroot.Find()
		if err != nil {
			t.Fatal(err)
		}
		readme = root + "/README.md"
	}
	doc, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	if *sessionReadme != "" {
		out, err := mdblock.ShiplineSession.Replace(string(doc), session)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(readme, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := mdblock.ShiplineSession.Content(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sessionShape(session), sessionShape(have); got != want {
		t.Errorf("README.md's shipline session is stale: run `make shipline-session`.\nnow:\n%s\nREADME:\n%s", got, want)
	}
}

func runCommand(args []string, out *bytes.Buffer) int {
	return run(context.Background(), args, out, out)
}

// volatile are what differs between two runs: moto's ids, the clock.
var volatile = []struct {
	re   *regexp.Regexp
	mask string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "<deployment>"},
	{regexp.MustCompile(`\bi-[0-9a-f]{17}\b`), "<instance>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), "<time>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC`), "<time>"},
	{regexp.MustCompile(`\b\d\d:\d\d:\d\d\b`), "<time>"},
	{regexp.MustCompile(` +`), " "}, // columns widen with their content
}

// sessionShape is the session with its volatile parts masked.
func sessionShape(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.mask)
	}
	return s
}
