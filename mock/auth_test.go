package mock

import (
	"net/http"
	"testing"
	"time"
)

const (
	bodyUnauthorized = `{"message":"401 Unauthorized"}`
	bodyExpired      = `{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}`
	bodyRevoked      = `{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}`
)

func TestTokenIsAcceptedFromEveryTransportGitLabReads(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, tc := range []struct {
		name string
		r    req
	}{
		{"PRIVATE-TOKEN header", req{path: "/api/v4/user", token: johnToken}},
		{"private_token query", req{path: "/api/v4/user?private_token=" + johnToken}},
		{"Authorization Bearer", req{path: "/api/v4/user", header: map[string]string{"Authorization": "Bearer " + johnToken}}},
		{"access_token query", req{path: "/api/v4/user?access_token=" + johnToken}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, tc.r)
			expect(t, rec, http.StatusOK, "")
			if got := decode[map[string]any](t, rec)["username"]; got != "john_smith" {
				t.Fatalf("username = %v", got)
			}
		})
	}
}

func TestTokenFailuresGetGitLabsBodies(t *testing.T) {
	s := newTestServer(t, Options{})
	scopeWrite := `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`
	for _, tc := range []struct {
		name   string
		r      req
		status int
		body   string
	}{
		{"unknown token is 401 even where anonymous access is allowed", req{path: "/api/v4/users?username=john_smith", token: "nope"}, 401, bodyUnauthorized},
		{"unknown token on /user", req{path: "/api/v4/user", token: "nope"}, 401, bodyUnauthorized},
		{"expired token", req{path: "/api/v4/user", token: johnExpired}, 401, bodyExpired},
		{"revoked token", req{path: "/api/v4/user", token: johnRevoked}, 401, bodyRevoked},
		{"read_user token may read users", req{path: "/api/v4/users/1", token: johnReadUser}, 200, ""},
		{"read_api token may read users", req{path: "/api/v4/user", token: johnReadAPI}, 200, ""},
		{"read_user token may not create users", req{method: "POST", path: "/api/v4/users", token: johnReadUser, body: `{}`}, 403, scopeWrite},
		{"read_user token may not read version (API::API scopes only)", req{path: "/api/v4/version", token: johnReadUser}, 403,
			`{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"}`},
		{"blocked user's token", req{path: "/api/v4/user", token: jackBlockedToken}, 403, `{"message":"403 Forbidden - Your account has been blocked."}`},
		{"ldap_blocked user's token", req{path: "/api/v4/user", token: ldapToken}, 403, `{"message":"403 Forbidden - Your account has been blocked."}`},
		{"deactivated user's token", req{path: "/api/v4/user", token: dormantToken}, 403,
			`{"message":"403 Forbidden - Your account has been deactivated by your administrator. Please log back in from a web browser to reactivate your account at http://gitlab.test"}`},
		{"pending user's token", req{path: "/api/v4/user", token: pendingToken}, 403,
			`{"message":"403 Forbidden - Your account is pending approval from your administrator and hence blocked."}`},
		{"anonymous /user", req{path: "/api/v4/user"}, 401, bodyUnauthorized},
		{"empty PRIVATE-TOKEN counts as anonymous", req{path: "/api/v4/users?username=john_smith", header: map[string]string{"PRIVATE-TOKEN": ""}}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, s, tc.r), tc.status, tc.body)
		})
	}
}

func TestExpiryFollowsTheMockClock(t *testing.T) {
	now := time.Date(2019, 12, 31, 23, 0, 0, 0, time.UTC)
	s := newTestServer(t, Options{Now: func() time.Time { return now }})
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnExpired}), 200, "")
	s.clock.Advance(time.Hour) // 2020-01-01T00:00Z: the token's expires_at day begins
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnExpired}), 401, bodyExpired)
}

func TestSudoFollowsGitLabsRules(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, tc := range []struct {
		name     string
		r        req
		status   int
		body     string
		username string
	}{
		{"sudo without a login is 401", req{path: "/api/v4/user", header: map[string]string{"Sudo": "john_smith"}}, 401, bodyUnauthorized, ""},
		{"non-admin may not sudo", req{path: "/api/v4/user?sudo=3", token: johnToken}, 403, `{"message":"403 Forbidden - Must be admin to use sudo"}`, ""},
		{"admin token without sudo scope", req{path: "/api/v4/user", token: rootAPIToken, header: map[string]string{"Sudo": "1"}}, 403,
			`{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"sudo"}`, ""},
		{"unknown sudo target", req{path: "/api/v4/user", token: rootToken, header: map[string]string{"Sudo": "nobody"}}, 404,
			`{"message":"404 User with ID or username 'nobody' Not Found"}`, ""},
		{"sudo by username header, case-insensitive", req{path: "/api/v4/user", token: rootToken, header: map[string]string{"Sudo": "JOHN_SMITH"}}, 200, "", "john_smith"},
		{"sudo by id param", req{path: "/api/v4/user?sudo=1", token: rootToken}, 200, "", "john_smith"},
		{"sudo param in a JSON body", req{method: "PUT", path: "/api/v4/users/1", token: rootToken, body: `{"sudo":"root","bio":"x"}`}, 200, "", "john_smith"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, tc.r)
			expect(t, rec, tc.status, tc.body)
			if tc.username != "" {
				if got := decode[map[string]any](t, rec)["username"]; got != tc.username {
					t.Fatalf("username = %v, want %s", got, tc.username)
				}
			}
		})
	}
}

func TestSudoToARegularUserRendersUserPublicWithoutAdminFields(t *testing.T) {
	s := newTestServer(t, Options{})
	got := decode[map[string]any](t, do(t, s, req{path: "/api/v4/user", token: rootToken, header: map[string]string{"Sudo": "john_smith"}}))
	if _, ok := got["note"]; ok {
		t.Fatalf("sudo to a regular user exposes note: %v", got)
	}
	if got["email"] != "john@example.com" {
		t.Fatalf("email = %v", got["email"])
	}
	admin := decode[map[string]any](t, do(t, s, req{path: "/api/v4/user", token: rootToken}))
	if _, ok := admin["note"]; !ok || admin["is_admin"] != true {
		t.Fatalf("GET /user as admin lacks UserWithAdmin fields: %v", admin)
	}
}

func TestBodyAndSudoEdgeCases(t *testing.T) {
	s := newTestServer(t, Options{})
	// A malformed body on a read that checks its login late is still 400.
	expect(t, do(t, s, req{path: "/api/v4/users/1/custom_attributes", token: rootToken, body: `{`}), 400,
		`{"error":"message body does not match declared format"}`)
	// sudo given as a JSON number works like the string.
	rec := do(t, s, req{method: "PUT", path: "/api/v4/users/7", token: rootToken, body: `{"sudo":1,"bio":"x"}`})
	expect(t, rec, 403, `{"message":"403 Forbidden"}`) // acting as john_smith, not an admin
}
