package server

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// AddrError is an address a flag gave that could not be listened on: a
// mistake in that flag (a port another process holds, a host not this
// machine's), which the command line reports as a usage error.
type AddrError struct {
	Flag, Addr string
	Err        error
}

func (e *AddrError) Error() string {
	if errors.Is(e.Err, syscall.EADDRINUSE) {
		return fmt.Sprintf("%s %s: another process is already listening there: stop it, or give %s another port", e.Flag, e.Addr, e.Flag)
	}
	return fmt.Sprintf("%s %s: %v", e.Flag, e.Addr, e.Err)
}

func (e *AddrError) Unwrap() error { return e.Err }

// ListenFlag listens on TCP at addr, which the flag named flag gave.
func ListenFlag(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &AddrError{Flag: flag, Addr: addr, Err: err}
	}
	return ln, nil
}
