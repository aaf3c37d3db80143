package bundle_test

import (
	"bytes"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/shipline/shipline/internal/motoserver"
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
	{"/web/DB_PASSWORD", "SecureString", `p@ss word's "x" $HOME \n`, "DB_PASSWORD"},
	// Deeper parameters are not settings: the host reads one level.
	{"/web/nested/IGNORED", "String", "not read", ""},
	{"/web/feature-flags.beta", "String", "a=b#c", "FEATURE_FLAGS_BETA"},
	{"/web/MULTI", "String", "  line 1\n\tline \"2\" ${X} \\\\\ndone ", "MULTI"},
	// Build secrets live under build/ and never reach the app.
	{"/web/build/NPM_TOKEN", "SecureString", "s3cr3t-build-token", ""},
	// A short path keeps the end-to-end runs fast (one read per parameter).
	{"/small/APP_PORT", "String", "8080", "APP_PORT"},
}

// otherRegion holds an environment's parameters in another Region: the same
// path as in testRegion, other values.
const otherRegion = "eu-west-1"

var otherRegionParams = map[string]string{"/small/APP_PORT": "8443", "/small/REGION": otherRegion}

// moto is the local AWS API emulator shared by the tests.
var moto struct {
	*motoserver.Server
	endpoint string // http://localhost:PORT, "" when not running
	denied   iamKey // identity with no permissions
	ecrOnly  iamKey // identity that may log in to ECR but not read SSM
}

type iamKey struct{ id, secret string }

// awsDir is the directory of the aws CLI's executable when it sits behind a
// pyenv shim; "" otherwise.
var awsDir string

func ciMode() bool { return motoserver.CI() }

func TestMain(m *testing.M) {
	// pyenv's shims cost a process or two per call: put the real aws CLI first.
	awsDir = motoserver.AWSCLIDir()
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

var (
	seedOnce sync.Once
	seedErr  error
)

// requireMoto starts the emulator on first use (so tests that need none stay
// fast) and seeds it, and skips the test when it is not available, or fails
// it under CI.
func requireMoto(t *testing.T) {
	t.Helper()
	srv := motoserver.Shared(t)
	seedOnce.Do(func() {
		moto.Server = srv
		if seedErr = seed(srv); seedErr == nil {
			moto.endpoint = srv.Endpoint
		}
	})
	if seedErr != nil {
		t.Fatalf("seeding the AWS emulator: %v", seedErr)
	}
	motoserver.RequireAWSCLI(t)
}

func seed(srv *motoserver.Server) error {
	for _, p := range seededParams {
		if err := srv.PutParameter(p.name, p.typ, p.value); err != nil {
			return err
		}
	}
	for name, value := range otherRegionParams {
		if err := srv.PutParameterIn(otherRegion, name, "String", value); err != nil {
			return err
		}
	}
	if err := srv.CreateRepository(testApp); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPut, srv.Endpoint+"/"+testBucket, nil)
	if err != nil {
		return err
	}
	if _, err := srv.Do("s3", req); err != nil {
		return err
	}
	if moto.denied, err = createUser(srv, "nobody", ""); err != nil {
		return err
	}
	moto.ecrOnly, err = createUser(srv, "ecr-only",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:*","Resource":"*"}]}`)
	return err
}

func createUser(srv *motoserver.Server, name, policy string) (iamKey, error) {
	k, err := srv.CreateUser(name, policy)
	return iamKey{k.ID, k.Secret}, err
}

// enforceAuth makes the emulator check credentials and IAM policies until the
// test ends.
func enforceAuth(t *testing.T) {
	t.Helper()
	if err := moto.EnforceAuth(true); err != nil {
		t.Fatalf("enforcing IAM in the emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := moto.EnforceAuth(false); err != nil {
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
	if _, err := moto.Do("s3", req); err != nil {
		t.Fatal(err)
	}
	return "s3://" + testBucket + "/" + key
}
