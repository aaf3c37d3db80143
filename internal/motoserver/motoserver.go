// Package motoserver starts and stops moto_server, a local AWS API emulator,
// for tests: on a free loopback port, reached as http://localhost:PORT (the
// AWS CLI misreads some URLs when the endpoint is an IP address).
package motoserver

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Server is a running moto_server.
type Server struct {
	// Endpoint is http://localhost:PORT, the value for AWS_ENDPOINT_URL.
	Endpoint string
	// Region is the region the helper requests are signed for.
	Region string

	cmd  *exec.Cmd
	done chan struct{}
	log  bytes.Buffer
	stop sync.Once
}

// readyTimeout bounds the wait for a first answer: moto imports every
// service's models at start, which takes seconds on a busy machine.
const readyTimeout = 60 * time.Second

// Start runs moto_server (found on PATH) on a free 127.0.0.1 port and waits
// until it answers. Stop ends it.
func Start() (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, errors.New("moto_server not on PATH")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Endpoint: "http://localhost:" + strconv.Itoa(port),
		Region:   "us-east-1",
		done:     make(chan struct{}),
	}
	s.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	// A pyenv shim runs moto in a child process: give it a process group so
	// that Stop ends both.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(port); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(port int) error {
	probe := "http://127.0.0.1:" + strconv.Itoa(port) + "/moto-api/data.json"
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := http.Get(probe)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("moto_server exited before answering: %s", s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto_server did not answer on port %d within %s: %s", port, readyTimeout, s.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop ends the server's process group (SIGTERM, then SIGKILL after 5 s) and
// waits for it. It is safe to call more than once.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.stop.Do(func() {
		pgid := -s.cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(pgid, syscall.SIGKILL)
			<-s.done
		}
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
