"""The decision and error tables through the binding, row for row."""
import unittest

import authz
import tables


class DecisionTable(unittest.TestCase):
    def test_rows(self):
        rows = allows = 0
        for line, scopes, allow, r, oid, a, want, reason in tables.decisions():
            with self.subTest(line=line, row=(scopes, allow, r, oid, a)):
                tok = authz.Token(scopes, allow)
                self.assertIs(tok.check(r, oid, a), want)
                ex = tok.explain(r, oid, a)
                self.assertIs(ex.allowed, want)
                if reason is not None:
                    self.assertEqual(ex.reason, reason)
                if want:
                    self.assertEqual(ex.reason, "allowed")
                    self.assertIsNotNone(ex.scope_index)
                    self.assertIsNotNone(ex.entry_index)
                    # The scope and entry named, alone, still allow.
                    self.assertTrue(authz.Token([ex.scope], [ex.entry]).check(r, oid, a))
                else:
                    self.assertNotEqual(ex.reason, "allowed")
                    self.assertIsNone(ex.entry)
                    self.assertIsNone(ex.entry_index)
                # The pre-resolved forms agree; unknown names raise with the
                # code that matches the reason.
                try:
                    tg = authz.Target(r, a)
                except authz.Error as e:
                    self.assertFalse(want)
                    self.assertIn(e.code, (authz.ETYPE, authz.EACTION))
                    self.assertEqual(ex.reason, "unknown_resource" if e.code == authz.ETYPE
                                     else "unknown_action")
                else:
                    self.assertIs(tok.check_target(tg, oid), want)
                    self.assertEqual(tok.check_many(tg, [oid, oid]), [want, want])
                # A token that went through its binary form decides the same.
                self.assertIs(authz.Token.decode(tok.encode()).check(r, oid, a), want)
            rows += 1
            allows += want
        # The table must not shrink unnoticed, nor be all one answer.
        self.assertGreaterEqual(rows, 120)
        self.assertGreaterEqual(allows, 40)
        self.assertGreaterEqual(rows - allows, 40)


class ErrorTable(unittest.TestCase):
    def test_rows(self):
        rows = 0
        for line, which, entry, code, offset in tables.errors():
            with self.subTest(line=line, entry=entry):
                want_code = getattr(authz, code)
                scopes = ["workspace:read", "template:*"]
                allow = ["workspace:" + tables.W, "template:*"]
                (scopes if which == "scope" else allow).append(entry)
                want_list = authz.LIST_SCOPES if which == "scope" else authz.LIST_ALLOW
                with self.assertRaises(authz.Error) as cm:
                    authz.Token(scopes, allow)
                e = cm.exception
                self.assertEqual((e.code, e.list, e.index, e.offset),
                                 (want_code, want_list, 2, offset), str(e))
                self.assertIn('%s[2] "' % which, str(e))
                # The set operations parse exactly as a token does.
                norm = authz.normalize_scopes if which == "scope" else authz.normalize_allow
                with self.assertRaises(authz.Error) as cm:
                    norm(scopes if which == "scope" else allow)
                self.assertEqual((cm.exception.code, cm.exception.index, cm.exception.offset),
                                 (want_code, 2, offset))
                if which == "scope":
                    with self.assertRaises(authz.Error) as cm:
                        authz.validate_scope(entry)
                    self.assertEqual((cm.exception.code, cm.exception.list,
                                      cm.exception.index, cm.exception.offset),
                                     (want_code, authz.LIST_SCOPES, 0, offset))
            rows += 1
        self.assertGreaterEqual(rows, 45)


if __name__ == "__main__":
    unittest.main()
