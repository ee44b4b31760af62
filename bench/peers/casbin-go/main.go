// casbin-go: the peers workload on casbin (Go), built against Debian's
// golang-github-casbin-casbin-dev in GOPATH mode (see mk/peers.mk).
//
//	casbin-go MODEL WORKLOAD
//
// Builds one enforcer from MODEL and the token in WORKLOAD (outside the timed
// loop), checks that every decision equals authz's, then times Enforce on the
// same requests and prints one result line, as authz_peers does (see there
// for PEERS_RUNS, PEERS_MIN_MS and the line's format).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

type request struct {
	typ, id, act string
	decision     bool
}

type workload struct {
	n      int
	scopes []string
	grants [][]string
	allow  []string
	reqs   []request
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "casbin-go: "+format+"\n", args...)
	os.Exit(1)
}

func load(path string) *workload {
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	w := &workload{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(sc.Text(), " ")
		if line == 1 {
			if sc.Text() != "authz-peers 1" {
				fail("%s: not a workload file", path)
			}
			continue
		}
		switch {
		case fields[0] == "n" && len(fields) == 2:
			w.n, _ = strconv.Atoi(fields[1])
		case fields[0] == "scope" && len(fields) == 2:
			w.scopes = append(w.scopes, fields[1])
		case fields[0] == "grant" && len(fields) == 4:
			w.grants = append(w.grants, fields[1:])
		case fields[0] == "allow" && len(fields) == 2:
			w.allow = append(w.allow, fields[1])
		case fields[0] == "req" && len(fields) == 5:
			id := fields[2]
			if id == "-" {
				id = ""
			}
			w.reqs = append(w.reqs, request{fields[1], id, fields[3], fields[4] == "1"})
		default:
			fail("%s:%d: bad line %q", path, line, sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		fail("%v", err)
	}
	if len(w.reqs) == 0 {
		fail("%s: no requests", path)
	}
	return w
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: casbin-go MODEL WORKLOAD")
	}
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	w := load(os.Args[2])
	m, err := model.NewModelFromString(string(text))
	if err != nil {
		fail("model: %v", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		fail("enforcer: %v", err)
	}
	var g, g2 [][]string
	for _, s := range w.scopes {
		g = append(g, []string{"token", s})
	}
	for _, a := range w.allow {
		g2 = append(g2, []string{a, "token"})
	}
	if _, err := e.AddPolicies(w.grants); err != nil {
		fail("policies: %v", err)
	}
	if _, err := e.AddGroupingPolicies(g); err != nil {
		fail("g: %v", err)
	}
	if _, err := e.AddNamedGroupingPolicies("g2", g2); err != nil {
		fail("g2: %v", err)
	}

	allowed := 0
	t0 := time.Now()
	for i, r := range w.reqs {
		ok, err := e.Enforce("token", r.typ, r.id, r.act)
		if err != nil {
			fail("request %d: %v", i, err)
		}
		if ok != r.decision {
			fail("request %d (%s %q %s): casbin says %v, authz says %v", i, r.typ, r.id, r.act, ok, r.decision)
		}
		if ok {
			allowed++
		}
	}
	dt := time.Since(t0).Nanoseconds()

	runs, minMs := 5, 200.0
	if v, err := strconv.Atoi(os.Getenv("PEERS_RUNS")); err == nil && v > 0 {
		runs = v
	}
	if v, err := strconv.ParseFloat(os.Getenv("PEERS_MIN_MS"), 64); err == nil && v > 0 {
		minMs = v
	}
	count := int(minMs * 1e6 / (float64(dt+1) / float64(len(w.reqs))))
	if count < 256 {
		count = 256
	}
	next := 0
	wall := make([]string, runs)
	cpu := make([]string, runs)
	for k := 0; k < runs; k++ {
		bad := 0
		c0 := cpuNs()
		t0 = time.Now()
		for j := 0; j < count; j++ {
			r := &w.reqs[next]
			if ok, _ := e.Enforce("token", r.typ, r.id, r.act); ok != r.decision {
				bad++
			}
			if next++; next == len(w.reqs) {
				next = 0
			}
		}
		dw := time.Since(t0).Nanoseconds()
		dc := cpuNs() - c0
		if bad != 0 {
			fail("a decision changed while timed")
		}
		wall[k] = fmt.Sprintf("%.1f", float64(dw)/float64(count))
		cpu[k] = fmt.Sprintf("%.1f", float64(dc)/float64(count))
	}
	fmt.Printf("result engine=casbin-go n=%d requests=%d allowed=%d per_run=%d wall_ns=%s cpu_ns=%s\n",
		w.n, len(w.reqs), allowed, count, strings.Join(wall, ","), strings.Join(cpu, ","))
}

// cpuNs is the CPU time of the whole process (every thread: the garbage
// collector's work counts), in nanoseconds.
func cpuNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fail("getrusage: %v", err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
