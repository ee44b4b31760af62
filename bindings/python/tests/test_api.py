"""The Python surface: types, errors, catalogs, forms, set operations,
threads."""
import threading
import unittest

import authz
from tables import T, W


class Types(unittest.TestCase):
    def setUp(self):
        self.tok = authz.Token(["workspace:read"], ["workspace:" + W])

    def test_bytes_are_refused(self):
        for args in ((b"workspace", W, "read"), ("workspace", W.encode(), "read"),
                     ("workspace", W, b"read"), (None, W, "read"), ("workspace", 7, "read")):
            with self.subTest(args=args):
                self.assertRaises(TypeError, self.tok.check, *args)
                self.assertRaises(TypeError, self.tok.explain, *args)
        self.assertRaises(TypeError, authz.Token, [b"workspace:read"], [])
        self.assertRaises(TypeError, authz.Token, ["workspace:read"], [b"*:*"])
        self.assertRaises(TypeError, authz.Token, "workspace:read", ["*:*"])
        self.assertRaises(TypeError, authz.Token, ["coder:all"], "*:*")
        self.assertRaises(TypeError, authz.Token, 5, [])
        self.assertRaises(TypeError, authz.Token, [], [], catalog="coder")
        self.assertRaises(TypeError, authz.Token.decode, "not bytes")
        self.assertRaises(TypeError, authz.Catalog.parse, b"type x read")
        self.assertRaises(TypeError, authz.validate_scope, b"workspace:read")
        self.assertRaises(TypeError, authz.normalize_allow, [W, 1])
        self.assertRaises(TypeError, self.tok.check, "workspace", W)
        self.assertRaises(TypeError, self.tok.check_many, authz.Target("workspace", "read"), W)
        self.assertRaises(TypeError, self.tok.check_many, "workspace", [W])
        self.assertRaises(TypeError, authz.Catalog)

    def test_nul_in_request_is_refused_before_c(self):
        for args in (("work\0space", W, "read"), ("workspace", W + "\0", "read"),
                     ("workspace", W, "read\0")):
            with self.subTest(args=args):
                self.assertRaises(ValueError, self.tok.check, *args)
                self.assertRaises(ValueError, self.tok.explain, *args)
        tg = authz.Target("workspace", "read")
        self.assertRaises(ValueError, self.tok.check_target, tg, W + "\0")
        self.assertRaises(ValueError, self.tok.check_many, tg, [W, "x\0"])
        self.assertRaises(ValueError, authz.Target, "workspace\0", "read")

    def test_nul_in_entry_is_the_librarys_error(self):
        with self.assertRaises(authz.Error) as cm:
            authz.Token(["workspace:re\0ad"], ["*:*"])
        self.assertEqual((cm.exception.code, cm.exception.index, cm.exception.offset),
                         (authz.ESYNTAX, 0, 12))

    def test_surrogates_are_refused(self):
        self.assertRaises(UnicodeEncodeError, self.tok.check, "workspace", "\udcff", "read")
        self.assertRaises(UnicodeEncodeError, authz.Token, ["\udcff"], [])

    def test_max_allow(self):
        allow = ["workspace:*"] * 129
        with self.assertRaises(authz.Error) as cm:
            authz.Token(["coder:all"], allow)
        self.assertEqual((cm.exception.code, cm.exception.list), (authz.ELIMIT, authz.LIST_ALLOW))
        self.assertTrue(authz.Token(["coder:all"], allow, max_allow=200).check("workspace", W, "read"))
        self.assertRaises(ValueError, authz.Token, ["coder:all"], [], max_allow=0)

    def test_check_many_long(self):
        # Past the 64 ids kept on the stack, the arrays are allocated.
        tok = authz.Token(["workspace:read"], ["workspace:" + W])
        ids = [W, T, None, "", W.upper()] * 40
        self.assertEqual(tok.check_many(authz.Target("workspace", "read"), ids),
                         [True, False, False, False, True] * 40)
        self.assertEqual(tok.check_many(authz.Target("workspace", "read"), []), [])

    def test_immutable(self):
        tok = authz.Token(["workspace:read"], ["workspace:" + W])
        with self.assertRaises(AttributeError):
            tok.text = "scopes: coder:all\nallow: *:*\n"
        with self.assertRaises(AttributeError):
            tok.anything = 1
        with self.assertRaises(TypeError):
            class Wider(authz.Token):  # noqa: F841  (not subclassable)
                pass
        self.assertFalse(tok.check("workspace", W, "update"))

    def test_iterables(self):
        tok = authz.Token(iter(["workspace:read"]), ("workspace:" + W,))
        self.assertTrue(tok.check("workspace", W, "read"))
        self.assertEqual(tok.check_many(authz.Target("workspace", "read"), (x for x in [W, T, None])),
                         [True, False, False])


