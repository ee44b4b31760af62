package httpauthz_test

import (
	"bytes"
	"encoding/json"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"authz"
	"authz/examples/httpauthz"
)

const (
	W = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	T = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
)

func token(t *testing.T, scopes, allow []string) *authz.Token {
	tok, err := authz.NewToken(nil, scopes, allow)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// A real server on 127.0.0.1 (httptest picks a free port), each answer and
// reason asserted.
func TestMiddleware(t *testing.T) {
	keys := map[string]*authz.Token{
		"reader":  token(t, []string{"workspace:read"}, []string{"workspace:" + W}),
		"creator": token(t, []string{"coder:workspaces.create"}, []string{"workspace:*"}),
		"admin":   token(t, []string{"coder:all"}, []string{"*:*"}),
	}
	var logs bytes.Buffer
	srv := httptest.NewServer(httpauthz.Middleware(keys, log.New(&logs, "", 0),
		httpauthz.DemoApp([]string{W, T})))
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second}
	cases := []struct {
		key, method, path string
		status            int
		reason            string
		list              []string
	}{
		{"reader", "GET", "/workspaces/" + W, 200, "", nil},
		{"reader", "GET", "/workspaces/" + strings.ToUpper(W), 200, "", nil},
		{"reader", "GET", "/workspaces/" + T, 403, "not_listed", nil},
		{"reader", "DELETE", "/workspaces/" + W, 403, "no_grant", nil},
		{"reader", "POST", "/workspaces", 403, "no_grant", nil},
		{"reader", "GET", "/templates/" + T, 403, "no_grant", nil},
		{"reader", "GET", "/workspaces/%00", 403, "not_listed", nil},
		{"reader", "GET", "/workspaces/" + W + "%00", 403, "not_listed", nil},
		{"reader", "GET", "/workspaces", 200, "", []string{W}},
		{"creator", "POST", "/workspaces", 201, "", nil},
		{"creator", "POST", "/workspaces/" + T + "/start", 200, "", nil},
		{"creator", "DELETE", "/workspaces/" + T, 403, "no_grant", nil},
		{"admin", "DELETE", "/workspaces/" + T, 200, "", nil},
		{"admin", "GET", "/workspaces", 200, "", []string{W, T}},
		{"", "GET", "/workspaces/" + W, 401, "", nil},
		{"stolen", "GET", "/workspaces/" + W, 401, "", nil},
		{"admin", "GET", "/nowhere", 404, "", nil},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]interface{}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != c.status {
			t.Fatalf("%s %s %s: %d %v %v", c.key, c.method, c.path, resp.StatusCode, body, err)
		}
		if c.reason != "" && (body["reason"] != c.reason || resp.Header.Get("X-Authz-Reason") != c.reason) {
			t.Fatalf("%s %s %s: reason %v", c.key, c.method, c.path, body["reason"])
		}
		if c.list != nil {
			var got []string
			for _, v := range body["workspaces"].([]interface{}) {
				got = append(got, v.(string))
			}
			if !reflect.DeepEqual(got, c.list) {
				t.Fatalf("%s: list %v, want %v", c.key, got, c.list)
			}
		}
	}
	if !strings.Contains(logs.String(), "deny read workspace "+T+": not_listed\n") {
		t.Fatalf("log: %q", logs.String())
	}
}
