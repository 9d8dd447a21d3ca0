package adasim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server is a simulator served over HTTP on a TCP listener.
type Server struct {
	Sim     *Sim
	URL     string // "http://127.0.0.1:PORT"
	BaseURL string // URL + "/api": what a client uses as Ada's base URL

	ln        net.Listener
	srv       *http.Server
	served    chan struct{} // closed when Serve has returned
	closeOnce sync.Once
	closeErr  error
}

// shutdownTimeout is how long Close waits for requests in flight before cutting them.
const shutdownTimeout = 2 * time.Second

// Listen serves sim on addr ("" means "127.0.0.1:0": a free loopback port) until Close.
func Listen(addr string, sim *Sim) (*Server, error) {
	if sim == nil {
		return nil, errors.New("adasim: Listen needs a simulator")
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		Sim:    sim,
		URL:    "http://" + dialAddr(ln.Addr()),
		ln:     ln,
		srv:    &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second},
		served: make(chan struct{}),
	}
	s.BaseURL = s.URL + basePath
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln) // ErrServerClosed after Close; a client sees any other failure
	}()
	return s, nil
}

// dialAddr is where a client reaches a listener: loopback for one on every interface.
func dialAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}

// Addr is the listener's address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops serving: requests in flight get up to 2 s to finish, then connections are cut;
// then the simulator is closed (Sim.Close). It is safe to call more than once; every call
// returns the first one's error.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.closeErr = errors.Join(err, s.srv.Close())
		}
		<-s.served
		s.Sim.Close()
	})
	return s.closeErr
}
