//go:build !linux

package bench

import (
	"errors"
	"time"
)

func processCPUClock(int) (time.Duration, error) {
	return 0, errors.New("a process CPU-time clock is read on Linux only")
}
