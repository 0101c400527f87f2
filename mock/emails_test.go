package mock

import (
	"net/http"
	"testing"
)

const (
	alicePrimaryJSON = `{"id":0,"email":"alice@example.com","confirmed_at":"2020-01-01T00:00:00.000Z"}`
	aliceWorkJSON    = `{"id":7,"email":"alice.work@example.com","confirmed_at":"2021-01-01T00:00:00.000Z"}`
)

func TestEmailListsThePrimaryEmailFirst(t *testing.T) {
	s := newKeysServer(t)
	expect(t, do(t, s, req{path: "/api/v4/user/emails", token: "tok-alice"}), http.StatusOK, "["+alicePrimaryJSON+","+aliceWorkJSON+"]")
	expect(t, do(t, s, req{path: "/api/v4/user/emails", token: "tok-alice-read"}), http.StatusOK, "["+alicePrimaryJSON+","+aliceWorkJSON+"]")
	expect(t, do(t, s, req{path: "/api/v4/users/2/emails", token: "tok-admin"}), http.StatusOK, "["+alicePrimaryJSON+","+aliceWorkJSON+"]")
	expect(t, do(t, s, req{path: "/api/v4/user/emails/0", token: "tok-alice"}), http.StatusOK, alicePrimaryJSON)
	expect(t, do(t, s, req{path: "/api/v4/user/emails/7", token: "tok-alice"}), http.StatusOK, aliceWorkJSON)
	// An unconfirmed account's primary email is not in its emails.
	expect(t, do(t, s, req{path: "/api/v4/user/emails", token: "tok-carol"}), http.StatusOK, "[]")
	expect(t, do(t, s, req{path: "/api/v4/user/emails/0", token: "tok-carol"}), http.StatusNotFound, `{"message":"404 Email Not Found"}`)

	page := do(t, s, req{path: "/api/v4/user/emails?per_page=1", token: "tok-alice"})
	expect(t, page, http.StatusOK, "["+alicePrimaryJSON+"]")
	if page.Header().Get("X-Total") != "2" || page.Header().Get("X-Next-Page") != "2" {
		t.Fatalf("pagination headers %v", page.Header())
	}
}

func TestAddEmail(t *testing.T) {
	s := newKeysServer(t)
	// skip_confirmation is not declared on /user/emails: the address stays unconfirmed.
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/emails", token: "tok-alice", body: `{"email":"alice2@example.com","skip_confirmation":true}`}),
		http.StatusCreated, `{"id":8,"email":"alice2@example.com","confirmed_at":null}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/emails", token: "tok-admin", body: `{"email":"alice3@example.com","skip_confirmation":true}`}),
		http.StatusCreated, `{"id":9,"email":"alice3@example.com","confirmed_at":"2026-01-01T00:00:00.000Z"}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/emails", token: "tok-admin", body: "email=alice4%40example.com", contentType: "application/x-www-form-urlencoded"}),
		http.StatusCreated, `{"id":10,"email":"alice4@example.com","confirmed_at":null}`)
	expect(t, do(t, s, req{path: "/api/v4/users/2/emails", token: "tok-admin"}), http.StatusOK, "["+alicePrimaryJSON+","+aliceWorkJSON+
		`,{"id":8,"email":"alice2@example.com","confirmed_at":null},{"id":9,"email":"alice3@example.com","confirmed_at":"2026-01-01T00:00:00.000Z"},{"id":10,"email":"alice4@example.com","confirmed_at":null}]`)
}

