package mock

import (
	"testing"
	"time"
)

// Reference §1a/§3: every moderation transition and refusal, exact bodies.
func TestModerationTransitionsAndRefusals(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// One server for the whole table, in order: later cases see earlier transitions.
	s := newTestServer(t, Options{Now: func() time.Time { return now }})
	for _, tc := range []struct {
		name, method, path, token string
		status                    int
		want                      string
	}{
		{"block an LDAP-blocked user", "POST", "/api/v4/users/4/block", rootToken, 403, `{"message":"403 Forbidden - LDAP blocked users cannot be modified by the API"}`},
		{"unblock an LDAP-blocked user", "POST", "/api/v4/users/4/unblock", rootToken, 403, `{"message":"403 Forbidden - LDAP blocked users cannot be unblocked by the API"}`},
		{"unblock a deactivated user", "POST", "/api/v4/users/5/unblock", rootToken, 403, `{"message":"403 Forbidden - Deactivated users cannot be unblocked by the API"}`},
		{"block oneself", "POST", "/api/v4/users/3/block", rootToken, 403, `{"message":"403 Forbidden - The API initiating user cannot be blocked by the API"}`},
		{"block an already blocked user is 201 null", "POST", "/api/v4/users/2/block", rootToken, 201, `null`},
		{"block an active user", "POST", "/api/v4/users/7/block", rootToken, 201, `true`},
		{"unblock an active user is 201 false", "POST", "/api/v4/users/8/unblock", rootToken, 201, `false`},
		{"unblock a blocked user", "POST", "/api/v4/users/2/unblock", rootToken, 201, `true`},
		{"block needs an admin", "POST", "/api/v4/users/7/block", johnToken, 403, `{"message":"403 Forbidden"}`},
		{"block anonymously", "POST", "/api/v4/users/7/block", "", 401, `{"message":"401 Unauthorized"}`},
		{"block a missing user", "POST", "/api/v4/users/999/block", rootToken, 404, `{"message":"404 User Not Found"}`},
		{"block a non-numeric id", "POST", "/api/v4/users/abc/block", rootToken, 404, `{"error":"404 Not Found"}`},
		{"activate an LDAP-blocked user", "POST", "/api/v4/users/4/activate", rootToken, 403, `{"message":"Error occurred. A blocked user must be unblocked to be activated"}`},
		{"activate a deactivated user", "POST", "/api/v4/users/5/activate", rootToken, 201, `true`},
		{"deactivate a user never active", "POST", "/api/v4/users/42/deactivate", rootToken, 201, `true`},
		{"deactivate a deactivated user is 201 null", "POST", "/api/v4/users/42/deactivate", rootToken, 201, `null`},
		{"deactivate a blocked user", "POST", "/api/v4/users/4/deactivate", rootToken, 403, `{"message":"Error occurred. A blocked user cannot be deactivated"}`},
		{"ban an LDAP-blocked user", "POST", "/api/v4/users/4/ban", rootToken, 403, `{"message":"You cannot ban ldap_blocked users."}`},
		{"ban an active user", "POST", "/api/v4/users/9/ban", rootToken, 201, `true`},
		{"ban a banned user", "POST", "/api/v4/users/9/ban", rootToken, 403, `{"message":"You cannot ban banned users."}`},
		{"unban a banned user", "POST", "/api/v4/users/9/unban", rootToken, 201, `true`},
		{"unban an active user", "POST", "/api/v4/users/9/unban", rootToken, 403, `{"message":"You cannot unban active users."}`},
		{"approve as a non-admin", "POST", "/api/v4/users/6/approve", johnToken, 403, `{"message":"You are not allowed to approve a user"}`},
		{"approve an active user", "POST", "/api/v4/users/7/approve", rootToken, 409, `{"message":"The user you are trying to approve is not pending approval"}`},
		{"reject an active user", "POST", "/api/v4/users/7/reject", rootToken, 409, `{"message":"User does not have a pending request"}`},
		{"reject as a non-admin", "POST", "/api/v4/users/6/reject", johnToken, 403, `{"message":"You are not allowed to reject a user"}`},
		{"approve a pending user", "POST", "/api/v4/users/6/approve", rootToken, 201, `{"message":"Success"}`},
		{"disable 2FA of an admin", "PATCH", "/api/v4/users/3/disable_two_factor", rootToken, 403, `{"message":"403 Forbidden - Two-factor authentication for admins cannot be disabled via the API. Use the Rails console"}`},
		{"disable 2FA", "PATCH", "/api/v4/users/1/disable_two_factor", rootToken, 204, ``},
		{"disable 2FA again", "PATCH", "/api/v4/users/1/disable_two_factor", rootToken, 400, `{"message":"400 Bad request - Two-factor authentication is not enabled for this user"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, s, req{method: tc.method, path: tc.path, token: tc.token}), tc.status, tc.want)
		})
	}
}

// Deactivation is refused for 90 days after API use, by the mock clock;
// the user's own token then gets §4's deactivated reason.
func TestDeactivateHonoursTheDormantPeriodByTheMockClock(t *testing.T) {
	s := newTestServer(t, Options{})
	s.clock.Set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 200, "")
	u := decode[map[string]any](t, do(t, s, req{path: "/api/v4/user", token: johnToken}))
	if u["last_activity_on"] != "2026-03-01" {
		t.Fatalf("last_activity_on %v after API use, want 2026-03-01", u["last_activity_on"])
	}
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/1/deactivate", token: rootToken}), 403,
		`{"message":"The user you are trying to deactivate has been active in the past 90 days and cannot be deactivated"}`)
	s.clock.Advance(91 * 24 * time.Hour)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/1/deactivate", token: rootToken}), 201, `true`)
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 403,
		`{"message":"403 Forbidden - Your account has been deactivated by your administrator. Please log back in from a web browser to reactivate your account at http://gitlab.test"}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/1/activate", token: rootToken}), 201, `true`)
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 200, "")
}

func TestBlockAndUnblockRecordWhoDidItAsCustomAttributes(t *testing.T) {
	s := newTestServer(t, Options{})
	s.clock.Set(time.Date(2026, 4, 2, 8, 30, 0, 0, time.UTC))
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/block", token: rootToken}), 201, `true`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/unblock", token: rootToken}), 201, `true`)
	expect(t, do(t, s, req{path: "/api/v4/users/7/custom_attributes", token: rootToken}), 200,
		`[{"key":"blocked_by","value":"root/3+2026-04-02 08:30:00 UTC"},{"key":"unblocked_by","value":"root/3+2026-04-02 08:30:00 UTC"}]`)
}

