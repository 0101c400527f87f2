package mock

import (
	"testing"
	"time"
)

func TestUserStatus(t *testing.T) {
	s := newTestServer(t, Options{})
	s.clock.Set(time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	none := `{"emoji":null,"availability":null,"message":null,"message_html":null,"clear_status_at":null}`
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		want                            string
	}{
		{"no status: all null, anonymous, by username", "GET", "/api/v4/users/john_smith/status", "", "", 200, none},
		{"PUT sets, emoji defaults", "PUT", "/api/v4/user/status", johnToken, `{"message":"In a meeting","availability":"busy","clear_status_after":"1_day"}`, 200,
			`{"emoji":"speech_balloon","availability":"busy","message":"In a meeting","message_html":"In a meeting","clear_status_at":"2026-02-02T09:00:00.000Z"}`},
		{"PATCH keeps missing params", "PATCH", "/api/v4/user/status", johnToken, `{"emoji":"coffee"}`, 200,
			`{"emoji":"coffee","availability":"busy","message":"In a meeting","message_html":"In a meeting","clear_status_at":"2026-02-02T09:00:00.000Z"}`},
		{"empty PATCH is 200 null and changes nothing", "PATCH", "/api/v4/user/status", johnToken, ``, 200, `null`},
		{"by id", "GET", "/api/v4/users/1/status", johnToken, "", 200,
			`{"emoji":"coffee","availability":"busy","message":"In a meeting","message_html":"In a meeting","clear_status_at":"2026-02-02T09:00:00.000Z"}`},
		{"bad clear_status_after", "PUT", "/api/v4/user/status", johnToken, `{"clear_status_after":"1_year"}`, 400, `{"error":"clear_status_after does not have a valid value"}`},
		{"invalid emoji", "PUT", "/api/v4/user/status", johnToken, `{"emoji":"Not An Emoji!"}`, 400, `{"message":{"emoji":["does not exist"]}}`},
		{"PUT with nothing clears", "PUT", "/api/v4/user/status", johnToken, `{}`, 200, none},
		{"anonymous /user/status", "GET", "/api/v4/user/status", "", "", 401, `{"message":"401 Unauthorized"}`},
		{"missing user", "GET", "/api/v4/users/nobody/status", "", "", 404, `{"message":"404 User Not Found"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, s, req{method: tc.method, path: tc.path, token: tc.token, body: tc.body}), tc.status, tc.want)
		})
	}
}

func TestFollowMakesUserEntityCountsReal(t *testing.T) {
	s := newTestServer(t, Options{})
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/follow", token: johnToken}), 201, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/follow", token: johnToken}), 304, "")
	u := decode[map[string]any](t, do(t, s, req{path: "/api/v4/users/7", token: johnToken}))
	if u["followers"] != float64(1) || u["following"] != float64(0) || u["is_followed"] != true {
		t.Fatalf("user 7: followers=%v following=%v is_followed=%v", u["followers"], u["following"], u["is_followed"])
	}
	got := ids(t, decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/users/1/following", token: rootToken})))
	if len(got) != 1 || got[0] != 7 {
		t.Fatalf("following %v", got)
	}
	expect(t, do(t, s, req{path: "/api/v4/users/7/followers"}), 403, `{"message":"403 Forbidden - Not authorized!"}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/unfollow", token: johnToken}), 201, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/7/unfollow", token: johnToken}), 304, "")
	expect(t, do(t, s, req{path: "/api/v4/users/7/followers", token: johnToken}), 200, `[]`)
}

