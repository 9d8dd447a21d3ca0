package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// What the child-process benchmark reads of a child from /proc (Linux).

// clockTick is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux build Go supports, whatever the kernel's own HZ.
const clockTick = 10 * time.Millisecond

// procCPU is a process's user+sys time from /proc/PID/stat: all its
// threads, including those that ended, in 10 ms ticks.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	user, sys, err := parseStat(b)
	return user + sys, err
}

// parseStat reads utime and stime (fields 14 and 15) from a /proc/PID/stat
// line. The command name (field 2) is in parentheses and may itself hold
// spaces and parentheses, so fields are counted from the last ')'.
func parseStat(b []byte) (user, sys time.Duration, err error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc stat %.80q: no command name", b)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("/proc stat %.80q: %d fields after the command name", b, len(f))
	}
	ticks := make([]int64, 2)
	for k, s := range f[11:13] {
		if ticks[k], err = strconv.ParseInt(s, 10, 64); err != nil || ticks[k] < 0 {
			return 0, 0, fmt.Errorf("/proc stat: field %d is %q", 14+k, s)
		}
	}
	return time.Duration(ticks[0]) * clockTick, time.Duration(ticks[1]) * clockTick, nil
}

// peakRSS is a process's VmHWM (its resident set's high-water mark) in
// bytes, from /proc/PID/status.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseVmHWM(b)
}

func parseVmHWM(b []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(v), " ")
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || n < 0 || strings.TrimSpace(unit) != "kB" {
			return 0, fmt.Errorf("/proc status: VmHWM is %q", v)
		}
		return n * 1024, nil
	}
	return 0, fmt.Errorf("/proc status: no VmHWM line")
}
