package mock

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func httptestServer(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

func ids(t *testing.T, users []map[string]any) []int {
	t.Helper()
	out := make([]int, len(users))
	for i, u := range users {
		out[i] = int(u["id"].(float64))
	}
	return out
}

func TestRoutingFallsToGrapesCatchAll(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, path := range []string{
		"/api/v4/nope",
		"/api/v4/users/1ASDF",
		"/api/v4/users/ASDF/identities/github",
		"/api/v4/users/1/unknown-subresource",
	} {
		t.Run(path, func(t *testing.T) {
			expect(t, do(t, s, req{path: path, token: rootToken}), 404, `{"error":"404 Not Found"}`)
		})
	}
	t.Run("unsupported verb on an existing path", func(t *testing.T) {
		expect(t, do(t, s, req{method: "PATCH", path: "/api/v4/users", token: rootToken}), 404, `{"error":"404 Not Found"}`)
	})
}

func TestListUsersVisibilityPerCaller(t *testing.T) {
	s := newTestServer(t, Options{})
	t.Run("anonymous without username is forbidden", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v4/users"}), 403, `{"message":"403 Forbidden - Not authorized to access /api/v4/users"}`)
	})
	t.Run("anonymous username lookup returns UserBasic", func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v4/users?username=JOHN_SMITH"})
		expect(t, rec, 200, "")
		want := `[{"id":1,"username":"john_smith","name":"John Smith","state":"active","locked":false,"avatar_url":"http://gitlab.test/uploads/user/avatar/1/index.jpg","web_url":"http://gitlab.test/john_smith"}]`
		if rec.Body.String() != want {
			t.Fatalf("body = %s\nwant   %s", rec.Body.String(), want)
		}
	})
	t.Run("anonymous lookup of a blocked user is empty", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v4/users?username=jack_smith"}), 200, "[]")
	})
	t.Run("non-admins do not see blocked, banned or ldap_blocked users", func(t *testing.T) {
		user := do(t, s, req{path: "/api/v4/users?per_page=100", token: johnToken})
		admin := do(t, s, req{path: "/api/v4/users?per_page=100", token: rootToken})
		for _, id := range ids(t, decode[[]map[string]any](t, user)) {
			if id == 2 || id == 4 {
				t.Fatalf("non-admin sees user %d", id)
			}
		}
		if u, a := user.Header().Get("X-Total"), admin.Header().Get("X-Total"); u != "8" || a != "10" {
			t.Fatalf("X-Total user %s, admin %s", u, a)
		}
	})
	t.Run("admin list is UserWithAdmin, ids descending by default", func(t *testing.T) {
		users := decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/users", token: rootToken}))
		got := ids(t, users)
		if got[0] != 42 || got[len(got)-1] != 1 {
			t.Fatalf("ids = %v", got)
		}
		for _, k := range []string{"is_admin", "email", "identities", "note", "namespace_id", "created_by", "email_reset_offered_at"} {
			if _, ok := users[0][k]; !ok {
				t.Fatalf("admin list lacks %s", k)
			}
		}
		if _, ok := users[0]["highest_role"]; ok {
			t.Fatal("admin list has highest_role (only the single-user admin view has it)")
		}
	})
	t.Run("non-admin list never has admin fields", func(t *testing.T) {
		for _, u := range decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/users", token: johnToken})) {
			if got := len(u); got != 7 {
				t.Fatalf("UserBasic has %d keys: %v", got, fieldSet(u))
			}
		}
	})
}