func TestRestOfTheUserSurface(t *testing.T) {
	s := newTestServer(t, Options{TokenSeed: 3})
	s.clock.Set(time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		want                            string
	}{
		{"associations_count of oneself", "GET", "/api/v4/users/1/associations_count", johnToken, "", 200, `{"groups_count":0,"projects_count":0,"issues_count":0,"merge_requests_count":0}`},
		{"associations_count of another user", "GET", "/api/v4/users/7/associations_count", johnToken, "", 403, `{"message":"403 Forbidden"}`},
		{"associations_count anonymously", "GET", "/api/v4/users/7/associations_count", "", "", 401, `{"message":"401 Unauthorized"}`},
		{"memberships: bad type before admin", "GET", "/api/v4/users/1/memberships?type=Group", johnToken, "", 400, `{"error":"type does not have a valid value"}`},
		{"memberships need an admin", "GET", "/api/v4/users/1/memberships", johnToken, "", 403, `{"message":"403 Forbidden"}`},
		{"memberships", "GET", "/api/v4/users/1/memberships?type=Project", rootToken, "", 200, `[]`},
		{"user_counts", "GET", "/api/v4/user_counts", johnToken, "", 200, `{"merge_requests":0,"assigned_issues":0,"assigned_merge_requests":0,"review_requested_merge_requests":0,"todos":0}`},
		{"preferences", "GET", "/api/v4/user/preferences", johnToken, "", 200, `{"id":1,"user_id":1,"view_diffs_file_by_file":false,"show_whitespace_in_diffs":true,"pass_user_identities_to_ci_jwt":false}`},
		{"preferences PUT needs one", "PUT", "/api/v4/user/preferences", johnToken, `{}`, 400, `{"error":"view_diffs_file_by_file, show_whitespace_in_diffs, pass_user_identities_to_ci_jwt are missing, at least one parameter must be provided"}`},
		{"preferences PUT", "PUT", "/api/v4/user/preferences", johnToken, `{"view_diffs_file_by_file":true}`, 200, `{"id":1,"user_id":1,"view_diffs_file_by_file":true,"show_whitespace_in_diffs":true,"pass_user_identities_to_ci_jwt":false}`},
		{"no support pin", "GET", "/api/v4/user/support_pin", johnToken, "", 404, `{"message":"404 Support PIN not found or expired Not Found"}`},
		{"custom attributes need an admin", "GET", "/api/v4/users/1/custom_attributes", johnToken, "", 403, `{"message":"403 Forbidden"}`},
		{"set a custom attribute", "PUT", "/api/v4/users/1/custom_attributes/team", rootToken, `{"value":"blue"}`, 200, `{"key":"team","value":"blue"}`},
		{"get it", "GET", "/api/v4/users/1/custom_attributes/team", rootToken, "", 200, `{"key":"team","value":"blue"}`},
		{"list them", "GET", "/api/v4/users/1/custom_attributes", rootToken, "", 200, `[{"key":"team","value":"blue"}]`},
		{"delete it", "DELETE", "/api/v4/users/1/custom_attributes/team", rootToken, "", 204, ""},
		{"a missing attribute", "GET", "/api/v4/users/1/custom_attributes/team", rootToken, "", 404, `{"message":"404 Not found"}`},
		{"set without value", "PUT", "/api/v4/users/1/custom_attributes/team", rootToken, `{}`, 400, `{"error":"value is missing"}`},
		{"custom attributes of a missing user", "GET", "/api/v4/users/999/custom_attributes", rootToken, "", 404, `{"message":"404 Not Found"}`},
		{"custom attributes anonymously", "GET", "/api/v4/users/1/custom_attributes", "", "", 403, `{"message":"403 Forbidden"}`},
		{"set anonymously", "PUT", "/api/v4/users/1/custom_attributes/team", "", `{"value":"x"}`, 401, `{"message":"401 Unauthorized"}`},
		{"custom attributes of a non-numeric id", "PUT", "/api/v4/users/abc/custom_attributes/team", rootToken, `{}`, 404, `{"error":"404 Not Found"}`},
		{"delete a missing attribute", "DELETE", "/api/v4/users/1/custom_attributes/nope", rootToken, "", 404, `{"message":"404 Custom attribute Not Found"}`},
		{"service accounts need an admin", "POST", "/api/v4/service_accounts", johnToken, `{}`, 403, `{"message":"403 Forbidden"}`},
		{"runner: bad type", "POST", "/api/v4/user/runners", rootToken, `{"runner_type":"shared"}`, 400, `{"error":"runner_type does not have a valid value"}`},
		{"runner: group runner needs group_id", "POST", "/api/v4/user/runners", rootToken, `{"runner_type":"group_type"}`, 400, `{"error":"group_id is missing"}`},
		{"runner: instance runner needs an admin", "POST", "/api/v4/user/runners", johnToken, `{"runner_type":"instance_type"}`, 403, `{"message":"403 Forbidden"}`},
		{"avatar is required", "PUT", "/api/v4/user/avatar", johnToken, `{}`, 400, `{"error":"avatar is missing"}`},
		{"own events", "GET", "/api/v4/events?sort=asc&per_page=1", rootToken, "", 200, ""},
		{"own events need a login", "GET", "/api/v4/events", "", "", 401, `{"message":"401 Unauthorized"}`},
		{"own events: params are validated before the login", "GET", "/api/v4/events?action=danced", "", "", 400, `{"error":"action does not have a valid value"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, s, req{method: tc.method, path: tc.path, token: tc.token, body: tc.body}), tc.status, tc.want)
		})
	}
	t.Run("support pin: create, read, admin read, expire", func(t *testing.T) {
		rec := do(t, s, req{method: "POST", path: "/api/v4/user/support_pin", token: johnToken})
		expect(t, rec, 201, "")
		pin := decode[map[string]any](t, rec)
		if p, _ := pin["pin"].(string); len(p) != 6 || pin["expires_at"] != "2026-02-08T09:00:00.000Z" {
			t.Fatalf("pin %v", pin)
		}
		expect(t, do(t, s, req{path: "/api/v4/users/1/support_pin", token: rootToken}), 200, rec.Body.String())
		expect(t, do(t, s, req{path: "/api/v4/user/support_pin", token: johnToken}), 200,
			`{"pin":"`+pin["pin"].(string)+`","expires_at":"2026-02-08T09:00:00Z"}`)
		s.clock.Advance(8 * 24 * time.Hour)
		expect(t, do(t, s, req{path: "/api/v4/users/1/support_pin", token: rootToken}), 404, `{"message":"404 Support PIN not found or expired Not Found"}`)
	})
	t.Run("service account: create and list", func(t *testing.T) {
		rec := do(t, s, req{method: "POST", path: "/api/v4/service_accounts", token: rootToken, body: `{"name":"Deploy bot","username":"deploy-bot"}`})
		expect(t, rec, 201, "")
		sa := decode[map[string]any](t, rec)
		if sa["username"] != "deploy-bot" || sa["name"] != "Deploy bot" || sa["email"] != "deploy-bot@noreply.gitlab.test" {
			t.Fatalf("service account %v", sa)
		}
		got := decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/service_accounts", token: rootToken}))
		if len(got) != 1 || got[0]["username"] != "deploy-bot" {
			t.Fatalf("list %v", got)
		}
	})
	t.Run("instance runner as admin", func(t *testing.T) {
		rec := do(t, s, req{method: "POST", path: "/api/v4/user/runners", token: rootToken, body: `{"runner_type":"instance_type","description":"r"}`})
		expect(t, rec, 201, "")
		r := decode[map[string]any](t, rec)
		if tok, _ := r["token"].(string); r["id"] != float64(1) || len(tok) != len("glrt-")+20 {
			t.Fatalf("runner %v", r)
		}
	})
	t.Run("avatar upload", func(t *testing.T) {
		body := "--b\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--\r\n"
		expect(t, do(t, s, req{method: "PUT", path: "/api/v4/user/avatar", token: johnToken, body: body, contentType: "multipart/form-data; boundary=b"}), 200,
			`{"avatar_url":"http://gitlab.test/uploads/-/system/user/avatar/1/me.png"}`)
	})
}

func TestEventsOfPrivateAndBlockedUsersAreHiddenFromOthers(t *testing.T) {
	s := newTestServer(t, Options{Fixtures: []byte(`
users:
  - {id: 1, username: admin, name: Admin, email: a@example.com, admin: true, personal_access_tokens: [{id: 1, name: t, token: admin-token, scopes: [api]}]}
  - {id: 2, username: other, name: Other, email: o@example.com, personal_access_tokens: [{id: 2, name: t, token: other-token, scopes: [api]}]}
  - id: 3
    username: gone
    name: Gone
    email: g@example.com
    state: blocked
    events: [{id: 1, action_name: joined, created_at: 2020-01-01T00:00:00Z}]
  - id: 4
    username: shy
    name: Shy
    email: s@example.com
    private_profile: true
    events: [{id: 2, action_name: joined, created_at: 2020-01-01T00:00:00Z}]
`)})
	for _, user := range []string{"gone", "shy"} {
		expect(t, do(t, s, req{path: "/api/v4/users/" + user + "/events", token: "other-token"}), 200, `[]`)
		expect(t, do(t, s, req{path: "/api/v4/users/" + user + "/events"}), 200, `[]`)
		if got := decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/users/" + user + "/events", token: "admin-token"})); len(got) != 1 {
			t.Fatalf("admin sees %d events of %s", len(got), user)
		}
	}
}
