package authz_test

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"authz"
)

// The job of `make bench-bindings`, the same in C, Python and Go: a token
// with three scopes and 32 listed workspaces; checks of "read" on 64
// workspace ids, half of them listed.
func benchJob(b *testing.B) (*authz.Token, []string) {
	ids := make([]string, 64)
	allow := []string{"template:*"}
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-4f89-41d3-9a0c-0305e82c3301", 0x3f2504e0+i)
		if i%2 == 0 {
			allow = append(allow, "workspace:"+ids[i])
		}
	}
	tok, err := authz.NewToken(nil, []string{"workspace:read", "workspace:start", "template:read"}, allow)
	if err != nil {
		b.Fatal(err)
	}
	return tok, ids
}

// cpuTime is the CPU time of the calling thread (the benchmark locks its
// goroutine to it), which a busy machine inflates less than the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
}

// timed reports ns/check (wall) and cpu-ns/check for checks checks.
func timed(b *testing.B, checks int, loop func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	t0, c0 := time.Now(), cpuTime()
	loop()
	wall, cpu := time.Since(t0), cpuTime()-c0
	b.StopTimer()
	b.ReportMetric(float64(wall.Nanoseconds())/float64(checks), "ns/check")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(checks), "cpu-ns/check")
}

func BenchmarkCheck(b *testing.B) {
	tok, ids := benchJob(b)
	defer tok.Close()
	n := 0
	timed(b, b.N, func() {
		for i := 0; i < b.N; i++ {
			if tok.Check("workspace", ids[i&63], "read") {
				n++
			}
		}
	})
	if n != (b.N+1)/2 {
		b.Fatalf("%d of %d allowed", n, b.N)
	}
}

func BenchmarkCheckTarget(b *testing.B) {
	tok, ids := benchJob(b)
	defer tok.Close()
	tg, _ := authz.NewTarget(nil, "workspace", "read")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok.CheckTarget(tg, ids[i&63])
	}
}

// One op is a list of 64 ids; ns/check is the figure to compare.
func BenchmarkCheckMany(b *testing.B) {
	tok, ids := benchJob(b)
	defer tok.Close()
	tg, _ := authz.NewTarget(nil, "workspace", "read")
	allowed := make([]bool, len(ids))
	timed(b, b.N*len(ids), func() {
		for i := 0; i < b.N; i++ {
			if tok.CheckMany(tg, ids, allowed) != 32 {
				b.Fatal("wrong count")
			}
		}
	})
}

func BenchmarkExplain(b *testing.B) {
	tok, ids := benchJob(b)
	defer tok.Close()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tok.Explain("workspace", ids[i&63], "read")
	}
}
