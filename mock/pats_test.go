package mock

import (
	"fmt"
	"testing"
	"time"
)

// The acceptance test: a created token authorizes at once, limited by
// its scopes, records its use, and stops with GitLab's 401 once the mock clock
// passes its expiry.
func TestCreatedTokenAuthorizesUntilItExpiresByTheMockClock(t *testing.T) {
	s := newTestServer(t, Options{TokenSeed: 7})
	s.clock.Set(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	rec := do(t, s, req{method: "POST", path: "/api/v4/users/1/personal_access_tokens", token: rootToken,
		body: `{"name":"ci","scopes":["read_user"],"expires_at":"2026-05-03"}`})
	expect(t, rec, 201, "")
	tok := decode[map[string]any](t, rec)
	value := tok["token"].(string)
	if len(value) != len("glpat-")+20 || value[:6] != "glpat-" || tok["expires_at"] != "2026-05-03" || tok["active"] != true {
		t.Fatalf("created %v", tok)
	}
	me := decode[map[string]any](t, do(t, s, req{path: "/api/v4/user", token: value}))
	if me["username"] != "john_smith" {
		t.Fatalf("token acts as %v", me["username"])
	}
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/1/follow", token: value}), 403,
		`{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`)
	self := decode[map[string]any](t, do(t, s, req{path: "/api/v4/personal_access_tokens/self", token: value}))
	if self["last_used_at"] != "2026-05-01T10:00:00.000Z" {
		t.Fatalf("last_used_at %v", self["last_used_at"])
	}
	s.clock.Advance(48 * time.Hour) // 2026-05-03T10:00: past the start of the expiry day
	expect(t, do(t, s, req{path: "/api/v4/user", token: value}), 401, bodyExpired)
}

func TestTokenSeedMakesValuesDeterministic(t *testing.T) {
	create := func(seed int64) string {
		s := newTestServer(t, Options{TokenSeed: seed})
		rec := do(t, s, req{method: "POST", path: "/api/v4/users/1/personal_access_tokens", token: rootToken, body: `{"name":"a","scopes":["api"]}`})
		return decode[map[string]any](t, rec)["token"].(string)
	}
	if a, b := create(42), create(42); a != b {
		t.Fatalf("seed 42 gave %s and %s", a, b)
	}
	if a, b := create(42), create(43); a == b {
		t.Fatalf("seeds 42 and 43 both gave %s", a)
	}
	if a, b := create(0), create(0); a == b {
		t.Fatalf("unseeded servers both gave %s", a)
	}
}