func TestBlockedBannedAndPendingUsersTokensGetTheirReasons(t *testing.T) {
	s := newTestServer(t, Options{})
	blocked := `{"message":"403 Forbidden - Your account has been blocked."}`
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/1/block", token: rootToken}), 201, `true`)
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 403, blocked)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/1/unblock", token: rootToken}), 201, `true`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/1/ban", token: rootToken}), 201, `true`)
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 403, blocked)
	expect(t, do(t, s, req{path: "/api/v4/user", token: pendingToken}), 403,
		`{"message":"403 Forbidden - Your account is pending approval from your administrator and hence blocked."}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/6/reject", token: rootToken}), 200, `{"message":"Success"}`)
	expect(t, do(t, s, req{path: "/api/v4/users/6", token: rootToken}), 404, `{"message":"404 User Not Found"}`)
}

func TestInternalUsersCannotBeBlockedOrDeactivated(t *testing.T) {
	s := newTestServer(t, Options{Fixtures: []byte(`
users:
  - {id: 1, username: admin, name: Admin, email: a@example.com, admin: true, personal_access_tokens: [{id: 1, name: t, token: admin-token, scopes: [api]}]}
  - {id: 2, username: alert-bot, name: Alert Bot, email: bot@example.com, internal: true, bot: true}
`)})
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/block", token: "admin-token"}), 403, `{"message":"An internal user cannot be blocked"}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/deactivate", token: "admin-token"}), 403, `{"message":"Internal users cannot be deactivated"}`)
}