class Errors(unittest.TestCase):
    def test_fields_and_message(self):
        with self.assertRaises(authz.Error) as cm:
            authz.Token(["coder:all"], ["*:*", "template:*", "workspace:" + W, "workspace:3f25-zz"])
        e = cm.exception
        self.assertIsInstance(e, Exception)
        self.assertEqual(str(e), 'allow[3] "workspace:3f25-zz": invalid UUID at byte 10')
        self.assertEqual((e.code, e.list, e.index, e.offset), (authz.EUUID, authz.LIST_ALLOW, 3, 10))

    def test_public(self):
        authz.Token(["debug_info:read"], ["*:*"])
        with self.assertRaises(authz.Error) as cm:
            authz.Token(["debug_info:read"], ["*:*"], public=True)
        self.assertEqual(cm.exception.code, authz.ENOTPUBLIC)
        authz.validate_scope("debug_info:read")
        with self.assertRaises(authz.Error) as cm:
            authz.validate_scope("debug_info:read", public=True)
        self.assertEqual(cm.exception.code, authz.ENOTPUBLIC)

    def test_catalog_error(self):
        with self.assertRaises(authz.Error) as cm:
            authz.Catalog.parse("type widget read\nbogus line\n")
        e = cm.exception
        self.assertEqual((e.code, e.list, e.line), (authz.ECATALOG, authz.LIST_CATALOG, 2))
        self.assertGreater(e.column, 0)

    def test_target_errors(self):
        with self.assertRaises(authz.Error) as cm:
            authz.Target("workspacex", "read")
        self.assertEqual(cm.exception.code, authz.ETYPE)
        with self.assertRaises(authz.Error) as cm:
            authz.Target("workspace", "fly")
        self.assertEqual(cm.exception.code, authz.EACTION)


class Catalogs(unittest.TestCase):
    def test_coder(self):
        c = authz.Catalog.coder()
        self.assertIs(c, authz.Catalog.coder())
        self.assertIn("ssh", c.types["workspace"])
        again = authz.Catalog.parse(c.text)
        self.assertEqual(again.fingerprint, c.fingerprint)
        self.assertEqual(again.text, c.text)

    def test_own_catalog(self):
        cat = authz.Catalog.parse("type widget create read\n")
        tok = authz.Token(["widget:read"], ["widget:*"], cat)
        self.assertIs(tok.catalog, cat)
        self.assertTrue(tok.check("widget", W, "read"))
        self.assertFalse(tok.check("workspace", W, "read"))
        with self.assertRaises(authz.Error) as cm:
            authz.Token(["workspace:read"], ["*:*"], cat)
        self.assertEqual(cm.exception.code, authz.ETYPE)
        # A target of the Coder catalog denies on a token of another one.
        self.assertFalse(tok.check_target(authz.Target("workspace", "read"), W))
        self.assertTrue(tok.check_target(authz.Target("widget", "read", cat), W))
        # The token keeps its catalog alive.
        del cat
        self.assertTrue(tok.check("widget", W, "read"))
        with self.assertRaises(authz.Error) as cm:
            authz.Token.decode(tok.encode())
        self.assertEqual(cm.exception.code, authz.EMISMATCH)
        self.assertEqual(authz.Token.decode(tok.encode(), tok.catalog).text, tok.text)


class Forms(unittest.TestCase):
    def test_text_and_lists(self):
        tok = authz.Token(["all", "workspace:read", "all"],
                          ["workspace:" + W.upper(), "workspace:*", "template:urn:uuid:" + W])
        self.assertEqual(tok.text, "scopes: coder:all workspace:read\nallow: template:%s workspace:*\n" % W)
        self.assertEqual(tok.scopes, ("coder:all", "workspace:read"))
        self.assertEqual(tok.allow, ("template:" + W, "workspace:*"))

    def test_encode_decode(self):
        tok = authz.Token(["workspace:read", "template:*"], ["workspace:" + W, "template:*"])
        data = tok.encode()
        self.assertIsInstance(data, bytes)
        self.assertEqual(authz.Token.decode(data).encode(), data)
        self.assertEqual(authz.Token.decode(bytearray(data)).text, tok.text)
        self.assertEqual(authz.Token.decode_text(tok.encode_text()).encode(), data)
        bad = bytearray(data)
        bad[-1] ^= 1
        with self.assertRaises(authz.Error) as cm:
            authz.Token.decode(bytes(bad))
        self.assertEqual((cm.exception.code, cm.exception.list), (authz.ECHECKSUM, authz.LIST_ENCODING))
        with self.assertRaises(authz.Error) as cm:
            authz.Token.decode(data[:5])
        self.assertEqual(cm.exception.code, authz.EFORMAT)
        with self.assertRaises(authz.Error) as cm:
            authz.Token.decode_text("!!!")
        self.assertEqual((cm.exception.code, cm.exception.list, cm.exception.offset),
                         (authz.EFORMAT, authz.LIST_ENCODING_TEXT, 0))
        with self.assertRaises(authz.Error) as cm:
            authz.Token.decode(authz.Token(["debug_info:read"], []).encode(), public=True)
        self.assertEqual(cm.exception.code, authz.ENOTPUBLIC)


