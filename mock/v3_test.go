package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The seed documents quoted here are /work/shared/seeds/002_* (GitLab 8.x
// doc/api/users.md) and 003_* (the older 7.x page).

const v3Gone = `{"error":"API V3 is no longer supported. Use API V4 instead."}`

// objectKeys returns the keys of a JSON object in document order.
func objectKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// inOrder reports whether want appears in got in the same relative order.
func inOrder(got, want []string) bool {
	i := 0
	for _, k := range got {
		if i < len(want) && k == want[i] {
			i++
		}
	}
	return i == len(want)
}

func TestV3WithoutCompatAnswersAsModernGitLab(t *testing.T) {
	s := newTestServer(t, Options{})
	// lib/api/api.rb: version 'v3' { route :any, '*path' { error!('API V3 is
	// no longer supported. Use API V4 instead.', 410) } }.
	for _, r := range []req{
		{method: http.MethodGet, path: "/api/v3/users", token: rootToken},
		{method: http.MethodGet, path: "/api/v3/users/1", token: rootToken},
		{method: http.MethodPut, path: "/api/v3/users/1/block", token: rootToken},
		{method: http.MethodDelete, path: "/api/v3/users/1", token: rootToken},
		{method: http.MethodPost, path: "/api/v3/user", token: rootToken},
		{method: http.MethodGet, path: "/api/v3/projects"},
		{method: http.MethodGet, path: "/api/v3"},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			expect(t, do(t, s, r), http.StatusGone, v3Gone)
		})
	}
	t.Run("GET /api/v3/user is kept and served like /api/v4/user", func(t *testing.T) {
		for _, tok := range []string{rootToken, johnToken} {
			do(t, s, req{path: "/api/v4/user", token: tok}) // records today's activity once
			v4 := do(t, s, req{path: "/api/v4/user", token: tok})
			v3 := do(t, s, req{path: "/api/v3/user", token: tok})
			expect(t, v3, http.StatusOK, v4.Body.String())
		}
		expect(t, do(t, s, req{path: "/api/v3/user"}), http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
	})
	t.Run("other versions stay 404", func(t *testing.T) {
		expect(t, do(t, s, req{path: "/api/v5/users", token: rootToken}), http.StatusNotFound, `{"error":"404 Not Found"}`)
	})
}

func v3Server(t *testing.T) *Server {
	return newTestServer(t, Options{CompatV3: true})
}

// johnV3Admin is GET /api/v3/users/1 as an admin: the seed's admin entity
// over the default fixtures (the first identity is the flat pair).
const johnV3Admin = `{"id":1,"username":"john_smith","email":"john@example.com","name":"John Smith","state":"active",` +
	`"created_at":"2012-05-23T08:00:58.000Z","confirmed_at":"2012-05-23T09:05:22.000Z","last_sign_in_at":"2012-06-01T11:41:01.000Z",` +
	`"bio":null,"location":null,"skype":"","linkedin":"","twitter":"","website_url":"",` +
	`"extern_uid":"2435223452345","provider":"github","theme_id":1,"color_scheme_id":2,"is_admin":false,` +
	`"avatar_url":"http://gitlab.test/uploads/user/avatar/1/index.jpg","can_create_group":true,"can_create_project":true,` +
	`"projects_limit":100,"current_sign_in_at":"2012-06-02T06:36:55.000Z","two_factor_enabled":true,"external":false}`

