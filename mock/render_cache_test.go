package mock

import "testing"

// The cached single-user entity must follow every change it depends on.
func TestCachedUserEntityNeverGoesStale(t *testing.T) {
	s := newTestServer(t, Options{})
	get := func(token, host string) map[string]any {
		t.Helper()
		r := req{path: "/api/v4/users/7", token: token}
		if host != "" {
			r.header = map[string]string{"X-Forwarded-Proto": host}
		}
		return decode[map[string]any](t, do(t, s, r))
	}
	if get(rootToken, "")["bio"] != "" {
		t.Fatal("bio")
	}
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/users/7", token: rootToken, body: `{"bio":"new"}`}), 200, "")
	if got := get(rootToken, ""); got["bio"] != "new" {
		t.Fatalf("stale bio after update: %v", got["bio"])
	}
	if _, ok := get(johnToken, "")["is_admin"]; ok {
		t.Fatal("a user got the admin entity cached for an admin")
	}
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/follow", token: johnToken}), 201, "")
	if got := get(johnToken, ""); got["followers"] != float64(1) || got["is_followed"] != true {
		t.Fatalf("stale follow counts: %v %v", got["followers"], got["is_followed"])
	}
	if got := get(rootToken, "https")["web_url"]; got != "https://gitlab.test/user1" {
		t.Fatalf("web_url from another base: %v", got)
	}
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/block", token: rootToken}), 201, "")
	if _, ok := get(johnToken, "")["created_at"]; ok {
		t.Fatal("a blocked user's profile dates were served from the cache")
	}
}