class Granted(unittest.TestCase):
    def test_list_endpoints(self):
        tok = authz.Token(["workspace:read"], ["workspace:" + W.upper(), "*:" + T, "template:*"])
        read = authz.Target("workspace", "read")
        self.assertEqual(tok.granted_ids(read), ("listed", [W, T]))
        self.assertEqual(tok.granted_sql(read, "w.id"), "w.id IN ('%s', '%s')" % (W, T))
        for oid in (W, T, None, "x", "00000000-0000-0000-0000-000000000000"):
            self.assertEqual(tok.check_target(read, oid), oid in (W, T))
        self.assertEqual(tok.granted_ids(authz.Target("template", "read")), ("none", []))
        self.assertEqual(tok.granted_sql(authz.Target("template", "read"), "id"), "0")
        admin = authz.Token(["coder:all"], ["*:*"])
        self.assertEqual(admin.granted_ids(read), ("all", []))
        self.assertEqual(admin.granted_sql(read, "id"), "1")
        with self.assertRaises(authz.Error) as cm:
            tok.granted_sql(read, "1id; drop table x")
        self.assertEqual(cm.exception.code, authz.EINVAL)
        self.assertRaises(ValueError, tok.granted_sql, read, "id\0")
        many = ["workspace:%08x-4f89-41d3-9a0c-0305e82c3301" % i for i in range(100)]
        sql = authz.Token(["workspace:read"], many).granted_sql(read, "id")
        self.assertEqual(sql.count("'") , 200)
        # A target of another catalog is refused.
        own = authz.Catalog.parse("type workspace read\n")
        with self.assertRaises(authz.Error) as cm:
            tok.granted_ids(authz.Target("workspace", "read", own))
        self.assertEqual(cm.exception.code, authz.EINVAL)


class SetOperations(unittest.TestCase):
    def test_normalize(self):
        self.assertEqual(authz.normalize_scopes(["all", "workspace:read", "all"]),
                         ["coder:all", "workspace:read"])
        self.assertEqual(authz.normalize_allow(["workspace:" + W.upper(), "*:*"]), ["*:*"])
        self.assertEqual(authz.normalize_allow([]), [])

    def test_covers(self):
        self.assertEqual(authz.covers(["workspace:*"], ["workspace:ssh"]), (True, []))
        self.assertEqual(authz.covers(["workspace:*"], ["coder:workspaces.access"]),
                         (False, ["organization_member:read", "template:read"]))
        with self.assertRaises(authz.Error) as cm:
            authz.covers(["workspace:*"], ["bogus"])
        self.assertEqual((cm.exception.code, cm.exception.list), (authz.ESCOPE, authz.LIST_SCOPES2))

    def test_intersect_union(self):
        self.assertEqual(authz.intersect_allow(["*:*"], ["workspace:" + W]), ["workspace:" + W])
        self.assertEqual(authz.intersect_allow(["template:*"], ["workspace:" + W]), [])
        self.assertEqual(authz.intersect_allow(["*:" + W], ["workspace:*"]), ["workspace:" + W])
        self.assertEqual(authz.union_allow(["workspace:" + W], ["template:*"]),
                         ["template:*", "workspace:" + W])
        with self.assertRaises(authz.Error) as cm:
            authz.union_allow(["workspace:*"], ["workspace:zz"])
        self.assertEqual((cm.exception.code, cm.exception.list), (authz.EUUID, authz.LIST_ALLOW2))


class Threads(unittest.TestCase):
    def test_shared_token(self):
        tok = authz.Token(["workspace:read", "template:*"], ["workspace:" + W, "template:*"])
        tg = authz.Target("workspace", "read")
        cases = [("workspace", W, "read", True), ("workspace", T, "read", False),
                 ("template", T, "update", True), ("workspace", W, "ssh", False),
                 ("template", None, "create", True)]
        failures = []

        def run():
            for _ in range(2000):
                for r, oid, a, want in cases:
                    if tok.check(r, oid, a) is not want or tok.explain(r, oid, a).allowed is not want:
                        failures.append((r, oid, a))
                if tok.check_many(tg, [W, T]) != [True, False]:
                    failures.append("many")
                authz.Token(["workspace:read"], ["workspace:" + W]).encode()

        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertFalse(any(t.is_alive() for t in threads))
        self.assertEqual(failures, [])


if __name__ == "__main__":
    unittest.main()
