// Package httpauthz is an example net/http middleware that authorizes every
// request with an authz token.
//
// Each API key maps to a token compiled once at start-up; each request is
// mapped to (resource, id, action) by a route table, checked, and refused
// with 401 (no or unknown key), 403 (the token does not allow it; the reason
// goes to the log and the X-Authz-Reason header) or 404 (no route). A list
// endpoint filters its rows with CheckMany: one cgo call per page.
//
//	GET    /workspaces             list (only the ids the token admits)
//	POST   /workspaces             create (no id)
//	GET    /workspaces/{id}        read
//	DELETE /workspaces/{id}        delete
//	POST   /workspaces/{id}/start  start
//	GET    /templates/{id}         read a template
package httpauthz

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strings"

	"authz"
)

// Request is what the middleware decided on, for the handler.
type Request struct {
	Resource, ID, Action string
	Token                *authz.Token
}

type ctxKey struct{}

// FromContext gives the authorized request.
func FromContext(ctx context.Context) Request {
	r, _ := ctx.Value(ctxKey{}).(Request)
	return r
}

// Route maps a method and path to (resource, id, action); ok false: no route.
func Route(method, path string) (resource, id, action string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "workspaces" && method == http.MethodGet:
		return "workspace", "", "read", true
	case len(parts) == 1 && parts[0] == "workspaces" && method == http.MethodPost:
		return "workspace", "", "create", true
	case len(parts) == 2 && parts[0] == "workspaces" && method == http.MethodGet:
		return "workspace", parts[1], "read", true
	case len(parts) == 2 && parts[0] == "workspaces" && method == http.MethodDelete:
		return "workspace", parts[1], "delete", true
	case len(parts) == 3 && parts[0] == "workspaces" && parts[2] == "start" && method == http.MethodPost:
		return "workspace", parts[1], "start", true
	case len(parts) == 2 && parts[0] == "templates" && method == http.MethodGet:
		return "template", parts[1], "read", true
	}
	return "", "", "", false
}

func reply(w http.ResponseWriter, status int, body interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// Middleware authorizes each request; keys maps API key to token.
func Middleware(keys map[string]*authz.Token, logger *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		tok, found := keys[strings.TrimPrefix(auth, "Bearer ")]
		if !strings.HasPrefix(auth, "Bearer ") || !found {
			reply(w, http.StatusUnauthorized, map[string]string{"error": "no valid API key"})
			return
		}
		resource, id, action, ok := Route(r.Method, r.URL.Path)
		if !ok {
			reply(w, http.StatusNotFound, map[string]string{"error": "no such route"})
			return
		}
		// A list (GET /workspaces) is filtered row by row by the handler.
		if !(r.Method == http.MethodGet && id == "" && action == "read") && !tok.Check(resource, id, action) {
			reason := tok.Explain(resource, id, action).Reason.String()
			if logger != nil {
				logger.Printf("deny %s %s %s: %s", action, resource, id, reason)
			}
			w.Header().Set("X-Authz-Reason", reason)
			reply(w, http.StatusForbidden, map[string]string{"error": "forbidden", "reason": reason})
			return
		}
		ctx := context.WithValue(r.Context(), ctxKey{}, Request{resource, id, action, tok})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// DemoApp is a toy application over a fixed, sorted list of workspace ids.
func DemoApp(workspaces []string) http.Handler {
	readWorkspace, err := authz.NewTarget(nil, "workspace", "read")
	if err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := FromContext(r.Context())
		switch {
		case req.Action == "create":
			reply(w, http.StatusCreated, map[string]string{"created": req.Resource})
		case req.ID == "":
			allowed := make([]bool, len(workspaces))
			req.Token.CheckMany(readWorkspace, workspaces, allowed)
			ids := []string{}
			for i, ok := range allowed {
				if ok {
					ids = append(ids, workspaces[i])
				}
			}
			reply(w, http.StatusOK, map[string][]string{"workspaces": ids})
		default:
			reply(w, http.StatusOK, map[string]string{"id": req.ID, "action": req.Action})
		}
	})
}