func TestAddEmailValidationErrors(t *testing.T) {
	const taken = `{"message":{"email":["has already been taken"]}}`
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"someone's primary email", `{"email":"bob@example.com"}`, 400, taken},
		{"the caller's own primary email", `{"email":"alice@example.com"}`, 400, taken},
		{"someone's unconfirmed secondary email, other case", `{"email":"BOB.pending@example.com"}`, 400, taken},
		{"the caller's own secondary email", `{"email":"alice.work@example.com"}`, 400, taken},
		{"not an address", `{"email":"nope"}`, 400, `{"message":{"email":["is invalid"]}}`},
		{"blank", `{"email":" "}`, 400, `{"message":{"email":["can't be blank","is invalid"]}}`},
		{"missing", `{}`, 400, `{"error":"email is missing"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newKeysServer(t)
			expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/emails", token: "tok-alice", body: tc.body}), tc.status, tc.want)
			if got := len(s.store.EmailsOf(2)); got != 1 {
				t.Fatalf("alice has %d secondary emails, want 1", got)
			}
		})
	}
}

func TestEmailAccessRules(t *testing.T) {
	s := newKeysServer(t)
	for _, tc := range []struct {
		name   string
		r      req
		status int
		want   string
	}{
		{"another user's email, even for an admin", req{path: "/api/v4/user/emails/5", token: "tok-admin"}, 404, `{"message":"404 Email Not Found"}`},
		{"delete another user's email", req{method: "DELETE", path: "/api/v4/user/emails/5", token: "tok-alice"}, 404, `{"message":"404 Email Not Found"}`},
		{"the primary email cannot be deleted", req{method: "DELETE", path: "/api/v4/user/emails/0", token: "tok-alice"}, 404, `{"message":"404 Email Not Found"}`},
		{"non-integer email id", req{method: "DELETE", path: "/api/v4/user/emails/ASDF", token: "tok-alice"}, 400, `{"error":"email_id is invalid"}`},
		{"anonymous", req{path: "/api/v4/user/emails"}, 401, `{"message":"401 Unauthorized"}`},
		{"admin list: not an admin", req{path: "/api/v4/users/3/emails", token: "tok-alice"}, 403, `{"message":"403 Forbidden"}`},
		{"admin list: anonymous", req{path: "/api/v4/users/3/emails"}, 401, `{"message":"401 Unauthorized"}`},
		{"admin list: missing user", req{path: "/api/v4/users/999/emails", token: "tok-admin"}, 404, `{"message":"404 User Not Found"}`},
		{"admin list: a username is no route", req{path: "/api/v4/users/ASDF/emails", token: "tok-admin"}, 404, `{"error":"404 Not Found"}`},
		{"admin add: parameters before the admin check", req{method: "POST", path: "/api/v4/users/3/emails", token: "tok-alice", body: `{}`}, 400, `{"error":"email is missing"}`},
		{"admin add: bad skip_confirmation", req{method: "POST", path: "/api/v4/users/3/emails", token: "tok-admin", body: `{"email":"x@example.com","skip_confirmation":"maybe"}`}, 400, `{"error":"skip_confirmation is invalid"}`},
		{"admin add: not an admin", req{method: "POST", path: "/api/v4/users/3/emails", token: "tok-alice", body: `{"email":"x@example.com"}`}, 403, `{"message":"403 Forbidden"}`},
		{"admin delete: wrong user", req{method: "DELETE", path: "/api/v4/users/2/emails/5", token: "tok-admin"}, 404, `{"message":"404 Email Not Found"}`},
		{"admin delete: not an admin", req{method: "DELETE", path: "/api/v4/users/3/emails/5", token: "tok-bob"}, 403, `{"message":"403 Forbidden"}`},
	} {
		t.Run(tc.name, func(t *testing.T) { expect(t, do(t, s, tc.r), tc.status, tc.want) })
	}
	if len(s.store.EmailsOf(3)) != 1 || len(s.store.EmailsOf(2)) != 1 {
		t.Fatal("a refused request changed the emails")
	}
}

func TestDeletingAnEmailUnsetsItAsPublicEmail(t *testing.T) {
	s := newKeysServer(t)
	if u := s.store.User(2); u.PublicEmail != "alice.work@example.com" {
		t.Fatalf("fixture public_email = %q", u.PublicEmail)
	}
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/user/emails/7", token: "tok-alice"}), http.StatusNoContent, "")
	if u := s.store.User(2); u.PublicEmail != "" {
		t.Fatalf("public_email = %q after its address was deleted", u.PublicEmail)
	}
	expect(t, do(t, s, req{path: "/api/v4/user/emails", token: "tok-alice"}), http.StatusOK, "["+alicePrimaryJSON+"]")
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/user/emails/7", token: "tok-alice"}), http.StatusNotFound, `{"message":"404 Email Not Found"}`)
}

// Secondary emails added through the API take part in the uniqueness rules
// of user create and update: a confirmed one is a 409, an unconfirmed one a
// validation error, and a deleted one is free again.
func TestSecondaryEmailsStayCoherentWithUserCreateAndUpdate(t *testing.T) {
	s := newKeysServer(t)
	create := func(email string) req {
		return req{method: "POST", path: "/api/v4/users", token: "tok-admin",
			body: `{"email":"` + email + `","name":"N","username":"newbie","password":"Vq7#Lm2!Rt9zKw4$","skip_confirmation":true}`}
	}
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/3/emails", token: "tok-admin", body: `{"email":"bob.confirmed@example.com","skip_confirmation":true}`}), http.StatusCreated, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/emails", token: "tok-bob", body: `{"email":"bob.unconfirmed@example.com"}`}), http.StatusCreated, "")
	expect(t, do(t, s, create("Bob.Confirmed@example.com")), http.StatusConflict, `{"message":"Email has already been taken"}`)
	expect(t, do(t, s, create("bob.unconfirmed@example.com")), http.StatusBadRequest, `{"message":{"email":["has already been taken"]}}`)
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/users/2", token: "tok-admin", body: `{"email":"bob.confirmed@example.com"}`}),
		http.StatusConflict, `{"message":"Email has already been taken"}`)
	// Deleting frees the addresses.
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/3/emails/8", token: "tok-admin"}), http.StatusNoContent, "")
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/3/emails/9", token: "tok-admin"}), http.StatusNoContent, "")
	expect(t, do(t, s, create("bob.unconfirmed@example.com")), http.StatusCreated, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/emails", token: "tok-alice", body: `{"email":"bob.confirmed@example.com"}`}), http.StatusCreated, "")
	// The new user's primary email is taken for secondary emails too.
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/emails", token: "tok-alice", body: `{"email":"bob.unconfirmed@example.com"}`}),
		http.StatusBadRequest, `{"message":{"email":["has already been taken"]}}`)
}

// /users has authenticate_non_get!: an anonymous read is validated first
// (400) and refused in the endpoint (401); a write is refused first.
func TestAnonymousAdminReadsAreValidatedBeforeTheLoginCheck(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, tc := range []struct {
		name   string
		r      req
		status int
		body   string
	}{
		{"emails, bad page", req{path: "/api/v4/users/3/emails?page=x"}, 400, `{"error":"page is invalid"}`},
		{"emails, good params", req{path: "/api/v4/users/3/emails"}, 401, `{"message":"401 Unauthorized"}`},
		{"memberships, bad type", req{path: "/api/v4/users/3/memberships?type=Group"}, 400, `{"error":"type does not have a valid value"}`},
		{"memberships, non-admin", req{path: "/api/v4/users/3/memberships", token: johnToken}, 403, `{"message":"403 Forbidden"}`},
		{"email write, missing email", req{method: "POST", path: "/api/v4/users/3/emails", body: `{}`}, 401, `{"message":"401 Unauthorized"}`},
	} {
		t.Run(tc.name, func(t *testing.T) { expect(t, do(t, s, tc.r), tc.status, tc.body) })
	}
}
