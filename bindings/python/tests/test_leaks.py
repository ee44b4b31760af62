"""No reference or memory leaks over 100,000 calls of each kind.

Python objects are counted with sys.getallocatedblocks() (the interpreter's
live memory blocks: a leaked object per call would be 100,000 more; cheaper
than tracemalloc, which would trace every allocation); memory the C library allocates, which tracemalloc does not
see, with the resident set size (a leaked token or list per call would be
tens of megabytes). Reference counts of the arguments and the catalog are
compared exactly.
"""
import gc
import sys
import unittest

import authz
from tables import T, W

N = 100_000


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


class Leaks(unittest.TestCase):
    def run_loop(self, body):
        for _ in range(1000):  # warm caches, interned strings, free lists
            body()
        gc.collect()
        before = sys.getallocatedblocks()
        rss0 = rss_bytes()
        for _ in range(N):
            body()
        gc.collect()
        return sys.getallocatedblocks() - before, rss_bytes() - rss0

    def assert_no_leak(self, name, body):
        py, rss = self.run_loop(body)
        with self.subTest(call=name):
            self.assertLess(py, 1000, "%s: %d more Python memory blocks" % (name, py))
            self.assertLess(rss, 4 * 1024 * 1024, "%s: RSS grew by %d bytes" % (name, rss))

    def test_calls(self):
        cat = authz.Catalog.coder()
        # Strings of their own, so that their reference counts are ours alone.
        r, a, wid = "".join(["work", "space"]), "".join(["re", "ad"]), "".join([W[:8], W[8:]])
        tok = authz.Token(["workspace:read", "template:*"], ["workspace:" + W, "template:*"])
        tg = authz.Target(r, a)
        ids = [W, T, None, "x"]
        long_ids = ids * 20  # past the 64 ids kept on the stack
        data = tok.encode()
        refs = [sys.getrefcount(o) for o in (cat, r, a, wid, tok, tg, data)]

        def bad_token():
            try:
                authz.Token(["workspace:read"], ["workspace:3f25-zz"])
            except authz.Error:
                pass
            else:
                raise AssertionError("accepted")

        def bad_type():
            try:
                tok.check(r, b"x", a)
            except TypeError:
                pass

        calls = [
            ("check", lambda: tok.check(r, wid, a)),
            ("check deny", lambda: tok.check(r, None, "update")),
            ("explain", lambda: tok.explain(r, wid, a)),
            ("check_many", lambda: tok.check_many(tg, ids)),
            ("check_many long", lambda: tok.check_many(tg, long_ids)),
            ("granted_ids", lambda: tok.granted_ids(tg)),
            ("granted_sql", lambda: tok.granted_sql(tg, "w.id")),
            ("Token", lambda: authz.Token(["workspace:read"], ["workspace:" + W])),
            ("Token error", bad_token),
            ("TypeError", bad_type),
            ("encode/decode", lambda: authz.Token.decode(data).encode()),
            ("text", lambda: tok.text),
            ("Target", lambda: authz.Target("template", "use")),
            ("covers", lambda: authz.covers(["workspace:*"], ["coder:workspaces.access"])),
            ("intersect", lambda: authz.intersect_allow(["*:" + W], ["workspace:*"])),
        ]
        for name, body in calls:
            self.assert_no_leak(name, body)
        gc.collect()
        self.assertEqual([sys.getrefcount(o) for o in (cat, r, a, wid, tok, tg, data)], refs)

    def test_leak_is_detected(self):
        # The measurement itself can fail: keeping one object per call shows.
        kept = []
        py, _ = self.run_loop(lambda: kept.append(authz.Target("workspace", "read")))
        self.assertGreaterEqual(py, N)


if __name__ == "__main__":
    unittest.main()
