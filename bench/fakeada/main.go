// Command fakeada is the Ada of the child-process benchmark: it answers the
// end-user lookups lookup_end_user makes with one fixed end user, checks the
// Bearer key, and counts what it served. It runs in its own process so its
// CPU is never the servers'.
//
// It prints its base URL (http://127.0.0.1:PORT/api) on stdout once it
// listens, and stops when its stdin closes.
package main

import (
	"crypto/subtle"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/ada-mcp/ada-mcp/bench/internal/fixture"
)

const (
	unauthorized = `{"errors":[{"type":"unauthorized","message":"Invalid API key."}]}`
	notFound     = `{"errors":[{"type":"not_found","message":"Not found."}]}`
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	key := os.Getenv("FAKEADA_KEY")
	if key == "" {
		fmt.Fprintln(os.Stderr, "fakeada: set FAKEADA_KEY")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeada:", err)
		os.Exit(1)
	}
	var served atomic.Int64
	srv := &http.Server{Handler: handler(key, &served)}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("http://%s/api\n", ln.Addr())
	// The benchmark holds our stdin: when it goes, so do we.
	_, _ = io.Copy(io.Discard, os.Stdin)
	srv.Close()
}

func handler(key string, served *atomic.Int64) http.Handler {
	want := []byte("Bearer " + key)
	body := []byte(fixture.EndUser)
	mux := http.NewServeMux()
	user := func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			reply(w, http.StatusUnauthorized, []byte(unauthorized))
			return
		}
		// Only the lookup by external_id and by id: anything else is a
		// mistake in the benchmark, and a 404 shows it.
		if r.URL.Path == "/api/v2/end-users/" && r.URL.Query().Get("external_id") == "" {
			reply(w, http.StatusNotFound, []byte(notFound))
			return
		}
		served.Add(1)
		reply(w, http.StatusOK, body)
	}
	mux.HandleFunc("GET /api/v2/end-users/{$}", user)
	mux.HandleFunc("GET /api/v2/end-users/{id}", user)
	// How many end users were served: the benchmark checks one per call.
	mux.HandleFunc("GET /_served", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusOK, []byte(strconv.FormatInt(served.Load(), 10)))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusNotFound, []byte(notFound))
	})
	return mux
}

func reply(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
