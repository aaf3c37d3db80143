// Command testapp is the app the real-engine tests deploy: a static HTTP
// server that fits in a FROM scratch image.
//
// Its release is described by /release (key=value lines baked into the
// image): version (answered on / and /version), health=fail (the health
// check answers 503, a release that never turns healthy), exit=N (the
// process exits with N at start, a release that crashes).
//
// It listens on $APP_PORT (default 8080) and serves:
//
//	/          the version, one line
//	/health    200 "ok", or 503 with health=fail; also $HEALTH_CHECK_PATH
//	/env       its environment as a JSON object, for byte-exact checks
//	/sleep?ms= answers after ms milliseconds (a long request)
//
// With -check it GETs its own /health once and exits 0 when healthy: a
// HEALTHCHECK command for an image without a shell.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	check := flag.Bool("check", false, "GET /health once and exit 0 when healthy")
	releaseFile := flag.String("release", "/release", "file describing the release")
	flag.Parse()
	port := os.Getenv("APP_PORT")
	if port == "" {
		port = "8080"
	}
	if *check {
		os.Exit(healthCheck(port))
	}
	rel, err := readRelease(*releaseFile)
	if err != nil {
		log.Fatal(err)
	}
	if code := rel["exit"]; code != "" {
		n, _ := strconv.Atoi(code)
		log.Printf("release %s exits with %d at start", rel["version"], n)
		os.Exit(n)
	}
	srv := &http.Server{Addr: ":" + port, Handler: handler(rel), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("release %s listening on :%s", rel["version"], port)
	serve(srv)
}

// serve runs srv until SIGTERM or SIGINT, then lets requests in flight finish,
// as a well-behaved app does when docker stops it.
func serve(srv *http.Server) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		log.Fatal(err)
	case <-ctx.Done():
	}
	log.Print("stopping: finishing requests in flight")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Print(err)
	}
}

func readRelease(name string) (map[string]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rel := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			rel[k] = v
		}
	}
	return rel, sc.Err()
}

func handler(rel map[string]string) http.Handler {
	healthy := rel["health"] != "fail"
	mux := http.NewServeMux()
	health := func(w http.ResponseWriter, _ *http.Request) {
		if !healthy {
			http.Error(w, "unhealthy (release built with health=fail)", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	}
	mux.HandleFunc("/health", health)
	if p := os.Getenv("HEALTH_CHECK_PATH"); strings.HasPrefix(p, "/") && p != "/health" && p != "/" {
		mux.HandleFunc(p, health)
	}
	mux.HandleFunc("/version", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, rel["version"]) })
	mux.HandleFunc("/env", func(w http.ResponseWriter, _ *http.Request) {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(env)
	})
	mux.HandleFunc("/sleep", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintln(w, rel["version"])
	})
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, rel["version"]) })
	return mux
}

func healthCheck(port string) int {
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://127.0.0.1:" + port + "/health")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, resp.Status)
		return 1
	}
	return 0
}
