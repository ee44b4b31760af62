"""examples/wsgi_authz.py served by wsgiref on 127.0.0.1 (a free port), a
bounded number of requests, each answer and reason asserted."""
import http.client
import json
import os
import sys
import threading
import unittest
from wsgiref.simple_server import WSGIRequestHandler, make_server

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))

import authz  # noqa: E402
import wsgi_authz  # noqa: E402
from tables import T, W  # noqa: E402


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Middleware(unittest.TestCase):
    def test_requests(self):
        keys = {
            "reader": authz.Token(["workspace:read"], ["workspace:" + W]),
            "creator": authz.Token(["coder:workspaces.create"], ["workspace:*"]),
            "admin": authz.Token(["coder:all"], ["*:*"]),
        }
        log = []
        app = wsgi_authz.AuthzMiddleware(wsgi_authz.demo_app({W: "dev", T: "ci"}), keys,
                                         log=log.append)
        httpd = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
        httpd.timeout = 5
        cases = [
            # key, method, path, status, reason (403) or body check
            ("reader", "GET", "/workspaces/" + W, 200, None),
            ("reader", "GET", "/workspaces/" + W.upper(), 404, None),  # admitted; not in the store
            ("reader", "GET", "/workspaces/" + T, 403, "not_listed"),
            ("reader", "DELETE", "/workspaces/" + W, 403, "no_grant"),
            ("reader", "POST", "/workspaces", 403, "no_grant"),
            ("reader", "GET", "/templates/" + T, 403, "no_grant"),
            ("reader", "GET", "/workspaces/%00", 403, "invalid_argument"),
            ("reader", "GET", "/workspaces", 200, {"workspaces": [W]}),
            ("creator", "POST", "/workspaces", 201, None),
            ("creator", "POST", "/workspaces/%s/start" % T, 200, None),
            ("creator", "DELETE", "/workspaces/" + T, 403, "no_grant"),
            ("admin", "DELETE", "/workspaces/" + T, 200, None),
            ("admin", "GET", "/workspaces", 200, {"workspaces": sorted([W, T])}),
            (None, "GET", "/workspaces/" + W, 401, None),
            ("stolen", "GET", "/workspaces/" + W, 401, None),
            ("admin", "GET", "/nowhere", 404, None),
        ]

        def serve():
            for _ in cases:  # one request each, then stop
                httpd.handle_request()

        server = threading.Thread(target=serve, daemon=True)
        server.start()
        port = httpd.server_address[1]
        try:
            for key, method, path, status, want in cases:
                with self.subTest(key=key, method=method, path=path):
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    headers = {"Authorization": "Bearer " + key} if key else {}
                    conn.request(method, path, headers=headers)
                    resp = conn.getresponse()
                    body = json.loads(resp.read())
                    conn.close()
                    self.assertEqual(resp.status, status, body)
                    if status == 403:
                        self.assertEqual(body["reason"], want)
                        self.assertEqual(resp.getheader("X-Authz-Reason"), want)
                    elif isinstance(want, dict):
                        self.assertEqual(body, want)
        finally:
            server.join(10)
            httpd.server_close()
        self.assertFalse(server.is_alive())
        self.assertIn("deny read workspace %s: not_listed" % T, log)


if __name__ == "__main__":
    unittest.main()
