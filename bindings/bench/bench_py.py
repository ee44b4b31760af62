"""The Python figure for `make bench-bindings`: the job of
bindings/bench/bench_c.c through the binding. Single: tok.check() on each of
64 ids in a Python loop (what a request handler pays, loop included).
Batched: tok.check_many() over the 64 ids with a pre-resolved Target. Prints
the median of 7 runs in ns per check, wall time and the thread's CPU time."""
import statistics
import sys
import time

import authz

IDS = ["%08x-4f89-41d3-9a0c-0305e82c3301" % (0x3f2504e0 + i) for i in range(64)]


def main():
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    allow = ["template:*"] + ["workspace:" + IDS[i] for i in range(0, 64, 2)]
    tok = authz.Token(["workspace:read", "workspace:start", "template:read"], allow)
    tg = authz.Target("workspace", "read")
    check, many = tok.check, tok.check_many
    rounds = max(1, iters // 64)
    single, batched, single_cpu, batched_cpu = [], [], [], []
    n = rounds * 64
    for _ in range(7):
        yes = 0
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        for _ in range(rounds):
            for i in IDS:
                yes += check("workspace", i, "read")
        single.append((time.perf_counter_ns() - t0) / n)
        single_cpu.append((time.thread_time_ns() - c0) / n)
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        for _ in range(rounds):
            yes += sum(many(tg, IDS))
        batched.append((time.perf_counter_ns() - t0) / n)
        batched_cpu.append((time.thread_time_ns() - c0) / n)
        if yes != rounds * 64:  # half of each pass, twice
            raise SystemExit("bench.py: %d allowed: wrong answers" % yes)
    print("Python\tsingle\t%.1f\t%.1f" % (statistics.median(single), statistics.median(single_cpu)))
    print("Python\tbatched\t%.1f\t%.1f" % (statistics.median(batched), statistics.median(batched_cpu)))


if __name__ == "__main__":
    main()