func TestV3UserEntities(t *testing.T) {
	s := v3Server(t)

	t.Run(`seed 003 GET /users/:id: "extern_uid": "john.smith", "provider": "provider_name" flat, "is_admin": false`, func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v3/users/1", token: rootToken})
		expect(t, rec, http.StatusOK, johnV3Admin)
		seed003 := []string{"id", "username", "email", "name", "state", "created_at", "bio", "skype", "linkedin", "twitter",
			"website_url", "extern_uid", "provider", "theme_id", "color_scheme_id", "is_admin", "can_create_group", "can_create_project"}
		seed002 := []string{"id", "username", "email", "name", "state", "created_at", "confirmed_at", "last_sign_in_at", "bio",
			"location", "skype", "linkedin", "twitter", "website_url", "extern_uid", "provider", "theme_id", "color_scheme_id",
			"is_admin", "can_create_group", "can_create_project", "projects_limit"}
		keys := objectKeys(t, rec.Body.Bytes())
		if !inOrder(keys, seed003) || !inOrder(keys, seed002) {
			t.Fatalf("keys %v do not follow the seeds' order", keys)
		}
	})

	t.Run(`seed 002 "Single user / For user": is_admin for everyone, no email or identity`, func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v3/users/3", token: johnToken})
		expect(t, rec, http.StatusOK, `{"id":3,"username":"root","name":"Administrator","state":"active",`+
			`"avatar_url":"https://www.gravatar.com/avatar/258d8dc916db8cea2cafb6c3cd0cb0246efe061421dbd83ec3a350428cabda4f?s=80&d=identicon",`+
			`"created_at":"2012-05-23T07:00:00.000Z","is_admin":true,"bio":null,"location":null,"skype":"","linkedin":"","twitter":"","website_url":""}`)
		want := []string{"id", "username", "name", "state", "avatar_url", "created_at", "is_admin", "bio", "location",
			"skype", "linkedin", "twitter", "website_url"}
		if keys := objectKeys(t, rec.Body.Bytes()); !slices.Equal(keys, want) {
			t.Fatalf("keys = %v, want the seed's %v", keys, want)
		}
	})

	t.Run(`seed 002 "List users / For normal users" lists jack_smith "state": "blocked"`, func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v3/users?per_page=2", token: johnToken})
		expect(t, rec, http.StatusOK, `[{"id":1,"username":"john_smith","name":"John Smith","state":"active","avatar_url":"http://gitlab.test/uploads/user/avatar/1/index.jpg"},`+
			`{"id":2,"username":"jack_smith","name":"Jack Smith","state":"blocked","avatar_url":"http://gitlab.test/uploads/user/avatar/2/index.jpg"}]`)
		if got := rec.Header().Get("X-Total"); got != "10" {
			t.Errorf("X-Total = %q, want 10 (every user, blocked ones too)", got)
		}
	})

	t.Run(`seed 002 "List users / For admins": the admin entity, ascending ids`, func(t *testing.T) {
		rec := do(t, s, req{path: "/api/v3/users", token: rootToken})
		expect(t, rec, http.StatusOK, "")
		var list []json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != 10 || string(list[0]) != johnV3Admin {
			t.Fatalf("first of %d = %s", len(list), list[0])
		}
	})

	t.Run(`seed 002 "GET /users?username=jack_smith" and "/users?search=John"`, func(t *testing.T) {
		ids := func(path string) []float64 {
			rec := do(t, s, req{path: path, token: rootToken})
			expect(t, rec, http.StatusOK, "")
			var out []float64
			for _, u := range decode[[]map[string]any](t, rec) {
				out = append(out, u["id"].(float64))
			}
			return out
		}
		if got := ids("/api/v3/users?username=jack_smith"); !slices.Equal(got, []float64{2}) {
			t.Errorf("username=jack_smith: %v", got)
		}
		if got := ids("/api/v3/users?search=John"); !slices.Equal(got, []float64{1}) {
			t.Errorf("search=John: %v", got)
		}
		if got := ids("/api/v3/users?search=jack@example.com"); !slices.Equal(got, []float64{2}) {
			t.Errorf("search by email: %v", got)
		}
		if got := ids("/api/v3/users?blocked=true"); !slices.Equal(got, []float64{2, 4, 6}) {
			t.Errorf("blocked=true: %v", got)
		}
	})

	t.Run(`seed GET /user: "private_token": "dd34asd13as", header or param`, func(t *testing.T) {
		for _, r := range []req{
			{path: "/api/v3/user", token: johnToken},
			{path: "/api/v3/user?private_token=" + johnToken},
		} {
			rec := do(t, s, r)
			expect(t, rec, http.StatusOK, "")
			got := decode[map[string]any](t, rec)
			if got["private_token"] != johnToken || got["username"] != "john_smith" || got["is_admin"] != false {
				t.Fatalf("%s: %s", r.path, rec.Body.String())
			}
			seed := []string{"id", "username", "email", "name", "private_token", "state", "created_at", "bio", "location",
				"skype", "linkedin", "twitter", "website_url", "theme_id", "color_scheme_id", "is_admin",
				"can_create_group", "can_create_project", "projects_limit"}
			if keys := objectKeys(t, rec.Body.Bytes()); !inOrder(keys, seed) {
				t.Fatalf("keys %v do not follow the seed's order", keys)
			}
		}
	})

	t.Run("every v3 route needs a token: 401", func(t *testing.T) {
		for _, r := range []req{
			{path: "/api/v3/users"}, {path: "/api/v3/users/1"}, {path: "/api/v3/user"},
			{method: http.MethodPut, path: "/api/v3/users/1/block"}, {method: http.MethodDelete, path: "/api/v3/users/1"},
			{method: http.MethodPost, path: "/api/v3/users", body: `{}`},
		} {
			expect(t, do(t, s, r), http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
		}
	})

	t.Run("v4 is unchanged by the compat layer", func(t *testing.T) {
		plain, compat := newTestServer(t, Options{}), v3Server(t)
		for _, srv := range []*Server{plain, compat} {
			do(t, srv, req{path: "/api/v4/user", token: rootToken}) // records today's activity once
		}
		for _, path := range []string{"/api/v4/user", "/api/v4/users/1", "/api/v4/users?per_page=3"} {
			want := do(t, plain, req{path: path, token: rootToken}).Body.String()
			expect(t, do(t, compat, req{path: path, token: rootToken}), http.StatusOK, want)
		}
	})
}

