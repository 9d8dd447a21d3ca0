package bench

import (
	"syscall"
	"time"
	"unsafe"
)

// processCPUClock reads another process's CPU-time clock: the same user+sys
// total as its rusage and /proc/PID/stat (all threads, ended ones too),
// but in nanoseconds rather than 10 ms ticks, so short phases still
// measure. The clock id is what glibc's clock_getcpuclockid(pid) returns:
// ((~pid) << 3) | CPUCLOCK_SCHED.
func processCPUClock(pid int) (time.Duration, error) {
	const cpuclockSched = 2
	id := int32(^pid)<<3 | cpuclockSched
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, uintptr(id), uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0, errno
	}
	return time.Duration(ts.Nano()), nil
}
