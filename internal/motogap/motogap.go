// Package motogap fills, for tests, the gaps of moto 5.2 that the operator
// command needs: it stands in front of a moto_server, answers the AWS JSON
// operations a test registers, and forwards every other request to moto
// unchanged. What moto 5.2 lacks, and tests register here:
//
//   - CodeDeploy: deployments stay "Created" forever (no progression, no
//     instances), ListDeploymentTargets / BatchGetDeploymentTargets are not
//     implemented, and ListDeployments lists nothing, without an error, for
//     an application or group that does not exist;
//   - CodePipeline: GetPipelineState and ListPipelineExecutions are not
//     implemented, and GetPipeline writes its metadata times as strings;
//   - CodeConnections: not implemented at all;
//   - SSM: DescribeInstanceInformation is not implemented, and Run Command
//     runs nothing (GetCommandInvocation succeeds with empty output).
//
// A handler may build on moto's own answer with Forward, so the state moto
// keeps (the deployment a test created, its revision) stays the source.
package motogap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
)

// Handler answers one operation: body is the request's JSON, the result is
// marshalled as the response (an *Error becomes an AWS error response).
type Handler func(body map[string]any) (any, error)

// CallerHandler is a Handler that also receives the request's Authorization
// header, to forward the call as its caller (moto tells accounts apart by
// the access key).
type CallerHandler func(auth string, body map[string]any) (any, error)

// Error is an AWS JSON-protocol error response.
type Error struct {
	Status int
	Code   string
	Msg    string
}

func (e *Error) Error() string { return e.Code + ": " + e.Msg }

// Server is the gap filler. Its URL is the endpoint to give the SDK.
type Server struct {
	URL  string
	moto string
	srv  *httptest.Server

	mu       sync.Mutex
	handlers map[string]CallerHandler
	calls    map[string]int
}

// Start serves on a loopback port, forwarding to the moto endpoint.
func Start(moto string) (*Server, error) {
	target, err := url.Parse(moto)
	if err != nil {
		return nil, err
	}
	s := &Server{moto: moto, handlers: map[string]CallerHandler{}, calls: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Amz-Target")
		s.mu.Lock()
		h := s.handlers[op]
		s.calls[op]++
		s.mu.Unlock()
		if h == nil {
			proxy.ServeHTTP(w, r)
			return
		}
		serve(w, r, h)
	}))
	// "localhost" rather than 127.0.0.1, as for moto itself.
	u, _ := url.Parse(s.srv.URL)
	s.URL = "http://localhost:" + u.Port()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Handle registers h for the X-Amz-Target op, such as
// "CodePipeline_20150709.GetPipelineState"; a nil h forwards it to moto again.
func (s *Server) Handle(op string, h Handler) {
	if h == nil {
		s.HandleCaller(op, nil)
		return
	}
	s.HandleCaller(op, func(_ string, body map[string]any) (any, error) { return h(body) })
}

// HandleCaller is Handle for a handler that forwards as the caller.
func (s *Server) HandleCaller(op string, h CallerHandler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.handlers, op)
		return
	}
	s.handlers[op] = h
}

// Reset removes every handler and call count.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers = map[string]CallerHandler{}
	s.calls = map[string]int{}
}

// Calls tells how often op was requested (answered or forwarded).
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Forward sends op with body to moto, as its default account, and decodes
// its answer.
func (s *Server) Forward(service, op string, body any) (map[string]any, error) {
	return s.ForwardAs("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/"+service+
		"/aws4_request, SignedHeaders=host, Signature=0", op, body)
}

// ForwardAs is Forward with the caller's Authorization header, so that moto
// answers in the caller's account and Region. An AWS error moto answers
// with is an *Error, which a handler may return as it is.
func (s *Server) ForwardAs(auth, op string, body any) (map[string]any, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, s.moto+"/", bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", op)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		// moto's own AWS error goes back to the caller as it is.
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Type != "" {
			return nil, &Error{Status: resp.StatusCode, Code: e.Type, Msg: e.Message}
		}
		return nil, fmt.Errorf("moto %s: %s: %s", op, resp.Status, raw)
	}
	var out map[string]any
	return out, json.Unmarshal(raw, &out)
}

func serve(w http.ResponseWriter, r *http.Request, h CallerHandler) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
		writeJSON(w, http.StatusBadRequest, map[string]string{"__type": "SerializationException", "message": err.Error()})
		return
	}
	out, err := h(r.Header.Get("Authorization"), body)
	if err != nil {
		e, ok := err.(*Error)
		if !ok {
			e = &Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Msg: err.Error()}
		}
		writeJSON(w, e.Status, map[string]string{"__type": e.Code, "message": e.Msg})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