func TestV3BlockUnblock(t *testing.T) {
	s := v3Server(t)
	state := func(id int) string {
		rec := do(t, s, req{path: "/api/v4/users/" + strconv.Itoa(id), token: rootToken})
		return decode[map[string]any](t, rec)["state"].(string)
	}
	steps := []struct {
		name   string
		r      req
		status int
		body   string
		state  string // of the target afterwards, over the shared store
	}{
		{`seed "PUT /users/:uid/block" "Will return 200 OK on success"`,
			req{method: http.MethodPut, path: "/api/v3/users/1/block", token: rootToken}, 200, `true`, "blocked"},
		{"block an already blocked user: user.block is false",
			req{method: http.MethodPut, path: "/api/v3/users/1/block", token: rootToken}, 200, `false`, "blocked"},
		{`seed "PUT /users/:uid/unblock" "Will return 200 OK on success"`,
			req{method: http.MethodPut, path: "/api/v3/users/1/unblock", token: rootToken}, 200, `true`, "active"},
		{"unblock an active user: user.activate is false",
			req{method: http.MethodPut, path: "/api/v3/users/1/unblock", token: rootToken}, 200, `false`, "active"},
		{`seed: "403 Forbidden when trying to block an already blocked user by LDAP synchronization"`,
			req{method: http.MethodPut, path: "/api/v3/users/4/block", token: rootToken}, 403,
			`{"message":"403 Forbidden - LDAP blocked users cannot be modified by the API"}`, "ldap_blocked"},
		{`seed: "403 Forbidden when trying to unblock a user blocked by LDAP synchronization"`,
			req{method: http.MethodPut, path: "/api/v3/users/4/unblock", token: rootToken}, 403,
			`{"message":"403 Forbidden - LDAP blocked users cannot be unblocked by the API"}`, "ldap_blocked"},
		{`seed: "404 User Not Found is user cannot be found"`,
			req{method: http.MethodPut, path: "/api/v3/users/999/block", token: rootToken}, 404, `{"message":"404 User Not Found"}`, ""},
		{`seed: "Available only for admin"`,
			req{method: http.MethodPut, path: "/api/v3/users/2/unblock", token: johnToken}, 403, `{"message":"403 Forbidden"}`, "blocked"},
		{"v3 block is PUT: POST matches no route",
			req{method: http.MethodPost, path: "/api/v3/users/1/block", token: rootToken}, 404, `{"error":"404 Not Found"}`, "active"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			expect(t, do(t, s, st.r), st.status, st.body)
			if st.state == "" {
				return
			}
			id, _ := strconv.Atoi(strings.Split(st.r.path, "/")[4])
			if got := state(id); got != st.state {
				t.Fatalf("state = %s, want %s", got, st.state)
			}
		})
	}
}

