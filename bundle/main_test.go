package bundle_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
	testApp     = "web"
	testBucket  = "shipline-assets"
	testRepoURI = testAccount + ".dkr.ecr." + testRegion + ".amazonaws.com/" + testApp
)

// seededParams are written under /web/ in the emulator; the values exercise
// quoting in .env.
var seededParams = []struct {
	name, typ, value, key string
}{
	{"/web/APP_PORT", "String", "8080", "APP_PORT"},
	{"/web/HTTP_PORT", "String", "8081", "HTTP_PORT"},
	{"/web/HEALTH_CHECK_PATH", "String", "/healthz", "HEALTH_CHECK_PATH"},
	{"/web/db/password", "SecureString", `p@ss word's "x" $HOME \n`, "DB_PASSWORD"},
	{"/web/feature-flags.beta", "String", "a=b#c", "FEATURE_FLAGS_BETA"},
	// A short path keeps the end-to-end runs fast (one read per parameter).
	{"/small/APP_PORT", "String", "8080", "APP_PORT"},
}

// moto is the local AWS API emulator shared by the tests.
var moto struct {
	endpoint string // http://localhost:PORT, "" when not running
	skip     string // why the emulator tests are skipped
	denied   iamKey // identity with no permissions
	ecrOnly  iamKey // identity that may log in to ECR but not read SSM
}

type iamKey struct{ id, secret string }

// awsDir is the directory of the aws CLI's executable when it sits behind a
// pyenv shim; "" otherwise.
var awsDir string

func ciMode() bool { return os.Getenv("CI") == "true" }

func TestMain(m *testing.M) {
	// pyenv's shims cost a process or two per call: put the real aws CLI first.
	if out, err := exec.Command("pyenv", "which", "aws").Output(); err == nil {
		awsDir = filepath.Dir(strings.TrimSpace(string(out)))
	}
	code := m.Run()
	if motoStop != nil {
		motoStop()
	}
	os.Exit(code)
}

var (
	motoOnce sync.Once
	motoStop func()
)

// requireMoto starts the emulator on first use (so tests that need none stay
// fast), and skips the test when it is not available, or fails it under CI.
func requireMoto(t *testing.T) {
	t.Helper()
	motoOnce.Do(func() {
		stop, err := startMoto()
		if err != nil {
			moto.skip = "AWS emulator not available (" + err.Error() + "); install moto[server] to run these tests"
			return
		}
		motoStop = stop
	})
	if moto.endpoint == "" {
		if ciMode() {
			t.Fatal("the AWS emulator is required in CI: " + moto.skip)
		}
		t.Skip(moto.skip)
	}
	if _, err := exec.LookPath("aws"); err != nil {
		if ciMode() {
			t.Fatal("the aws CLI is required in CI (pip install awscli)")
		}
		t.Skip("aws CLI not on PATH; install awscli to run this test")
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startMoto() (func(), error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server not on PATH")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	var logBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		// The shim runs moto in a child: end the whole process group.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	endpoint := fmt.Sprintf("http://localhost:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://127.0.0.1:" + fmt.Sprint(port) + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("moto_server did not answer on port %d: %s", port, logBuf.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	moto.endpoint = endpoint
	if err := seed(); err != nil {
		stop()
		moto.endpoint = ""
		return nil, fmt.Errorf("seeding the emulator: %w", err)
	}
	return stop, nil
}

// awsJSON calls a JSON-protocol AWS API on the emulator. The emulator does not
// check signatures while authorization is not enforced.
func awsJSON(service, target string, body any) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, moto.endpoint+"/", bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Authorization", fakeAuth(service))
	return do(req)
}

func fakeAuth(service string) string {
	return "AWS4-HMAC-SHA256 Credential=testing/20240101/" + testRegion + "/" + service +
		"/aws4_request, SignedHeaders=host, Signature=0"
}

func do(req *http.Request) ([]byte, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return out, fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, out)
	}
	return out, nil
}

// iamQuery calls the IAM query API on the emulator.
func iamQuery(params url.Values) ([]byte, error) {
	params.Set("Version", "2010-05-08")
	req, err := http.NewRequest(http.MethodPost, moto.endpoint+"/", strings.NewReader(params.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", fakeAuth("iam"))
	return do(req)
}

func createUser(name, policy string) (iamKey, error) {
	if _, err := iamQuery(url.Values{"Action": {"CreateUser"}, "UserName": {name}}); err != nil {
		return iamKey{}, err
	}
	if policy != "" {
		_, err := iamQuery(url.Values{"Action": {"PutUserPolicy"}, "UserName": {name},
			"PolicyName": {"inline"}, "PolicyDocument": {policy}})
		if err != nil {
			return iamKey{}, err
		}
	}
	out, err := iamQuery(url.Values{"Action": {"CreateAccessKey"}, "UserName": {name}})
	if err != nil {
		return iamKey{}, err
	}
	s := string(out)
	between := func(open, close string) string {
		i := strings.Index(s, open)
		if i < 0 {
			return ""
		}
		rest := s[i+len(open):]
		j := strings.Index(rest, close)
		if j < 0 {
			return ""
		}
		return rest[:j]
	}
	k := iamKey{between("<AccessKeyId>", "</AccessKeyId>"), between("<SecretAccessKey>", "</SecretAccessKey>")}
	if k.id == "" || k.secret == "" {
		return iamKey{}, fmt.Errorf("no access key in %s", s)
	}
	return k, nil
}

func seed() error {
	for _, p := range seededParams {
		_, err := awsJSON("ssm", "AmazonSSM.PutParameter", map[string]any{
			"Name": p.name, "Type": p.typ, "Value": p.value, "Overwrite": true})
		if err != nil {
			return err
		}
	}
	if _, err := awsJSON("ecr", "AmazonEC2ContainerRegistry_V20150921.CreateRepository",
		map[string]any{"repositoryName": testApp}); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPut, moto.endpoint+"/"+testBucket, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", fakeAuth("s3"))
	if _, err := do(req); err != nil {
		return err
	}
	if moto.denied, err = createUser("nobody", ""); err != nil {
		return err
	}
	moto.ecrOnly, err = createUser("ecr-only",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}`)
	return err
}

// enforceAuth makes the emulator check credentials and IAM policies until the
// test ends.
func enforceAuth(t *testing.T) {
	t.Helper()
	set := func(v string) error {
		req, err := http.NewRequest(http.MethodPost, moto.endpoint+"/moto-api/reset-auth", strings.NewReader(v))
		if err != nil {
			return err
		}
		_, err = do(req)
		return err
	}
	if err := set("0"); err != nil {
		t.Fatalf("enforcing IAM in the emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := set("inf"); err != nil {
			t.Errorf("relaxing IAM in the emulator: %v", err)
		}
	})
}

// putObject uploads data to the emulator's S3.
func putObject(t *testing.T, key string, data []byte) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, moto.endpoint+"/"+testBucket+"/"+key, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", fakeAuth("s3"))
	if _, err := do(req); err != nil {
		t.Fatal(err)
	}
	return "s3://" + testBucket + "/" + key
}
