package bundle_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAfterInstallLogging: with a log group for the deployment group, every
// service of the compose file logs through the awslogs driver, in
// non-blocking mode, to a stream of its own; a throwaway container started
// with those options first; the compose file loads with the override. A
// daemon that cannot start the driver leaves Docker's own logging.
func TestAfterInstallLogging(t *testing.T) {
	requireMoto(t)
	cases := []struct {
		name     string
		release  map[string]string
		env      []string
		group    string // want this group, "" for no override
		region   string // want the group in this Region
		warnings []string
	}{
		{"environment's group", map[string]string{"LOG_GROUP": "", "LOG_GROUPS": "web-staging=/shipline/web/staging web-production=web-prod-logs"},
			[]string{"DEPLOYMENT_GROUP_NAME=web-production"}, "web-prod-logs", testRegion, nil},
		{"environment in another Region", map[string]string{"LOG_GROUPS": "web-production=/shipline/web/production",
			"PARAMETER_PATHS": "web-production=/small/", "REGIONS": "web-staging=" + testRegion + " web-production=" + otherRegion},
			[]string{"DEPLOYMENT_GROUP_NAME=web-production"}, "/shipline/web/production", otherRegion, nil},
		{"the one group", map[string]string{"LOG_GROUP": "PipelineStack-AppLogs-Ab3dE5"}, nil, "PipelineStack-AppLogs-Ab3dE5", testRegion, nil},
		{"test endpoint", map[string]string{"LOG_GROUP": "g"}, []string{"SHIPLINE_LOGS_ENDPOINT=http://127.0.0.1:5000"}, "g", testRegion, nil},
		{"no log group", nil, nil, "", "", nil},
		{"no pair for this group", map[string]string{"LOG_GROUPS": "web-staging=/shipline/web/staging"}, []string{"DEPLOYMENT_GROUP_NAME=web-qa"}, "", "",
			[]string{"WARNING [AfterInstall]: LOG_GROUPS names no log group for deployment group 'web-qa'", "deploy the stack again"}},
		{"daemon refuses the driver", map[string]string{"LOG_GROUP": "g"}, []string{"STUB_DOCKER_AWSLOGS_FAIL=failed to initialize logging driver: could not find region"}, "", "",
			[]string{"WARNING [AfterInstall]: the docker daemon refuses the awslogs driver (docker: Error response from daemon: failed to initialize logging driver: could not find region.)",
				"logs to Docker's own logs on this host only", "Docker 20.10 or later"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHost(t)
			rel := defaultRelease()
			for k, v := range tc.release {
				rel[k] = v
			}
			h.writeRevision(rel)
			h.install()
			r := h.run("after-install.sh", append([]string{"STUB_COMPOSE_SERVICES=app nginx worker"}, tc.env...)...)
			if r.code != 0 {
				t.Fatalf("exit %d, want 0", r.code)
			}
			for _, w := range tc.warnings {
				if !strings.Contains(r.out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			file := filepath.Join(h.releaseDir(), "logging.yml")
			data, err := os.ReadFile(file)
			if tc.group == "" {
				if err == nil {
					t.Errorf("logging.yml written without a usable log group:\n%s", data)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkLogging(t, string(data), tc.group, tc.region, tc.env)
			if want := "the services log to CloudWatch Logs group " + tc.group + " in " + tc.region + " "; !strings.Contains(r.out, want) {
				t.Errorf("output lacks %q", want)
			}
			calls := strings.Join(h.calls(), "\n")
			check := regexp.MustCompile(`(?m)^docker run --rm --network none --log-driver awslogs --log-opt awslogs-region=` + regexp.QuoteMeta(tc.region) +
				` --log-opt awslogs-group=` + regexp.QuoteMeta(tc.group) + ` .*--log-opt mode=non-blocking`)
			if !check.MatchString(calls) {
				t.Errorf("no container was started with the driver's options first:\n%s", calls)
			}
			if !strings.Contains(calls, "--file "+file+" --env-file "+filepath.Join(h.releaseDir(), "settings.env")+" config --quiet") {
				t.Errorf("the compose file was not loaded with the override:\n%s", calls)
			}
		})
	}
}

// checkLogging checks the override: each service, its driver and options.
func checkLogging(t *testing.T, data, group, region string, env []string) {
	t.Helper()
	id := strings.TrimPrefix(testDigest, "sha256:")[:12]
	services := regexp.MustCompile(`(?m)^  "([a-z]+)":\n    logging:\n      driver: awslogs\n      options:\n((?:        .*\n)+)`).FindAllStringSubmatch(data, -1)
	if len(services) != 3 {
		t.Fatalf("logging.yml: want app, nginx and worker with the awslogs driver, got:\n%s", data)
	}
	for _, s := range services {
		opts := s[2]
		for _, w := range []string{`awslogs-group: "` + group + `"`, `awslogs-region: "` + region + `"`, `awslogs-create-group: "false"`,
			`mode: "non-blocking"`, `max-buffer-size: "4m"`} {
			if !strings.Contains(opts, w) {
				t.Errorf("service %s: options lack %s:\n%s", s[1], w, opts)
			}
		}
		stream := regexp.MustCompile(`awslogs-stream: "([^"]+)"`).FindStringSubmatch(opts)
		want := "/" + s[1]
		if s[1] == "app" {
			want += "/" + id
		}
		if stream == nil || !strings.HasSuffix(stream[1], want) || strings.ContainsAny(stream[1], ":*") || strings.HasPrefix(stream[1], "/") {
			t.Errorf("service %s: stream %v, want <host>%s", s[1], stream, want)
		}
		endpoint := strings.Contains(opts, `awslogs-endpoint: "http://127.0.0.1:5000"`)
		if wantEndpoint := strings.Contains(strings.Join(env, " "), "SHIPLINE_LOGS_ENDPOINT"); endpoint != wantEndpoint {
			t.Errorf("service %s: endpoint set %v, want %v", s[1], endpoint, wantEndpoint)
		}
	}
}
