package mock

import (
	"fmt"
	"testing"
	"time"
)

// The seed docs' curl examples, against the default fixtures.
func TestSeedDocsImpersonationTokenExamples(t *testing.T) {
	now := time.Date(2017, 3, 20, 0, 0, 0, 0, time.UTC) // when the docs were written
	s := newTestServer(t, Options{Now: func() time.Time { return now }})

	t.Run("get", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v4/users/42/impersonation_tokens/2", token: rootToken}), 200,
			`{"id":2,"name":"mytoken","revoked":false,"created_at":"2017-03-17T17:18:09.283Z","description":null,"scopes":["api"],"user_id":42,"last_used_at":null,"active":true,"expires_at":"2017-04-04","last_used_ips":[],"impersonation":true}`)
	})
	t.Run("list by state", func(t *testing.T) {
		for state, want := range map[string]string{"all": "[1 2 3]", "active": "[1 2]", "inactive": "[3]"} {
			got := ids(t, decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/users/42/impersonation_tokens?state=" + state, token: rootToken})))
			if fmt.Sprint(got) != want {
				t.Errorf("state=%s: %v, want %s", state, got, want)
			}
		}
	})
	t.Run("create with form data as the docs' curl does", func(t *testing.T) {
		rec := do(t, s, req{method: "POST", path: "/api/v4/users/42/impersonation_tokens", token: rootToken,
			body: "name=mytoken&expires_at=2017-04-04&scopes%5B%5D=api", contentType: "application/x-www-form-urlencoded"})
		expect(t, rec, 201, "")
		tok := decode[map[string]any](t, rec)
		if tok["active"] != true || tok["impersonation"] != true || tok["expires_at"] != "2017-04-04" || len(tok["token"].(string)) != len("glpat-")+20 {
			t.Fatalf("created %v", tok)
		}
		// The new token authorizes at once, as user 42.
		me := decode[map[string]any](t, do(t, s, req{path: "/api/v4/user", token: tok["token"].(string)}))
		if me["username"] != "jane_doe" {
			t.Fatalf("token acts as %v", me["username"])
		}
	})
	t.Run("revoke is 204 and the token stops working", func(t *testing.T) {
		expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/42/impersonation_tokens/1", token: rootToken}), 204, "")
		expect(t, do(t, s, req{path: "/api/v4/user", token: "glimp-seed-token-one-0001"}), 401, bodyRevoked)
	})
}

func TestImpersonationTokenErrors(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		want                            string
	}{
		{"non-admin is 403 before params", "POST", "/api/v4/users/42/impersonation_tokens", johnToken, `{}`, 403, `{"message":"403 Forbidden"}`},
		{"missing name", "POST", "/api/v4/users/42/impersonation_tokens", rootToken, `{"scopes":["api"]}`, 400, `{"error":"name is missing"}`},
		{"unknown scope", "POST", "/api/v4/users/42/impersonation_tokens", rootToken, `{"name":"n","scopes":["root"]}`, 400, `{"error":"scopes does not have a valid value"}`},
		{"no scopes", "POST", "/api/v4/users/42/impersonation_tokens", rootToken, `{"name":"n"}`, 400, `{"message":{"scopes":["can't be blank"]}}`},
		{"missing user", "GET", "/api/v4/users/999/impersonation_tokens", rootToken, "", 404, `{"message":"404 User Not Found"}`},
		{"a personal token is not an impersonation token", "GET", "/api/v4/users/1/impersonation_tokens/10", rootToken, "", 404, `{"message":"404 Impersonation Token Not Found"}`},
		{"another user's token", "GET", "/api/v4/users/1/impersonation_tokens/2", rootToken, "", 404, `{"message":"404 Impersonation Token Not Found"}`},
		{"bad state", "GET", "/api/v4/users/42/impersonation_tokens?state=gone", rootToken, "", 400, `{"error":"state does not have a valid value"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, s, req{method: tc.method, path: tc.path, token: tc.token, body: tc.body}), tc.status, tc.want)
		})
	}
	t.Run("comma-separated scopes and an RFC 3339 expires_at (xanzy/go-gitlab sends one)", func(t *testing.T) {
		rec := do(t, s, req{method: "POST", path: "/api/v4/users/42/impersonation_tokens", token: rootToken,
			body: `{"name":"n","scopes":"api,read_user","expires_at":"2030-01-02T03:04:05Z"}`})
		expect(t, rec, 201, "")
		tok := decode[map[string]any](t, rec)
		if tok["expires_at"] != "2030-01-02" || fmt.Sprint(tok["scopes"]) != "[api read_user]" {
			t.Fatalf("token %v", tok)
		}
	})
}

func TestUserEventsAndActivities(t *testing.T) {
	s := newTestServer(t, Options{})
	t.Run("events by username, newest first, anonymous allowed", func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v4/users/root/events"})
		expect(t, rec, 200, "")
		got := ids(t, decode[[]map[string]any](t, rec))
		if fmt.Sprint(got) != "[4 3 2 1]" || rec.Header().Get("X-Total") != "4" {
			t.Fatalf("events %v", got)
		}
	})
	t.Run("action and target_type filters", func(t *testing.T) {
		got := decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/users/3/events?action=closed&target_type=issue&sort=asc"}))
		if len(got) != 2 || got[0]["target_title"] != "Public project search field" {
			t.Fatalf("events %v", got)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v4/users/nobody/events"}), 404, `{"message":"404 User Not Found"}`)
	})
	t.Run("activities from a date, oldest first", func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v4/user/activities?from=2015-12-15", token: rootToken})
		expect(t, rec, 200, "")
		got := decode[[]map[string]any](t, rec)
		if len(got) < 2 || got[0]["username"] != "user2" || got[0]["last_activity_at"] != "2015-12-15" {
			t.Fatalf("activities %v", got)
		}
	})
}

// ImpersonationTokenWithToken is PersonalAccessTokenWithToken + impersonation:
// no last_used_ips, unlike the ImpersonationToken of lists and gets.
func TestCreatedImpersonationTokenHasNoLastUsedIPs(t *testing.T) {
	s := newTestServer(t, Options{})
	tok := decode[map[string]any](t, do(t, s, req{method: "POST", path: "/api/v4/users/42/impersonation_tokens", token: rootToken, body: `{"name":"n","scopes":["api"]}`}))
	if _, ok := tok["last_used_ips"]; ok || tok["impersonation"] != true || tok["token"] == nil {
		t.Fatalf("created %v", tok)
	}
	got := decode[map[string]any](t, do(t, s, req{path: fmt.Sprintf("/api/v4/users/42/impersonation_tokens/%d", int(tok["id"].(float64))), token: rootToken}))
	if _, ok := got["last_used_ips"]; !ok || got["token"] != nil {
		t.Fatalf("get %v", got)
	}
}

// Grape reads an empty user_id as absent.
func TestPATListWithAnEmptyUserIDIsUnfiltered(t *testing.T) {
	s := newTestServer(t, Options{})
	all := do(t, s, req{path: "/api/v4/personal_access_tokens?per_page=100", token: rootToken})
	empty := do(t, s, req{path: "/api/v4/personal_access_tokens?per_page=100&user_id=", token: rootToken})
	expect(t, empty, 200, "")
	if empty.Header().Get("X-Total") != all.Header().Get("X-Total") {
		t.Fatalf("user_id= gives %s tokens, no filter %s", empty.Header().Get("X-Total"), all.Header().Get("X-Total"))
	}
	expect(t, do(t, s, req{path: "/api/v4/personal_access_tokens?user_id=", token: johnToken}), 200, "")
}
