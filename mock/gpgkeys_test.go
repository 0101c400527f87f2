package mock

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/fixture"
)

// gpgPublicKey generates an OpenPGP key for the test and returns its
// armored public key block.
func gpgPublicKey(t testing.TB, email string) string {
	t.Helper()
	e, err := openpgp.NewEntity("Test", "", email, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.String()
}

func TestGPGKeyLifecycle(t *testing.T) {
	s := newKeysServer(t)
	key := gpgPublicKey(t, "alice@example.com")
	stored := strings.TrimSpace(key)
	want := `{"id":1,"key":` + jsonStr(stored) + `,"created_at":"2026-01-01T00:00:00.000Z"}`
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/gpg_keys", token: "tok-alice", body: postJSON(t, map[string]any{"key": key})}), http.StatusCreated, want)
	expect(t, do(t, s, req{path: "/api/v4/user/gpg_keys/1", token: "tok-alice"}), http.StatusOK, want)
	expect(t, do(t, s, req{path: "/api/v4/user/gpg_keys", token: "tok-alice"}), http.StatusOK, "["+want+"]")
	expect(t, do(t, s, req{path: "/api/v4/users/2/gpg_keys"}), http.StatusOK, "["+want+"]")
	expect(t, do(t, s, req{path: "/api/v4/users/2/gpg_keys/1"}), http.StatusOK, want)

	// Revoke: 202 with the body 202; GitLab destroys the key.
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/gpg_keys/1/revoke", token: "tok-alice"}), http.StatusAccepted, `202`)
	expect(t, do(t, s, req{path: "/api/v4/user/gpg_keys/1", token: "tok-alice"}), http.StatusNotFound, `{"message":"404 GPG Key Not Found"}`)
	expect(t, do(t, s, req{path: "/api/v4/users/2/gpg_keys"}), http.StatusOK, "[]")

	// A revoked key may be added again (it is gone); then the admin routes.
	rec := do(t, s, req{method: "POST", path: "/api/v4/users/2/gpg_keys", token: "tok-admin", body: postJSON(t, map[string]any{"key": key})})
	expect(t, rec, http.StatusCreated, `{"id":2,"key":`+jsonStr(stored)+`,"created_at":"2026-01-01T00:00:00.000Z"}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/gpg_keys/2/revoke", token: "tok-admin"}), http.StatusAccepted, `202`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/gpg_keys", token: "tok-admin", body: postJSON(t, map[string]any{"key": key})}), http.StatusCreated, "")
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/2/gpg_keys/3", token: "tok-admin"}), http.StatusNoContent, "")
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/2/gpg_keys/3", token: "tok-admin"}), http.StatusNotFound, `{"message":"404 GPG Key Not Found"}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/gpg_keys", token: "tok-alice", body: postJSON(t, map[string]any{"key": key})}), http.StatusCreated, "")
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/user/gpg_keys/4", token: "tok-alice"}), http.StatusNoContent, "")
}

func TestGPGKeyValidationErrors(t *testing.T) {
	key := gpgPublicKey(t, "alice@example.com")
	const badFormat = `"is invalid. A valid public GPG key begins with '-----BEGIN PGP PUBLIC KEY BLOCK-----' and ends with '-----END PGP PUBLIC KEY BLOCK-----'"`
	// Another armoring of the same key: same fingerprint, other text.
	rearmored := strings.Replace(strings.TrimSpace(key), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: again\n", 1)
	for _, tc := range []struct {
		name, key string
		status    int
		want      string
	}{
		{"not armored", "hello", 400, `{"message":{"key":[` + badFormat + `]}}`},
		{"empty", "", 400, `{"message":{"key":["can't be blank",` + badFormat + `]}}`},
		{"two blocks", key + "\n" + key, 400, `{"message":{"key":[` + badFormat + `]}}`},
		{"armored garbage", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm9wZQ==\n-----END PGP PUBLIC KEY BLOCK-----", 400,
			`{"message":{"fingerprint":["can't be blank"],"primary_keyid":["can't be blank"]}}`},
		{"the same key again", key, 400, `{"message":{"key":["has already been taken"]}}`},
		{"the same key armored again", rearmored, 400, `{"message":{"fingerprint":["has already been taken"],"primary_keyid":["has already been taken"]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newKeysServer(t)
			expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/3/gpg_keys", token: "tok-admin", body: postJSON(t, map[string]any{"key": key})}), http.StatusCreated, "")
			expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/gpg_keys", token: "tok-alice", body: postJSON(t, map[string]any{"key": tc.key})}), tc.status, tc.want)
			expect(t, do(t, s, req{path: "/api/v4/user/gpg_keys", token: "tok-alice"}), http.StatusOK, "[]")
		})
	}
}

func TestGPGKeyAccessRules(t *testing.T) {
	s := newKeysServer(t)
	key := gpgPublicKey(t, "bob@example.com")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/gpg_keys", token: "tok-bob", body: postJSON(t, map[string]any{"key": key})}), http.StatusCreated, "")
	for _, tc := range []struct {
		name   string
		r      req
		status int
		want   string
	}{
		{"another user's key, even for an admin", req{path: "/api/v4/user/gpg_keys/1", token: "tok-admin"}, 404, `{"message":"404 GPG Key Not Found"}`},
		{"revoke another user's key", req{method: "POST", path: "/api/v4/user/gpg_keys/1/revoke", token: "tok-alice"}, 404, `{"message":"404 GPG Key Not Found"}`},
		{"non-integer key id", req{method: "DELETE", path: "/api/v4/user/gpg_keys/x", token: "tok-bob"}, 400, `{"error":"key_id is invalid"}`},
		{"missing key", req{method: "POST", path: "/api/v4/user/gpg_keys", token: "tok-bob", body: `{}`}, 400, `{"error":"key is missing"}`},
		{"anonymous", req{path: "/api/v4/user/gpg_keys"}, 401, `{"message":"401 Unauthorized"}`},
		{"user list: username is no route", req{path: "/api/v4/users/bob/gpg_keys"}, 404, `{"error":"404 Not Found"}`},
		{"user list: missing user", req{path: "/api/v4/users/999/gpg_keys"}, 404, `{"message":"404 User Not Found"}`},
		{"user key: wrong user", req{path: "/api/v4/users/2/gpg_keys/1"}, 404, `{"message":"404 GPG Key Not Found"}`},
		{"admin add: not an admin", req{method: "POST", path: "/api/v4/users/3/gpg_keys", token: "tok-alice", body: postJSON(t, map[string]any{"key": key})}, 403, `{"message":"403 Forbidden"}`},
		{"admin add: missing user", req{method: "POST", path: "/api/v4/users/999/gpg_keys", token: "tok-admin", body: postJSON(t, map[string]any{"key": key})}, 404, `{"message":"404 User Not Found"}`},
		{"admin delete: not an admin", req{method: "DELETE", path: "/api/v4/users/3/gpg_keys/1", token: "tok-bob"}, 403, `{"message":"403 Forbidden"}`},
		{"admin revoke: anonymous", req{method: "POST", path: "/api/v4/users/3/gpg_keys/1/revoke"}, 401, `{"message":"401 Unauthorized"}`},
		{"admin revoke: missing key", req{method: "POST", path: "/api/v4/users/3/gpg_keys/99/revoke", token: "tok-admin"}, 404, `{"message":"404 GPG Key Not Found"}`},
	} {
		t.Run(tc.name, func(t *testing.T) { expect(t, do(t, s, tc.r), tc.status, tc.want) })
	}
	if len(s.store.GPGKeysOf(3)) != 1 {
		t.Fatal("a refused request changed bob's GPG keys")
	}
}

// What the API adds is exported as fixtures and loads back: keys, GPG keys
// and emails, ids and all.
func TestKeysAndEmailsAddedThroughTheAPIRoundTripThroughExport(t *testing.T) {
	s := newKeysServer(t)
	sshKey, _ := ed25519Key(t, 10, "alice@laptop")
	gpg := gpgPublicKey(t, "alice@example.com")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice",
		body: postJSON(t, map[string]any{"title": "laptop", "key": sshKey, "expires_at": "2027-01-02T03:04:05Z", "usage_type": "auth"})}), http.StatusCreated, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/gpg_keys", token: "tok-alice", body: postJSON(t, map[string]any{"key": gpg})}), http.StatusCreated, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/emails", token: "tok-admin", body: `{"email":"alice.new@example.com","skip_confirmation":true}`}), http.StatusCreated, "")
	doc, err := fixture.Export(s.store.Export())
	if err != nil {
		t.Fatal(err)
	}
	again := newTestServer(t, Options{Fixtures: doc})
	for _, path := range []string{"/api/v4/user/keys", "/api/v4/user/gpg_keys", "/api/v4/user/emails"} {
		a := do(t, s, req{path: path, token: "tok-alice"})
		b := do(t, again, req{path: path, token: "tok-alice"})
		if a.Body.String() != b.Body.String() {
			t.Fatalf("%s after export and reload:\n%s\nwant\n%s", path, b.Body.String(), a.Body.String())
		}
	}
	// The reloaded state still knows the fingerprints and addresses are taken.
	expect(t, do(t, again, req{method: "POST", path: "/api/v4/user/keys", token: "tok-bob", body: postJSON(t, map[string]any{"title": "x", "key": sshKey})}),
		http.StatusBadRequest, `{"message":{"fingerprint_sha256":["has already been taken"]}}`)
	expect(t, do(t, again, req{method: "POST", path: "/api/v4/user/gpg_keys", token: "tok-bob", body: postJSON(t, map[string]any{"key": gpg})}),
		http.StatusBadRequest, `{"message":{"key":["has already been taken"]}}`)
	expect(t, do(t, again, req{method: "POST", path: "/api/v4/user/emails", token: "tok-bob", body: `{"email":"ALICE.NEW@example.com"}`}),
		http.StatusBadRequest, `{"message":{"email":["has already been taken"]}}`)
}
