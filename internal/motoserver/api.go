package motoserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// JSON calls a JSON-protocol AWS API (SSM, ECR, ...) with the given
// X-Amz-Target, for example JSON("ssm", "AmazonSSM.PutParameter", body). The
// emulator does not check signatures while authorization is not enforced.
func (s *Server) JSON(service, target string, body any) ([]byte, error) {
	return s.JSONIn(s.Region, service, target, body)
}

// JSONIn is JSON in another Region: moto keeps each Region's resources
// apart, by the Region a request is signed for.
func (s *Server) JSONIn(region, service, target string, body any) ([]byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, s.Endpoint+"/", bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	return s.do(region, service, req)
}

// Query calls a query-protocol AWS API (IAM, STS, ...).
func (s *Server) Query(service string, params url.Values) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, s.Endpoint+"/", strings.NewReader(params.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.Do(service, req)
}

// Do sends req with an unsigned authorization header naming service, and
// returns the body; a non-2xx status is an error carrying the body.
func (s *Server) Do(service string, req *http.Request) ([]byte, error) {
	return s.do(s.Region, service, req)
}

func (s *Server) do(region, service string, req *http.Request) ([]byte, error) {
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20240101/"+region+"/"+service+
		"/aws4_request, SignedHeaders=host, Signature=0")
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

// PutParameter writes (or overwrites) an SSM parameter; typ is String,
// StringList or SecureString.
func (s *Server) PutParameter(name, typ, value string) error {
	return s.PutParameterIn(s.Region, name, typ, value)
}

// PutParameterIn is PutParameter in another Region.
func (s *Server) PutParameterIn(region, name, typ, value string) error {
	_, err := s.JSONIn(region, "ssm", "AmazonSSM.PutParameter", map[string]any{
		"Name": name, "Type": typ, "Value": value, "Overwrite": true})
	return err
}

// DeleteParameter removes an SSM parameter.
func (s *Server) DeleteParameter(name string) error {
	return s.DeleteParameterIn(s.Region, name)
}

// DeleteParameterIn is DeleteParameter in another Region.
func (s *Server) DeleteParameterIn(region, name string) error {
	_, err := s.JSONIn(region, "ssm", "AmazonSSM.DeleteParameter", map[string]any{"Name": name})
	return err
}

// CreateRepository creates an ECR repository.
func (s *Server) CreateRepository(name string) error {
	_, err := s.JSON("ecr", "AmazonEC2ContainerRegistry_V20150921.CreateRepository",
		map[string]any{"repositoryName": name})
	return err
}

// AccessKey is an IAM user's access key.
type AccessKey struct{ ID, Secret string }

// CreateUser creates an IAM user with an inline policy (none when policy is
// empty) and returns a new access key for it.
func (s *Server) CreateUser(name, policy string) (AccessKey, error) {
	iam := func(v url.Values) ([]byte, error) {
		v.Set("Version", "2010-05-08")
		return s.Query("iam", v)
	}
	if _, err := iam(url.Values{"Action": {"CreateUser"}, "UserName": {name}}); err != nil {
		return AccessKey{}, err
	}
	if policy != "" {
		_, err := iam(url.Values{"Action": {"PutUserPolicy"}, "UserName": {name},
			"PolicyName": {"inline"}, "PolicyDocument": {policy}})
		if err != nil {
			return AccessKey{}, err
		}
	}
	out, err := iam(url.Values{"Action": {"CreateAccessKey"}, "UserName": {name}})
	if err != nil {
		return AccessKey{}, err
	}
	k := AccessKey{between(out, "<AccessKeyId>", "</AccessKeyId>"), between(out, "<SecretAccessKey>", "</SecretAccessKey>")}
	if k.ID == "" || k.Secret == "" {
		return AccessKey{}, fmt.Errorf("no access key in %s", out)
	}
	return k, nil
}

func between(b []byte, open, close string) string {
	_, rest, ok := strings.Cut(string(b), open)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, close)
	return v
}

// EnforceAuth makes the emulator check credentials and IAM policies (on) or
// accept every request (off, the default).
func (s *Server) EnforceAuth(on bool) error {
	v := "inf"
	if on {
		v = "0"
	}
	req, err := http.NewRequest(http.MethodPost, s.Endpoint+"/moto-api/reset-auth", strings.NewReader(v))
	if err != nil {
		return err
	}
	_, err = s.Do("iam", req)
	return err
}