func TestPersonalAccessTokenRoutes(t *testing.T) {
	s := newTestServer(t, Options{TokenSeed: 1})
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		want                            string
	}{
		{"admin create needs an admin before params", "POST", "/api/v4/users/1/personal_access_tokens", johnToken, `{}`, 403, `{"message":"403 Forbidden"}`},
		{"admin create: missing params", "POST", "/api/v4/users/1/personal_access_tokens", rootToken, `{}`, 400, `{"error":"name is missing, scopes is missing"}`},
		{"admin create: unknown scope", "POST", "/api/v4/users/1/personal_access_tokens", rootToken, `{"name":"n","scopes":["everything"]}`, 400, `{"error":"scopes does not have a valid value"}`},
		{"admin create: missing user", "POST", "/api/v4/users/999/personal_access_tokens", rootToken, `{"name":"n","scopes":["api"]}`, 404, `{"message":"404 User Not Found"}`},
		{"self create: only k8s_proxy and self_rotate", "POST", "/api/v4/user/personal_access_tokens", johnToken, `{"name":"n","scopes":["api"]}`, 400, `{"error":"scopes does not have a valid value"}`},
		{"self create: empty scopes", "POST", "/api/v4/user/personal_access_tokens", johnToken, `{"name":"n","scopes":[]}`, 422, `{"message":"Scopes can't be blank"}`},
		{"another user's token is 401", "GET", "/api/v4/personal_access_tokens/4", johnToken, "", 401, `{"message":"401 Unauthorized"}`},
		{"a missing token is 404 for admins", "GET", "/api/v4/personal_access_tokens/9999", rootToken, "", 404, `{"message":"404 Not Found"}`},
		{"list another user's tokens as a user", "GET", "/api/v4/personal_access_tokens?user_id=3", johnToken, "", 401, `{"message":"401 Unauthorized"}`},
		{"bad state filter", "GET", "/api/v4/personal_access_tokens?state=gone", johnToken, "", 400, `{"error":"state does not have a valid value"}`},
		{"rotate a revoked token", "POST", "/api/v4/personal_access_tokens/14/rotate", johnToken, "", 400, `{"message":"400 Bad request - Token already revoked"}`},
		{"revoke another user's token", "DELETE", "/api/v4/personal_access_tokens/4", johnToken, "", 400, `{"message":"400 Bad request"}`},
		{"revoke a missing token", "DELETE", "/api/v4/personal_access_tokens/9999", johnToken, "", 404, `{"message":"404 Not found"}`},
		{"admin lists a missing user's tokens", "GET", "/api/v4/personal_access_tokens?user_id=999", rootToken, "", 404, `{"message":"404 Not Found"}`},
		{"user_id is checked before the filters", "GET", "/api/v4/personal_access_tokens?user_id=3&state=gone", johnToken, "", 401, `{"message":"401 Unauthorized"}`},
		{"get by id has last_used_ips", "GET", "/api/v4/personal_access_tokens/12", johnToken, "", 200,
			`{"id":12,"name":"john-read-user","revoked":false,"created_at":"2012-05-23T08:00:58.000Z","description":null,"scopes":["read_user"],"user_id":1,"last_used_at":null,"active":true,"expires_at":null,"last_used_ips":[]}`},
		{"self associations", "GET", "/api/v4/personal_access_tokens/self/associations", johnReadUser, "", 200, `{"groups":[],"projects":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, s, req{method: tc.method, path: tc.path, token: tc.token, body: tc.body}), tc.status, tc.want)
		})
	}
	t.Run("a user lists their own personal tokens, filtered", func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v4/personal_access_tokens?state=active&revoked=false", token: johnToken})
		expect(t, rec, 200, "")
		if got := ids(t, decode[[]map[string]any](t, rec)); fmt.Sprint(got) != "[10 11 12]" {
			t.Fatalf("ids %v", got)
		}
	})
	t.Run("an admin lists everyone's, or one user's", func(t *testing.T) {
		got := ids(t, decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/personal_access_tokens?user_id=42", token: rootToken})))
		if fmt.Sprint(got) != "[1 2 3]" {
			t.Fatalf("ids %v", got)
		}
	})
	t.Run("rotate: new token, old one revoked", func(t *testing.T) {
		rec := do(t, s, req{method: "POST", path: "/api/v4/personal_access_tokens/11/rotate", token: johnToken, body: `{"expires_at":"2030-01-01"}`})
		expect(t, rec, 200, "")
		nt := decode[map[string]any](t, rec)
		if nt["name"] != "john-read-api" || nt["expires_at"] != "2030-01-01" || nt["token"] == nil || nt["id"] == float64(11) {
			t.Fatalf("rotated %v", nt)
		}
		expect(t, do(t, s, req{path: "/api/v4/user", token: johnReadAPI}), 401, bodyRevoked)
		expect(t, do(t, s, req{path: "/api/v4/user", token: nt["token"].(string)}), 200, "")
	})
	t.Run("self rotate, then self revoke", func(t *testing.T) {
		rec := do(t, s, req{method: "POST", path: "/api/v4/personal_access_tokens/self/rotate", token: johnReadUser})
		expect(t, rec, 403, `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api self_rotate"}`)
		rec = do(t, s, req{method: "POST", path: "/api/v4/user/personal_access_tokens", token: johnToken, body: `{"name":"k","scopes":["self_rotate"]}`})
		expect(t, rec, 201, "")
		k := decode[map[string]any](t, rec)["token"].(string)
		rec = do(t, s, req{method: "POST", path: "/api/v4/personal_access_tokens/self/rotate", token: k})
		expect(t, rec, 200, "")
		k2 := decode[map[string]any](t, rec)["token"].(string)
		expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/personal_access_tokens/self", token: k2}), 204, "")
		expect(t, do(t, s, req{path: "/api/v4/personal_access_tokens/self", token: k2}), 401, bodyRevoked)
	})
	t.Run("revoke by id", func(t *testing.T) {
		expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/personal_access_tokens/12", token: rootToken}), 204, "")
		expect(t, do(t, s, req{path: "/api/v4/user", token: johnReadUser}), 401, bodyRevoked)
	})
}

func TestTokenSeedSequenceRestartsOnReset(t *testing.T) {
	s := newTestServer(t, Options{TokenSeed: 9})
	create := func() string {
		rec := do(t, s, req{method: "POST", path: "/api/v4/users/1/personal_access_tokens", token: rootToken, body: `{"name":"a","scopes":["api"]}`})
		expect(t, rec, 201, "")
		return decode[map[string]any](t, rec)["token"].(string)
	}
	first := create()
	if second := create(); second == first {
		t.Fatalf("two tokens with the same value %s", first)
	}
	s.Reset()
	if again := create(); again != first {
		t.Fatalf("after Reset: %s, want %s again", again, first)
	}
}
