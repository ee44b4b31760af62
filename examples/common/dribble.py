#!/usr/bin/python3
"""dribble.py - slow clients against a server, while valid requests go on.

    /usr/bin/python3 dribble.py --port PORT --path PATH [--header 'Name: v']...
        [--status 200] [--clients 50] [--seconds 8] [--deadline-ms 3000]

1. Baseline: 20 valid requests, one after another, each on a new
   connection; every one must answer --status.
2. Attack: --clients connections each send the start of a request head, then
   one more byte a second, never finishing it. Meanwhile a valid request
   goes every 100 ms. For --seconds.
3. Verdict, each line printed: every valid request during the attack
   answered --status, none took longer than 1 s, and their median is
   within 10 times the baseline median plus 20 ms; with --deadline-ms, the
   server closed every slow connection by the deadline plus 2 s.

Loopback only; every socket has a timeout; exits 0 when all held, 1 if not.
"""
import argparse
import http.client
import select
import socket
import statistics
import sys
import time


def valid_request(args):
    """One request on a new connection: (status, seconds)."""
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
    try:
        headers = dict(h.split(": ", 1) for h in args.header)
        conn.request("GET", args.path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.monotonic() - t0
    except OSError as e:
        return "error: %s" % e, time.monotonic() - t0
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--deadline-ms", type=int, default=0)
    args = ap.parse_args()
    ok = True

    base = [valid_request(args) for _ in range(20)]
    bad = [s for s, _ in base if s != args.status]
    if bad:
        print("dribble: baseline requests failed: %s" % bad[:3])
        return 1
    base_med = statistics.median(t for _, t in base)

    slow = []  # [socket, opened_at, closed_at or None]
    for _ in range(args.clients):
        s = socket.create_connection(("127.0.0.1", args.port), timeout=2)
        s.sendall(b"GET " + args.path.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        s.setblocking(False)
        slow.append([s, time.monotonic(), None])

    start = time.monotonic()
    next_byte = start + 1
    results = []
    while time.monotonic() - start < args.seconds:
        now = time.monotonic()
        if now >= next_byte:
            next_byte += 1
            for entry in slow:
                if entry[2] is None:
                    try:
                        entry[0].send(b"a")
                    except OSError:
                        entry[2] = now
        # A slow connection the server closed reads as EOF (or a reset).
        readable, _, _ = select.select(
            [e[0] for e in slow if e[2] is None], [], [], 0)
        for s in readable:
            for entry in slow:
                if entry[0] is s:
                    try:
                        data = s.recv(4096)
                    except OSError:
                        data = b""
                    if not data:
                        entry[2] = time.monotonic()
        results.append(valid_request(args))
        time.sleep(0.1)

    still_open = sum(1 for e in slow if e[2] is None)
    for e in slow:
        e[0].close()

    statuses = [s for s, _ in results]
    times = [t for _, t in results]
    wrong = [s for s in statuses if s != args.status]
    med = statistics.median(times)
    print("dribble: %d slow connections for %.0f s; %d valid requests: "
          "median %.1f ms (baseline %.1f ms), max %.1f ms"
          % (args.clients, args.seconds, len(results), med * 1e3,
             base_med * 1e3, max(times) * 1e3))
    if wrong:
        ok = False
        print("dribble: FAIL: %d valid requests answered otherwise: %s"
              % (len(wrong), wrong[:3]))
    if max(times) > 1.0:
        ok = False
        print("dribble: FAIL: a valid request took %.2f s" % max(times))
    if med > 10 * base_med + 0.020:
        ok = False
        print("dribble: FAIL: the median grew past 10 x baseline + 20 ms")
    if args.deadline_ms:
        limit = args.deadline_ms / 1000.0 + 2
        late = [e for e in slow
                if e[2] is None or e[2] - e[1] > limit]
        if late:
            ok = False
            print("dribble: FAIL: %d slow connections outlived the deadline "
                  "(%d still open)" % (len(late), still_open))
        else:
            worst = max(e[2] - e[1] for e in slow)
            print("dribble: the server closed all %d slow connections, the "
                  "last %.1f s after it opened (deadline %.1f s)"
                  % (len(slow), worst, args.deadline_ms / 1000.0))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
