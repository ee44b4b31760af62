"""WSGI middleware that authorizes every request with an authz token.

Standard library only (wsgiref). Each API key maps to a token compiled once
at start-up; each request is mapped to (resource, id, action) by a small
route table, checked, and refused with 401 (no or unknown key), 403 (the
token does not allow it; the reason goes to the log and to the
X-Authz-Reason header) or 404 (no route). Allowed requests reach the
application with environ["authz.request"] = (resource, id, action).

    /usr/bin/python3 examples/wsgi_authz.py 8080     # serves on 127.0.0.1

Routes:
    GET    /workspaces            list (the answer holds only the ids the
                                  token admits: Token.check_many)
    POST   /workspaces            create (no id)
    GET    /workspaces/<id>       read
    DELETE /workspaces/<id>       delete
    POST   /workspaces/<id>/start start
    GET    /templates/<id>        read a template
"""
import json
import re
import sys
from wsgiref.simple_server import make_server

import authz

ROUTES = [
    ("GET", re.compile(r"^/workspaces$"), "workspace", "read", False),
    ("POST", re.compile(r"^/workspaces$"), "workspace", "create", False),
    ("GET", re.compile(r"^/workspaces/([^/]+)$"), "workspace", "read", True),
    ("DELETE", re.compile(r"^/workspaces/([^/]+)$"), "workspace", "delete", True),
    ("POST", re.compile(r"^/workspaces/([^/]+)/start$"), "workspace", "start", True),
    ("GET", re.compile(r"^/templates/([^/]+)$"), "template", "read", True),
]


def route(method, path):
    """(resource, id, action, is_list) for a request, or None."""
    for m, pattern, resource, action, has_id in ROUTES:
        match = pattern.match(path)
        if m == method and match:
            oid = match.group(1) if has_id else None
            listing = m == "GET" and not has_id
            return resource, oid, action, listing
    return None


def _reply(start_response, status, body, headers=()):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))] + list(headers))
    return [data]


class AuthzMiddleware:
    """Wraps a WSGI app; keys maps API key -> authz.Token."""

    def __init__(self, app, keys, log=None):
        self.app = app
        self.keys = dict(keys)
        self.log = log
        self.list_target = authz.Target("workspace", "read")

    def __call__(self, environ, start_response):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        tok = self.keys.get(auth[7:]) if auth.startswith("Bearer ") else None
        if tok is None:
            return _reply(start_response, "401 Unauthorized", {"error": "no valid API key"})
        r = route(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
        if r is None:
            return _reply(start_response, "404 Not Found", {"error": "no such route"})
        resource, oid, action, listing = r
        if listing:
            # A list endpoint: the filter runs over the rows, not the route.
            environ["authz.filter"] = lambda ids: [
                i for i, ok in zip(ids, tok.check_many(self.list_target, ids)) if ok]
        else:
            try:
                ok = tok.check(resource, oid, action)
            except ValueError:  # a NUL in the path: refused before any check
                ok = False
            if not ok:
                reason = "invalid_argument"
                if "\0" not in (oid or ""):
                    reason = tok.explain(resource, oid, action).reason
                if self.log is not None:
                    self.log(f"deny {action} {resource} {oid}: {reason}")
                return _reply(start_response, "403 Forbidden",
                              {"error": "forbidden", "reason": reason},
                              [("X-Authz-Reason", reason)])
        environ["authz.request"] = (resource, oid, action)
        return self.app(environ, start_response)


def demo_app(workspaces):
    """A toy application over a dict of workspaces (id -> name)."""
    def app(environ, start_response):
        resource, oid, action = environ["authz.request"]
        if action == "create":
            return _reply(start_response, "201 Created", {"created": resource})
        if oid is None:
            ids = environ["authz.filter"](sorted(workspaces))
            return _reply(start_response, "200 OK", {"workspaces": ids})
        if resource == "workspace" and oid not in workspaces:
            return _reply(start_response, "404 Not Found", {"error": "no such workspace"})
        return _reply(start_response, "200 OK", {"id": oid, "action": action})
    return app


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    w = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
    keys = {"reader": authz.Token(["workspace:read"], ["workspace:" + w])}
    app = AuthzMiddleware(demo_app({w: "dev"}), keys, log=print)
    with make_server("127.0.0.1", port, app) as httpd:
        httpd.serve_forever()


if __name__ == "__main__":
    main()