func TestListUsersFilters(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, tc := range []struct {
		name, query, token string
		want               []int
	}{
		{"active", "active=true", rootToken, []int{42, 9, 8, 7, 3, 1}},
		{"active=false does not invert", "active=false&per_page=100", rootToken, []int{42, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"blocked covers ldap_blocked", "blocked=true", rootToken, []int{4, 2}},
		{"blocked is empty for non-admins", "blocked=True", johnToken, []int{}},
		{"exclude_active", "exclude_active=1", rootToken, []int{6, 5, 4, 2}},
		{"search by name fragment", "search=smith", rootToken, []int{2, 1}},
		{"search puts the exact username first", "search=user1", rootToken, []int{7}},
		{"search by full email for admins", "search=jack@example.com", rootToken, []int{2}},
		{"search by private email finds nothing for users", "search=jane@example.com", johnToken, []int{}},
		{"order_by name asc", "order_by=name&sort=asc&active=true", rootToken, []int{3, 42, 1, 7, 9, 8}},
		{"extern_uid and provider", "extern_uid=john.smith&provider=bitbucket", rootToken, []int{1}},
		{"two_factor enabled (admin)", "two_factor=enabled", rootToken, []int{2, 1}},
		{"two_factor ignored for users", "two_factor=enabled&username=user2", johnToken, []int{8}},
		{"created_before (admin)", "created_before=2012-05-23T08:00:59Z", rootToken, []int{3, 1}},
		{"admins", "admins=true", rootToken, []int{3}},
		{"admins is ignored for non-admins", "admins=true&username=user3", johnToken, []int{9}},
		{"unknown params are ignored", "all=False&path=x&username=user3", johnToken, []int{9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, s, req{path: "/api/v4/users?" + tc.query, token: tc.token})
			expect(t, rec, 200, "")
			got := ids(t, decode[[]map[string]any](t, rec))
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("ids = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestListUsersParameterErrors(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, tc := range []struct {
		name, query, token string
		status             int
		body               string
	}{
		{"order_by outside the list", "order_by=magic", rootToken, 400, `{"error":"order_by does not have a valid value"}`},
		{"sort outside the list", "sort=up", rootToken, 400, `{"error":"sort does not have a valid value"}`},
		{"extern_uid without provider", "extern_uid=1", rootToken, 400, `{"error":"extern_uid, provider provide all or none of parameters"}`},
		{"extern_uid lookup is admin-only", "extern_uid=1&provider=github", johnToken, 403, `{"message":"403 Forbidden"}`},
		{"per_page not an integer", "per_page=abc", rootToken, 400, `{"error":"per_page is invalid"}`},
		{"page not an integer", "page=x", rootToken, 400, `{"error":"page is invalid"}`},
		{"boolean not a boolean", "active=maybe", rootToken, 400, `{"error":"active is invalid"}`},
		{"offset beyond 50000", "page=502&per_page=100", rootToken, 405,
			`{"error":"Offset pagination has a maximum allowed offset of 50000 for requests that return objects of type User. Remaining records can be retrieved using keyset pagination."}`},
		{"params are validated before the anonymous check", "order_by=magic", "", 400, `{"error":"order_by does not have a valid value"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, s, req{path: "/api/v4/users?" + tc.query, token: tc.token}), tc.status, tc.body)
		})
	}
}

func TestOffsetPaginationHeaders(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := do(t, s, req{path: "/api/v4/users?per_page=3&page=2&active=true", token: rootToken})
	expect(t, rec, 200, "")
	h := rec.Header()
	want := map[string]string{"X-Total": "6", "X-Total-Pages": "2", "X-Per-Page": "3", "X-Page": "2", "X-Next-Page": "", "X-Prev-Page": "1"}
	for k, v := range want {
		if _, ok := h[k]; !ok || h.Get(k) != v {
			t.Errorf("%s = %q (present %v), want %q", k, h.Get(k), ok, v)
		}
	}
	link := h.Get("Link")
	wantLink := `<http://gitlab.test/api/v4/users?active=true&page=1&per_page=3>; rel="prev", ` +
		`<http://gitlab.test/api/v4/users?active=true&page=1&per_page=3>; rel="first", ` +
		`<http://gitlab.test/api/v4/users?active=true&page=2&per_page=3>; rel="last"`
	if link != wantLink {
		t.Errorf("Link = %s\nwant   %s", link, wantLink)
	}

	t.Run("per_page is clamped to 100, page 0 is page 1", func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v4/users?per_page=1000&page=0", token: rootToken})
		if rec.Header().Get("X-Per-Page") != "100" || rec.Header().Get("X-Page") != "1" {
			t.Fatalf("headers %v", rec.Header())
		}
	})
	t.Run("a page past the end is 200 []", func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v4/users?page=9", token: rootToken})
		expect(t, rec, 200, "[]")
		if rec.Header().Get("X-Total-Pages") != "1" {
			t.Fatalf("X-Total-Pages = %q", rec.Header().Get("X-Total-Pages"))
		}
	})
	t.Run("links use the external URL when configured", func(t *testing.T) {
		ext := newTestServer(t, Options{ExternalURL: "https://gitlab.example.com/"})
		rec := do(t, ext, req{path: "/api/v4/users?per_page=2", token: rootToken})
		if !strings.HasPrefix(rec.Header().Get("Link"), `<https://gitlab.example.com/api/v4/users?page=2&per_page=2>; rel="next"`) {
			t.Fatalf("Link = %s", rec.Header().Get("Link"))
		}
		u := decode[[]map[string]any](t, rec)[0]
		if u["web_url"] != "https://gitlab.example.com/jane_doe" {
			t.Fatalf("web_url = %v", u["web_url"])
		}
	})
	t.Run("HEAD is served wherever GET is", func(t *testing.T) {
		srv := httptestServer(t, s)
		resp, err := http.Head(srv + "/api/v4/users?private_token=" + rootToken)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("X-Total") != "10" {
			t.Fatalf("HEAD: %v %v", err, resp)
		}
	})
}

func TestOffsetPaginationDropsTotalsAbove10000(t *testing.T) {
	var b strings.Builder
	b.WriteString("users:\n  - {username: root, name: Root, email: root@example.com, admin: true, personal_access_tokens: [{token: admintoken, scopes: [api]}]}\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "  - {username: u%d, name: U, email: u%d@example.com}\n", i, i)
	}
	s := newTestServer(t, Options{Fixtures: []byte(b.String())})
	rec := do(t, s, req{path: "/api/v4/users", token: "admintoken"})
	expect(t, rec, 200, "")
	for _, k := range []string{"X-Total", "X-Total-Pages"} {
		if _, ok := rec.Header()[k]; ok {
			t.Errorf("%s present above 10,000 records", k)
		}
	}
	if l := rec.Header().Get("Link"); strings.Contains(l, `rel="last"`) || !strings.Contains(l, `rel="next"`) {
		t.Errorf("Link = %s", l)
	}
}

func TestKeysetPaginationWalksEveryUserOnce(t *testing.T) {
	s := newTestServer(t, Options{})
	path := "/api/v4/users?pagination=keyset&per_page=3&order_by=id&sort=asc"
	var seen []int
	for pages := 0; path != ""; pages++ {
		if pages > 10 {
			t.Fatal("keyset pagination does not end")
		}
		rec := do(t, s, req{path: path, token: rootToken})
		expect(t, rec, 200, "")
		if _, ok := rec.Header()["X-Total"]; ok {
			t.Fatal("keyset answer carries offset headers")
		}
		seen = append(seen, ids(t, decode[[]map[string]any](t, rec))...)
		path = ""
		if l := rec.Header().Get("Link"); l != "" {
			u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`))
			if err != nil {
				t.Fatal(err)
			}
			path = u.RequestURI()
		}
	}
	if fmt.Sprint(seen) != "[1 2 3 4 5 6 7 8 9 42]" {
		t.Fatalf("seen %v", seen)
	}
}

func TestGetUserRendersTheEntityOfTheCaller(t *testing.T) {
	s := newTestServer(t, Options{})
	t.Run("anonymous", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v4/users/1"}), 403, `{"message":"403 Forbidden - Not authorized!"}`)
	})
	t.Run("missing user", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v4/users/999", token: johnToken}), 404, `{"message":"404 User Not Found"}`)
	})
	t.Run("user sees User", func(t *testing.T) {
		u := decode[map[string]any](t, do(t, s, req{path: "/api/v4/users/7", token: johnToken}))
		for _, k := range []string{"created_at", "bio", "followers", "following", "is_followed", "work_information", "local_time", "bot"} {
			if _, ok := u[k]; !ok {
				t.Errorf("User lacks %s", k)
			}
		}
		for _, k := range []string{"email", "is_admin", "note", "identities", "highest_role", "last_sign_in_ip"} {
			if _, ok := u[k]; ok {
				t.Errorf("User has %s", k)
			}
		}
	})
	t.Run("admin sees UserDetailsWithAdmin", func(t *testing.T) {
		// A fresh server: john's API use above moved his last_activity_on to today.
		s := newTestServer(t, Options{})
		u := decode[map[string]any](t, do(t, s, req{path: "/api/v4/users/1", token: rootToken}))
		for _, k := range []string{"email", "is_admin", "note", "identities", "highest_role", "current_sign_in_ip", "last_sign_in_ip", "sign_in_count", "last_activity_on"} {
			if _, ok := u[k]; !ok {
				t.Errorf("UserDetailsWithAdmin lacks %s", k)
			}
		}
		if u["created_at"] != "2012-05-23T08:00:58.000Z" || u["last_activity_on"] != "2012-05-23" {
			t.Errorf("dates: %v %v", u["created_at"], u["last_activity_on"])
		}
	})
	t.Run("a blocked user's profile hides profile dates from other users", func(t *testing.T) {
		u := decode[map[string]any](t, do(t, s, req{path: "/api/v4/users/2", token: johnToken}))
		for _, k := range []string{"created_at", "followers", "following"} {
			if _, ok := u[k]; ok {
				t.Errorf("blocked profile shows %s", k)
			}
		}
	})
}

func TestCurrentUserEntity(t *testing.T) {
	s := newTestServer(t, Options{})
	u := decode[map[string]any](t, do(t, s, req{path: "/api/v4/user", token: johnToken}))
	if u["email"] != "john@example.com" || u["commit_email"] != "john@example.com" || len(u["identities"].([]any)) != 3 {
		t.Fatalf("UserPublic: %v", u)
	}
	if _, ok := u["is_admin"]; ok {
		t.Fatal("UserPublic has is_admin")
	}
}

func TestCreateUser(t *testing.T) {
	missingAll := `{"error":"email is missing, name is missing, username is missing, password, reset_password, force_random_password are missing, at least one parameter must be provided"}`
	for _, tc := range []struct {
		name        string
		token, body string
		contentType string
		status      int
		want        string
	}{
		{"anonymous is 401 before params", "", `{}`, "", 401, bodyUnauthorized},
		{"missing params are 400 for admins", rootToken, `{}`, "", 400, missingAll},
		{"missing params are 400 (not 403) for non-admins", johnToken, `{}`, "", 400, missingAll},
		{"valid params from a non-admin are 403", johnToken, `{"email":"a@b.c","name":"A","username":"a","password":"Sup3r-S3cret!x"}`, "", 403, `{"message":"403 Forbidden"}`},
		{"email taken (case-insensitive) is 409", rootToken, `{"email":"JOHN@example.com","name":"A","username":"newbie","reset_password":true}`, "", 409, `{"message":"Email has already been taken"}`},
		{"email is checked before username", rootToken, `{"email":"john@example.com","name":"A","username":"JOHN_smith","reset_password":true}`, "", 409, `{"message":"Email has already been taken"}`},
		{"username taken (case-insensitive) is 409", rootToken, `{"email":"new@example.com","name":"A","username":"John_Smith","reset_password":true}`, "", 409, `{"message":"Username has already been taken"}`},
		{"confirmed secondary email is 409", rootToken, `{"email":"email2@example.com","name":"A","username":"newbie","reset_password":true}`, "", 409, `{"message":"Email has already been taken"}`},
		{"short password is a validation error", rootToken, `{"email":"n@example.com","name":"N","username":"newbie","password":"short"}`, "", 400, `{"message":{"password":["is too short (minimum is 8 characters)"]}}`},
		{"bad username", rootToken, `{"email":"n@example.com","name":"N","username":"-bad.","reset_password":true}`, "", 400,
			`{"message":{"username":["can contain only letters, digits, '_', '-' and '.'. Cannot start with '-' or end in '.', '.git' or '.atom'."]}}`},
		{"bad theme", rootToken, `{"email":"n@example.com","name":"N","username":"newbie","reset_password":true,"theme_id":50}`, "", 400, `{"message":{"theme_id":["50 is not a valid theme"]}}`},
		{"wrong type", rootToken, `{"email":"n@example.com","name":"N","username":"newbie","reset_password":true,"projects_limit":"lots"}`, "", 400, `{"error":"projects_limit is invalid"}`},
		{"only extern_uid", rootToken, `{"email":"n@example.com","name":"N","username":"newbie","reset_password":true,"extern_uid":"x"}`, "", 400, `{"error":"extern_uid, provider provide all or none of parameters"}`},
		{"malformed JSON", rootToken, `{"email":`, "", 400, `{"error":"message body does not match declared format"}`},
		{"JSON body", rootToken, `{"email":"n@example.com","name":"N","username":"newbie","password":"Zebra-Quartz-91","skip_confirmation":true,"extern_uid":"99","provider":"github","bio":null}`, "", 201, ""},
		{"form body with empty password and reset_password", rootToken, "email=f%40example.com&name=F&username=formy&password=&reset_password=True", "application/x-www-form-urlencoded", 201, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{})
			rec := do(t, s, req{method: "POST", path: "/api/v4/users", token: tc.token, body: tc.body, contentType: tc.contentType})
			expect(t, rec, tc.status, tc.want)
			if tc.status == 201 {
				u := decode[map[string]any](t, rec)
				if u["id"] != float64(43) || u["is_admin"] != false || u["state"] != "active" {
					t.Fatalf("created: %v", u)
				}
				if cb := u["created_by"].(map[string]any); cb["username"] != "root" {
					t.Fatalf("created_by = %v", cb)
				}
				// The new user is stored, not only echoed.
				got := decode[map[string]any](t, do(t, s, req{path: fmt.Sprintf("/api/v4/users/%d", 43), token: rootToken}))
				if got["username"] != u["username"] {
					t.Fatalf("stored %v", got)
				}
			}
		})
	}
}

func TestCreateUserMultipartWithAvatar(t *testing.T) {
	s := newTestServer(t, Options{})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"email": "m@example.com", "name": "M", "username": "multi", "reset_password": "true"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("avatar", "me.png")
	fw.Write([]byte("\x89PNG"))
	mw.Close()
	rec := do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken, body: body.String(), contentType: mw.FormDataContentType()})
	expect(t, rec, 201, "")
	u := decode[map[string]any](t, rec)
	if u["avatar_url"] != "http://gitlab.test/uploads/-/system/user/avatar/43/me.png" {
		t.Fatalf("avatar_url = %v", u["avatar_url"])
	}
}

func TestUserIDsAreNeverReused(t *testing.T) {
	s := newTestServer(t, Options{})
	create := func(name string) float64 {
		rec := do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken, body: `{"email":"` + name + `@example.com","name":"N","username":"` + name + `","reset_password":true}`})
		expect(t, rec, 201, "")
		return decode[map[string]any](t, rec)["id"].(float64)
	}
	first := create("first")
	expect(t, do(t, s, req{method: "DELETE", path: fmt.Sprintf("/api/v4/users/%d", int(first)), token: rootToken}), 204, "")
	if second := create("second"); second != first+1 {
		t.Fatalf("ids %v then %v", first, second)
	}
}

func TestUpdateUser(t *testing.T) {
	for _, tc := range []struct {
		name, path, token, body string
		status                  int
		want                    string
	}{
		{"anonymous", "/api/v4/users/1", "", `{"name":"X"}`, 401, bodyUnauthorized},
		{"non-admin", "/api/v4/users/1", johnToken, `{"name":"X"}`, 403, `{"message":"403 Forbidden"}`},
		{"missing user", "/api/v4/users/999", rootToken, `{"name":"X"}`, 404, `{"message":"404 User Not Found"}`},
		{"non-numeric id", "/api/v4/users/john", rootToken, `{"name":"X"}`, 404, `{"error":"404 Not Found"}`},
		{"someone else's email", "/api/v4/users/1", rootToken, `{"email":"jack@example.com"}`, 409, `{"message":"Email has already been taken"}`},
		{"someone else's username", "/api/v4/users/1", rootToken, `{"username":"ROOT"}`, 409, `{"message":"Username has already been taken"}`},
		{"re-sending the user's own values is no conflict", "/api/v4/users/1", rootToken, `{"email":"john@example.com","username":"john_smith","name":"Johnny"}`, 200, ""},
		{"bad color scheme", "/api/v4/users/1", rootToken, `{"color_scheme_id":50}`, 400, `{"message":{"color_scheme_id":["50 is not a valid color scheme"]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{})
			before := do(t, s, req{path: "/api/v4/users/1", token: rootToken}).Body.String()
			rec := do(t, s, req{method: "PUT", path: tc.path, token: tc.token, body: tc.body})
			expect(t, rec, tc.status, tc.want)
			after := do(t, s, req{path: "/api/v4/users/1", token: rootToken}).Body.String()
			if tc.status != 200 && before != after {
				t.Fatalf("a refused update changed the user:\n%s\n%s", before, after)
			}
			if tc.status == 200 && decode[map[string]any](t, rec)["name"] != "Johnny" {
				t.Fatalf("update not applied: %s", rec.Body.String())
			}
		})
	}
	t.Run("email change waits for reconfirmation unless skipped", func(t *testing.T) {
		s := newTestServer(t, Options{})
		rec := do(t, s, req{method: "PUT", path: "/api/v4/users/1", token: rootToken, body: `{"email":"new@example.com"}`})
		expect(t, rec, 200, "")
		if got := decode[map[string]any](t, rec)["email"]; got != "john@example.com" {
			t.Fatalf("email = %v before reconfirmation", got)
		}
		rec = do(t, s, req{method: "PUT", path: "/api/v4/users/1", token: rootToken, body: `{"email":"new@example.com","skip_reconfirmation":true}`})
		if got := decode[map[string]any](t, rec)["email"]; got != "new@example.com" {
			t.Fatalf("email = %v with skip_reconfirmation", got)
		}
	})
	t.Run("identity via extern_uid and provider", func(t *testing.T) {
		s := newTestServer(t, Options{})
		rec := do(t, s, req{method: "PUT", path: "/api/v4/users/7", token: rootToken, body: `{"extern_uid":"u1","provider":"saml"}`})
		ident := decode[map[string]any](t, rec)["identities"].([]any)
		if len(ident) != 1 || ident[0].(map[string]any)["extern_uid"] != "u1" {
			t.Fatalf("identities = %v", ident)
		}
	})
}

func TestDeleteUserAndIdentity(t *testing.T) {
	s := newTestServer(t, Options{})
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/7", token: johnToken}), 403, `{"message":"403 Forbidden"}`)
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/999", token: rootToken}), 404, `{"message":"404 User Not Found"}`)
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/7", token: rootToken, header: map[string]string{"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}}), 412, `{"message":"412 Precondition Failed"}`)
	rec := do(t, s, req{method: "DELETE", path: "/api/v4/users/7", token: rootToken, body: "{}"})
	expect(t, rec, 204, "")
	if rec.Body.Len() != 0 {
		t.Fatalf("204 with a body: %q", rec.Body.String())
	}
	expect(t, do(t, s, req{path: "/api/v4/users/7", token: rootToken}), 404, `{"message":"404 User Not Found"}`)

	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/1/identities/github", token: rootToken}), 204, "")
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/1/identities/github", token: rootToken}), 404, `{"message":"404 Identity Not Found"}`)
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/999/identities/github", token: rootToken}), 404, `{"message":"404 User Not Found"}`)
	// Deleting a user also removes their tokens.
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/1", token: rootToken}), 204, "")
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 401, bodyUnauthorized)
}

