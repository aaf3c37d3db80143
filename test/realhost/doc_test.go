// Package realhost_test runs the deploy bundle on a real Docker engine, as
// the CodeDeploy agent runs it on an EC2 host, and measures what users see
// while releases go out.
//
// The test bed (test/engine/up.sh) brings up what is missing: a Docker
// engine of its own unless DOCKER_HOST or /var/run/docker.sock answers, an
// image registry on 127.0.0.1 standing in for ECR, and the Compose v2 plugin
// (make compose-plugin). moto_server answers the hooks' AWS calls (ECR login
// token, Parameter Store). The images are built here: the test app
// (testapp/, FROM scratch) and a stand-in for the official nginx image made
// of Debian's nginx and busybox.
//
// A scenario (scenario_test.go) is one simulated host: its parameters, its
// release images, revisions rendered by the managed buildspec's post_build
// commands, and deployments run by internal/agentsim. A Load (load_test.go)
// sends requests to the host's HTTP port while a deployment runs; each
// scenario records its Figures, printed as one table at the end of the run
// and written to out/figures.md.
//
// A scenario reads like this:
//
//	s := newScenario(t, "redeploy")                      // a fresh host, app "sl-redeploy"
//	s.mustDeploy(s.revision(s.release(release{Version: "v1"})))
//	rev2 := s.render(s.release(release{Version: "v2"}), map[string]string{"HEALTH_TIMEOUT": "30"}, nil)
//	r := s.underLoad(func() { s.measure(s.mustDeploy(rev2)) })
//	if r.Failed > 0 { ... }                              // what users saw
//	s.requireServing("v2")
//
// Without the prerequisites the tests skip, except under CI=true where they
// fail.
package realhost_test
