package bench

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A real line, with a command name that has a space and a ')' in it.
	line := "14096 (ada mcp) x) S 14091 14058 10598 0 -1 4227084 65 0 3 0 1733 291 0 0 20 0 9 0 751773 1285279744 3721 18446744073709551615 1 1 0 0 0 0 0 0 65538 1 0 0 17 1 0 0 0 0 0\n"
	user, sys, err := parseStat([]byte(line))
	if err != nil || user != 17330*time.Millisecond || sys != 2910*time.Millisecond {
		t.Fatalf("parseStat = %v, %v, %v; want 17.33s, 2.91s", user, sys, err)
	}
	for _, bad := range []string{"", "14096 sh S 1 2", "14096 (sh) S 1 2 3", "1 (sh) S 1 1 1 0 -1 0 0 0 0 0 x 0 0"} {
		if _, _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) took it", bad)
		}
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\tada-mcp\nVmPeak:\t 1290412 kB\nVmHWM:\t   18320 kB\nVmRSS:\t   17004 kB\n"
	if n, err := parseVmHWM([]byte(status)); err != nil || n != 18320*1024 {
		t.Fatalf("parseVmHWM = %d, %v", n, err)
	}
	for _, bad := range []string{"Name:\tx\nVmRSS:\t1 kB\n", "VmHWM:\t12 MB\n", "VmHWM:\tmany kB\n"} {
		if _, err := parseVmHWM([]byte(bad)); err == nil || !strings.Contains(err.Error(), "VmHWM") {
			t.Errorf("parseVmHWM(%q) = %v", bad, err)
		}
	}
}

// The live readers agree on this very process: the CPU clock counts what
// /proc/PID/stat does, at a finer grain.
func TestProcReadersOnSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	pid := os.Getpid()
	for end := time.Now().Add(30 * time.Millisecond); time.Now().Before(end); { // burn a few ticks
	}
	byStat, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	byClock, err := processCPUClock(pid)
	if err != nil {
		t.Fatal(err)
	}
	// The stat truncates to ticks and is read first.
	if byClock < byStat || byClock-byStat > 100*time.Millisecond {
		t.Errorf("CPU clock %v, /proc stat %v", byClock, byStat)
	}
	if rss, err := peakRSS(pid); err != nil || rss < 1<<20 {
		t.Errorf("peakRSS = %d, %v", rss, err)
	}
}