func TestWireDetails(t *testing.T) {
	s := newTestServer(t, Options{MaxBodyBytes: 64})
	t.Run("oversized body is 413", func(t *testing.T) {
		expect(t, do(t, s, req{method: "PUT", path: "/api/v4/users/1", token: rootToken, body: `{"bio":"` + strings.Repeat("x", 100) + `"}`}), 413, `{"message":"413 Request Entity Too Large"}`)
	})
	t.Run("GET with a JSON content type and no body", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v4/user", token: rootToken, header: map[string]string{"Content-Type": "application/json"}}), 200, "")
	})
	t.Run("%2F stays inside one path segment", func(t *testing.T) {
		expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/1/identities/google%2Foauth2", token: rootToken}), 404, `{"message":"404 Identity Not Found"}`)
	})
	t.Run("health, readiness, liveness", func(t *testing.T) {
		rec := do(t, s, req{path: "/-/health"})
		if rec.Code != 200 || rec.Body.String() != "GitLab OK" {
			t.Fatalf("health: %d %q", rec.Code, rec.Body.String())
		}
		expect(t, do(t, s, req{path: "/-/readiness"}), 200, `{"status":"ok"}`)
		expect(t, do(t, s, req{path: "/-/liveness"}), 200, `{"status":"ok"}`)
	})
	t.Run("version needs a login", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v4/version"}), 401, bodyUnauthorized)
		v := decode[map[string]any](t, do(t, s, req{path: "/api/v4/metadata", token: johnToken}))
		if v["version"] != DefaultGitLabVersion || v["enterprise"] != false {
			t.Fatalf("metadata %v", v)
		}
	})
}

func TestPanicsAreAnsweredAsGitLabsInternalError(t *testing.T) {
	s := newTestServer(t, Options{})
	s.engine.GET("/api/v4/test-panic", func(*gin.Context) { panic("boom") })
	expect(t, do(t, s, req{path: "/api/v4/test-panic"}), 500, `{"message":"500 Internal Server Error"}`)
	if s.Panics() != 1 {
		t.Fatalf("panics = %d", s.Panics())
	}
}
