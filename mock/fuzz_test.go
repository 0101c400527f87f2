package mock

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzUsersAPINeverAnswers500 throws arbitrary paths, queries and bodies at
// the users API as the admin: whatever the input, GitLab answers 2xx/4xx.
func FuzzUsersAPINeverAnswers500(f *testing.F) {
	for _, seed := range []struct{ method, target, contentType, body string }{
		{"GET", "/api/v4/users?per_page=2&page=3&order_by=name&sort=asc", "", ""},
		{"GET", "/api/v4/users?pagination=keyset&cursor=eyJpZCI6Mn0&order_by=created_at", "", ""},
		{"GET", "/api/v4/users?search=%00%ff&created_after=yesterday", "", ""},
		{"POST", "/api/v4/users", "application/json", `{"email":"a@b","name":"n","username":"u","password":"x","projects_limit":1e99}`},
		{"POST", "/api/v4/users", "application/x-www-form-urlencoded", "email=a%40b&name=n&username=u&reset_password=1&scopes[]=api&x[a]=1"},
		{"POST", "/api/v4/users", "multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nx\r\n--zz--"},
		{"PUT", "/api/v4/users/1", "application/json", `{"email":["a"],"admin":{"x":1},"theme_id":-1}`},
		{"DELETE", "/api/v4/users/1/identities/%2F..%2F", "", ""},
		{"POST", "/api/v4/users/42/impersonation_tokens", "application/json", `{"name":"n","scopes":[1,2],"expires_at":"9999-99-99"}`},
		{"GET", "/api/v4/users/%2E%2E/events?before=2020-13-45&action=pushed", "", ""},
		{"GET", "/api/v4/user?sudo=%00", "", ""},
		{"POST", "/api/v4/user/keys", "application/json", `{"title":"t","key":"ssh-ed25519 AAAA","expires_at":"x","usage_type":"auth"}`},
		{"POST", "/api/v4/users/1/emails", "application/json", `{"email":"a@b","skip_confirmation":"yes"}`},
		{"POST", "/api/v4/users/42/personal_access_tokens", "application/json", `{"name":"n","scopes":"api","expires_at":"2030-01-01"}`},
		{"POST", "/api/v4/personal_access_tokens/4/rotate", "application/json", `{"expires_at":"bad"}`},
		{"POST", "/api/v4/users/4/block", "", ""},
		{"POST", "/api/v4/users/5/deactivate", "", ""},
		{"PATCH", "/api/v4/user/status", "application/json", `{"emoji":"x","clear_status_after":"2_days"}`},
		{"PUT", "/api/v4/users/1/custom_attributes/k", "application/json", `{"value":[1]}`},
		{"GET", "/api/v4/keys?fingerprint=SHA256:%zz", "", ""},
		{"POST", "/-/mock/faults", "application/json", `{"match":{"path":"[","method":"GET"},"delay":"-1s"}`},
		{"POST", "/-/mock/sessions", "application/json", `{"fixtures":{"users":"x"}}`},
		{"PUT", "/-/mock/clock", "application/json", `{"now":"yesterday"}`},
		{"GET", "/api/v4/users/1/events?before=2020-01-01&after=2030-01-01&sort=asc", "", ""},
	} {
		f.Add(seed.method, seed.target, seed.contentType, seed.body)
	}
	s := newTestServer(f, Options{MaxBodyBytes: 4096})
	f.Fuzz(func(t *testing.T, method, target, contentType, body string) {
		switch method {
		case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD":
		default:
			method = "GET"
		}
		if !strings.HasPrefix(target, "/") {
			target = "/api/v4/users/" + target
		}
		r, err := http.NewRequest(method, "http://gitlab.test"+target, strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("PRIVATE-TOKEN", rootToken)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s (%s) %q -> %d %s", method, target, contentType, body, w.Code, w.Body.String())
		}
	})
}