func TestV3DeleteUserReturnsTheDeletedUser(t *testing.T) {
	s := v3Server(t)
	// Seed: "The JSON response differs if the user was actually deleted or
	// not. In the former the user is returned and in the latter not."
	// Seed: "Available only for administrators."
	expect(t, do(t, s, req{method: http.MethodDelete, path: "/api/v3/users/42", token: johnToken}), http.StatusForbidden, `{"message":"403 Forbidden"}`)
	before := do(t, s, req{path: "/api/v3/users/1", token: rootToken}).Body.String()
	expect(t, do(t, s, req{method: http.MethodDelete, path: "/api/v3/users/1", token: rootToken}), http.StatusOK, before)
	expect(t, do(t, s, req{path: "/api/v4/users/1", token: rootToken}), http.StatusNotFound, `{"message":"404 User Not Found"}`)
	// Seed: "calling this function for a non-existent user id still returns
	// a status code 200 OK".
	expect(t, do(t, s, req{method: http.MethodDelete, path: "/api/v3/users/1", token: rootToken}), http.StatusOK, `null`)
}

func TestV3CreateAndModifyUser(t *testing.T) {
	s := v3Server(t)
	t.Run(`seed POST /users: "password (required)": 400 "password" not given`, func(t *testing.T) {
		expect(t, do(t, s, req{method: http.MethodPost, path: "/api/v3/users", token: rootToken,
			body: `{"email":"new@example.com","username":"newbie","name":"New"}`}),
			http.StatusBadRequest, `{"message":"400 (Bad request) \"password\" not given"}`)
		expect(t, do(t, s, req{method: http.MethodPost, path: "/api/v3/users", token: rootToken, body: `{}`}),
			http.StatusBadRequest, `{"message":"400 (Bad request) \"email\" not given"}`)
	})
	t.Run(`seed: "Note only administrators can create new users"`, func(t *testing.T) {
		expect(t, do(t, s, req{method: http.MethodPost, path: "/api/v3/users", token: johnToken, body: `{}`}),
			http.StatusForbidden, `{"message":"403 Forbidden"}`)
	})
	t.Run(`seed POST /users with "extern_uid" and "provider": flat in the answer`, func(t *testing.T) {
		rec := do(t, s, req{method: http.MethodPost, path: "/api/v3/users", token: rootToken,
			body: `{"email":"legacy@example.com","password":"Vq7#Lm2!Rt9zKw4$","username":"legacy","name":"Legacy Client",` +
				`"extern_uid":"legacy.uid","provider":"ldapmain","admin":true,"confirm":false}`})
		expect(t, rec, http.StatusCreated, "")
		got := decode[map[string]any](t, rec)
		if got["extern_uid"] != "legacy.uid" || got["provider"] != "ldapmain" || got["is_admin"] != true || got["confirmed_at"] == nil {
			t.Fatalf("created: %s", rec.Body.String())
		}
		expect(t, do(t, s, req{method: http.MethodPost, path: "/api/v3/users", token: rootToken,
			body: `{"email":"legacy@example.com","password":"Vq7#Lm2!Rt9zKw4$","username":"legacy2","name":"Again"}`}),
			http.StatusConflict, `{"message":"Email has already been taken"}`)
	})
	t.Run(`seed PUT /users/:id: "extern_uid - External UID", "provider - External provider name"`, func(t *testing.T) {
		rec := do(t, s, req{method: http.MethodPut, path: "/api/v3/users/1", token: rootToken,
			body: `{"name":"John Q. Smith","extern_uid":"john.smith","provider":"bitbucket","email":"jqs@example.com"}`})
		expect(t, rec, http.StatusOK, "")
		got := decode[map[string]any](t, rec)
		if got["name"] != "John Q. Smith" || got["extern_uid"] != "john.smith" || got["provider"] != "bitbucket" || got["email"] != "jqs@example.com" {
			t.Fatalf("updated: %s", rec.Body.String())
		}
		expect(t, do(t, s, req{method: http.MethodPut, path: "/api/v3/users/999", token: rootToken, body: `{"name":"x"}`}),
			http.StatusNotFound, `{"message":"404 User Not Found"}`)
		expect(t, do(t, s, req{method: http.MethodPut, path: "/api/v3/users/1", token: rootToken, body: `{"email":"admin@example.com"}`}),
			http.StatusConflict, `{"message":"Email has already been taken"}`)
	})
}

// docsKey is the seed's SSH key (keys 1 and 3 of john_smith).
const docsKey = "ssh-rsa AAAAB3NzaC1yc2EAAAABJQAAAIEAiPWx6WM4lhHNedGfBpPJNPpZ7yKu+dnn1SJejgt4596k6YjzGGphH2TUxwKzxcKDKKezwkpfnxPkSMkuEspGRt/aZZ9wa++Oi7Qkr8prgHc4soW6NUlfDzpvZK2H5E7eQaSeP3SAwGmQKUFHCddNaP0L+hM7zhFNzjFvpaMgJw0="

func TestV3DeleteKeysAndEmailsReturnTheDeletedObject(t *testing.T) {
	s := v3Server(t)
	steps := []struct {
		name   string
		r      req
		status int
		body   string
	}{
		{`seed "DELETE /user/keys/:id": 200 with the key (id, title, key, created_at)`,
			req{method: http.MethodDelete, path: "/api/v3/user/keys/1", token: johnToken}, 200,
			`{"id":1,"title":"Public key","key":"` + docsKey + `","created_at":"2014-08-01T14:47:39.080Z"}`},
		{`seed: "calling it on a key that is already deleted or not available results in 200 OK"`,
			req{method: http.MethodDelete, path: "/api/v3/user/keys/1", token: johnToken}, 200, `null`},
		{`seed "DELETE /users/:uid/keys/:id": "Available only for admin"`,
			req{method: http.MethodDelete, path: "/api/v3/users/1/keys/3", token: johnToken}, 403, `{"message":"403 Forbidden"}`},
		{`seed "DELETE /users/:uid/keys/:id": "Will return 200 OK on success"`,
			req{method: http.MethodDelete, path: "/api/v3/users/1/keys/3", token: rootToken}, 200,
			`{"id":3,"title":"Another Public key","key":"` + docsKey + `","created_at":"2014-08-01T14:47:39.080Z"}`},
		{`seed: "or 404 Not found if either user or key cannot be found" (key)`,
			req{method: http.MethodDelete, path: "/api/v3/users/1/keys/3", token: rootToken}, 404, `{"message":"404 Key Not Found"}`},
		{`seed: "or 404 Not found if either user or key cannot be found" (user)`,
			req{method: http.MethodDelete, path: "/api/v3/users/999/keys/3", token: rootToken}, 404, `{"message":"404 User Not Found"}`},
		{`seed "DELETE /user/emails/:id": 200 with the email (id, email)`,
			req{method: http.MethodDelete, path: "/api/v3/user/emails/1", token: johnToken}, 200, `{"id":1,"email":"email@example.com"}`},
		{`seed: "calling it on a email that is already deleted or not available results in 200 OK"`,
			req{method: http.MethodDelete, path: "/api/v3/user/emails/1", token: johnToken}, 200, `null`},
		{`seed "DELETE /users/:uid/emails/:id": "Will return 200 OK on success"`,
			req{method: http.MethodDelete, path: "/api/v3/users/1/emails/3", token: rootToken}, 200, `{"id":3,"email":"email2@example.com"}`},
		{`seed: "or 404 Not found if either user or email cannot be found"`,
			req{method: http.MethodDelete, path: "/api/v3/users/1/emails/3", token: rootToken}, 404, `{"message":"404 Email Not Found"}`},
		{"v3 child deletes need a token",
			req{method: http.MethodDelete, path: "/api/v3/user/keys/1"}, 401, `{"message":"401 Unauthorized"}`},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			expect(t, do(t, s, st.r), st.status, st.body)
		})
	}
	// Over the same store: v4 sees the deletions.
	expect(t, do(t, s, req{path: "/api/v4/users/1/keys", token: rootToken}), http.StatusOK, `[]`)
	emails := decode[[]map[string]any](t, do(t, s, req{path: "/api/v4/users/1/emails", token: rootToken}))
	for _, e := range emails {
		if e["id"].(float64) != 0 {
			t.Errorf("secondary email left after the v3 deletes: %v", e)
		}
	}
}
