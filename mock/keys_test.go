package mock

import (
	"bytes"
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// keysFixture: a frozen clock, an admin, alice.smith (a dot in her
// username), bob with an unconfirmed secondary email, and carol, who never
// confirmed her account.
const keysFixture = `now: 2026-01-01T00:00:00Z
users:
  - id: 1
    username: admin
    name: Ada Admin
    email: admin@example.com
    admin: true
    created_at: 2020-01-01T00:00:00Z
    personal_access_tokens: [{id: 1, name: a, token: tok-admin, scopes: [api]}]
  - id: 2
    username: alice.smith
    name: Alice Smith
    email: alice@example.com
    created_at: 2020-01-01T00:00:00Z
    public_email: alice.work@example.com
    emails: [{id: 7, email: alice.work@example.com, confirmed_at: 2021-01-01T00:00:00Z}]
    personal_access_tokens:
      - {id: 2, name: a, token: tok-alice, scopes: [api]}
      - {id: 3, name: r, token: tok-alice-read, scopes: [read_user]}
  - id: 3
    username: bob
    name: Bob
    email: bob@example.com
    created_at: 2020-01-01T00:00:00Z
    emails: [{id: 5, email: bob.pending@example.com}]
    personal_access_tokens: [{id: 4, name: b, token: tok-bob, scopes: [api]}]
  - id: 4
    username: carol
    name: Carol
    email: carol@example.com
    created_at: 2020-01-01T00:00:00Z
    confirmed_at: null
    personal_access_tokens: [{id: 5, name: c, token: tok-carol, scopes: [api]}]
`

func newKeysServer(t testing.TB) *Server {
	t.Helper()
	return newTestServer(t, Options{Fixtures: []byte(keysFixture)})
}

// ed25519Key is a deterministic test key (seed n), in authorized_keys form.
func ed25519Key(t testing.TB, n byte, comment string) (string, ssh.PublicKey) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{n}, ed25519.SeedSize))
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return authorized(pub, comment), pub
}

func authorized(pub ssh.PublicKey, comment string) string {
	s := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	if comment != "" {
		s += " " + comment
	}
	return s
}

// bareKey is the key's type and data without a comment.
func bareKey(pub ssh.PublicKey) string { return authorized(pub, "") }

func jsonStr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func postJSON(t testing.TB, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// skEd25519Key and skECDSAKey build FIDO (sk-) public keys by their wire
// format: x/crypto/ssh parses them but has no constructor.
func skEd25519Key(t testing.TB) ssh.PublicKey {
	t.Helper()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	wire := ssh.Marshal(struct {
		Name        string
		KeyBytes    []byte
		Application string
	}{ssh.KeyAlgoSKED25519, pub, "ssh:"})
	k, err := ssh.ParsePublicKey(wire)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func skECDSAKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	point, err := priv.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	wire := ssh.Marshal(struct {
		Name        string
		Curve       string
		Point       []byte
		Application string
	}{ssh.KeyAlgoSKECDSA256, "nistp256", point.Bytes(), "ssh:"})
	k, err := ssh.ParsePublicKey(wire)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestAddSSHKeyReplacesTheCommentAndRendersGitLabsEntity(t *testing.T) {
	s := newKeysServer(t)
	key, pub := ed25519Key(t, 1, "alice@laptop.example.com")
	rec := do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice",
		body: postJSON(t, map[string]any{"title": "laptop", "key": key, "expires_at": "2027-01-02"})})
	want := `{"id":1,"title":"laptop","created_at":"2026-01-01T00:00:00.000Z","expires_at":"2027-01-02T00:00:00.000Z","key":` +
		jsonStr(bareKey(pub)+" Alice Smith (gitlab.test)") + `,"usage_type":"auth_and_signing"}`
	expect(t, rec, http.StatusCreated, want)

	expect(t, do(t, s, req{path: "/api/v4/user/keys/1", token: "tok-alice"}), http.StatusOK, want)
	expect(t, do(t, s, req{path: "/api/v4/user/keys/1", token: "tok-alice-read"}), http.StatusOK, want)
	list := do(t, s, req{path: "/api/v4/user/keys", token: "tok-alice"})
	expect(t, list, http.StatusOK, "["+want+"]")
	for h, v := range map[string]string{"X-Total": "1", "X-Total-Pages": "1", "X-Per-Page": "20", "X-Page": "1", "X-Next-Page": "", "X-Prev-Page": ""} {
		if got, ok := list.Header()[h]; !ok || got[0] != v {
			t.Errorf("%s = %v, want %q", h, got, v)
		}
	}
	// Anyone may list a user's keys, by id or by username (dots escaped or not).
	for _, path := range []string{"/api/v4/users/2/keys", "/api/v4/users/alice.smith/keys", "/api/v4/users/alice%2Esmith/keys", "/api/v4/users/ALICE.SMITH/keys"} {
		expect(t, do(t, s, req{path: path}), http.StatusOK, "["+want+"]")
	}
	expect(t, do(t, s, req{path: "/api/v4/users/2/keys/1"}), http.StatusOK, want)
}

func TestSSHKeyCommentUsesTheExternalURLHostWithoutPort(t *testing.T) {
	s := newTestServer(t, Options{Fixtures: []byte(keysFixture), ExternalURL: "https://git.example.org:8443/gitlab"})
	key, pub := ed25519Key(t, 2, "")
	rec := do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice",
		body: postJSON(t, map[string]any{"title": "t", "key": key, "usage_type": "signing"})})
	expect(t, rec, http.StatusCreated, `{"id":1,"title":"t","created_at":"2026-01-01T00:00:00.000Z","expires_at":null,"key":`+
		jsonStr(bareKey(pub)+" Alice Smith (git.example.org)")+`,"usage_type":"signing"}`)
}

func TestAddSSHKeyValidationErrorsAreGitLabs(t *testing.T) {
	good, _ := ed25519Key(t, 3, "c")
	dsaParams := &dsa.Parameters{}
	if err := dsa.GenerateParameters(dsaParams, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	dsaPriv := &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: *dsaParams}}
	if err := dsa.GenerateKey(dsaPriv, rand.Reader); err != nil {
		t.Fatal(err)
	}
	dsaPub, err := ssh.NewPublicKey(&dsaPriv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	const forbidden = `"type is forbidden. Must be RSA, ECDSA, ED25519, ECDSA_SK, or ED25519_SK"`
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		want   string
	}{
		{"garbage is no key", map[string]any{"title": "t", "key": "foo"}, 400,
			`{"message":{"key":[` + forbidden + `,"is invalid"],"fingerprint_sha256":["cannot be generated"]}}`},
		{"a known type with bad data", map[string]any{"title": "t", "key": "ssh-rsa notbase64 x"}, 400,
			`{"message":{"key":[` + forbidden + `],"fingerprint_sha256":["cannot be generated"]}}`},
		{"empty key and title", map[string]any{"title": "", "key": ""}, 400,
			`{"message":{"title":["can't be blank"],"key":["can't be blank",` + forbidden + `,"is invalid"],"fingerprint_sha256":["cannot be generated"]}}`},
		{"DSA keys are forbidden by default", map[string]any{"title": "t", "key": authorized(dsaPub, "old")}, 400,
			`{"message":{"key":[` + forbidden + `]}}`},
		{"a private key", map[string]any{"title": "t", "key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"}, 400,
			`{"message":{"key":[` + forbidden + `,"is invalid"],"fingerprint_sha256":["cannot be generated"]}}`},
		{"title too long", map[string]any{"title": strings.Repeat("x", 256), "key": good}, 400,
			`{"message":{"title":["is too long (maximum is 255 characters)"]}}`},
		{"already expired", map[string]any{"title": "t", "key": good, "expires_at": "2025-12-31T23:59:59Z"}, 400,
			`{"message":{"key":["has expired"]}}`},
		{"missing key and title", map[string]any{}, 400, `{"error":"key is missing, title is missing"}`},
		{"bad usage type", map[string]any{"title": "t", "key": good, "usage_type": "login"}, 400,
			`{"error":"usage_type does not have a valid value"}`},
		{"bad expiry", map[string]any{"title": "t", "key": good, "expires_at": "soon"}, 400, `{"error":"expires_at is invalid"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newKeysServer(t)
			expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice", body: postJSON(t, tc.body)}), tc.status, tc.want)
			expect(t, do(t, s, req{path: "/api/v4/user/keys", token: "tok-alice"}), http.StatusOK, "[]")
		})
	}
}

func TestDuplicateSSHKeyIsTakenAcrossUsers(t *testing.T) {
	s := newKeysServer(t)
	key, _ := ed25519Key(t, 4, "first")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice", body: postJSON(t, map[string]any{"title": "a", "key": key})}), http.StatusCreated, "")
	// The same key material with another comment is the same key.
	other := strings.Replace(key, "first", "second", 1)
	for _, r := range []req{
		{method: "POST", path: "/api/v4/user/keys", token: "tok-bob", body: postJSON(t, map[string]any{"title": "b", "key": other})},
		{method: "POST", path: "/api/v4/users/3/keys", token: "tok-admin", body: postJSON(t, map[string]any{"title": "b", "key": other})},
		{method: "POST", path: "/api/v4/user/keys", token: "tok-alice", body: postJSON(t, map[string]any{"title": "", "key": key})},
	} {
		rec := do(t, s, r)
		want := `{"message":{"fingerprint_sha256":["has already been taken"]}}`
		if r.body != "" && strings.Contains(r.body, `"title":""`) {
			want = `{"message":{"title":["can't be blank"],"fingerprint_sha256":["has already been taken"]}}`
		}
		expect(t, rec, http.StatusBadRequest, want)
	}
	// Deleting the key frees its fingerprint.
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/user/keys/1", token: "tok-alice"}), http.StatusNoContent, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-bob", body: postJSON(t, map[string]any{"title": "b", "key": other})}), http.StatusCreated, "")
}

func TestSSHKeyTypesTheLibraryParsesAreAccepted(t *testing.T) {
	rsaPriv, _ := rsa.GenerateKey(rand.Reader, 2048)
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ec521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	_, edPub := ed25519Key(t, 5, "")
	keys := map[string]ssh.PublicKey{ssh.KeyAlgoED25519: edPub, ssh.KeyAlgoSKED25519: skEd25519Key(t), ssh.KeyAlgoSKECDSA256: skECDSAKey(t)}
	for _, k := range []any{&rsaPriv.PublicKey, &ec256.PublicKey, &ec384.PublicKey, &ec521.PublicKey} {
		pub, err := ssh.NewPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		keys[pub.Type()] = pub
	}
	s := newKeysServer(t)
	for typ, pub := range keys {
		t.Run(typ, func(t *testing.T) {
			rec := do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice",
				body: postJSON(t, map[string]any{"title": typ, "key": authorized(pub, "me@host")})})
			expect(t, rec, http.StatusCreated, "")
			got := decode[map[string]any](t, rec)
			if got["key"] != bareKey(pub)+" Alice Smith (gitlab.test)" {
				t.Fatalf("key = %v", got["key"])
			}
			fp := url.QueryEscape(ssh.FingerprintSHA256(pub))
			found := decode[map[string]any](t, do(t, s, req{path: "/api/v4/keys?fingerprint=" + fp, token: "tok-admin"}))
			if found["id"] != got["id"] {
				t.Fatalf("lookup by fingerprint found %v, want %v", found["id"], got["id"])
			}
		})
	}
}

func TestSSHKeyInputIsSanitizedAsGitLabDoes(t *testing.T) {
	_, pub := ed25519Key(t, 6, "")
	b64 := strings.Fields(bareKey(pub))[1]
	for name, input := range map[string]string{
		"options are dropped":           `no-pty,command="x" ` + bareKey(pub) + " me@host",
		"wrapped data is joined":        "ssh-ed25519 " + b64[:20] + "\n" + b64[20:] + " me@host",
		"only the comment's first word": bareKey(pub) + " me@host and more words",
		"surrounding blanks":            "\n\t " + bareKey(pub) + " me@host \n",
	} {
		t.Run(name, func(t *testing.T) {
			s := newKeysServer(t)
			rec := do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice", body: postJSON(t, map[string]any{"title": "t", "key": input})})
			expect(t, rec, http.StatusCreated, "")
			if k := s.store.SSHKey(1); k.Key != bareKey(pub)+" me@host" {
				t.Fatalf("stored %q", k.Key)
			}
		})
	}
}

func TestSSHKeyAccessRules(t *testing.T) {
	s := newKeysServer(t)
	key, _ := ed25519Key(t, 7, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-bob", body: postJSON(t, map[string]any{"title": "b", "key": key})}), http.StatusCreated, "")
	for _, tc := range []struct {
		name   string
		r      req
		status int
		want   string
	}{
		{"another user's key through /user/keys is not found", req{path: "/api/v4/user/keys/1", token: "tok-alice"}, 404, `{"message":"404 Key Not Found"}`},
		{"even for an admin", req{path: "/api/v4/user/keys/1", token: "tok-admin"}, 404, `{"message":"404 Key Not Found"}`},
		{"nor can an admin delete it there", req{method: "DELETE", path: "/api/v4/user/keys/1", token: "tok-admin"}, 404, `{"message":"404 Key Not Found"}`},
		{"a non-integer key id", req{path: "/api/v4/user/keys/abc", token: "tok-bob"}, 400, `{"error":"key_id is invalid"}`},
		{"anonymous /user/keys", req{path: "/api/v4/user/keys"}, 401, `{"message":"401 Unauthorized"}`},
		{"anonymous add", req{method: "POST", path: "/api/v4/user/keys", body: `{}`}, 401, `{"message":"401 Unauthorized"}`},
		{"read_user may not add", req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice-read", body: `{}`}, 403,
			`{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`},
		{"the key under the wrong user", req{path: "/api/v4/users/2/keys/1"}, 404, `{"message":"404 Key Not Found"}`},
		{"a missing user's key", req{path: "/api/v4/users/999/keys/1"}, 404, `{"message":"404 User Not Found"}`},
		{"a username in the single-key route", req{path: "/api/v4/users/bob/keys/1"}, 404, `{"error":"404 Not Found"}`},
		{"a missing user's list", req{path: "/api/v4/users/nobody/keys"}, 404, `{"message":"404 User Not Found"}`},
		{"an @ is part of the username", req{path: "/api/v4/users/@bob/keys"}, 404, `{"message":"404 User Not Found"}`},
		{"admin add: not an admin", req{method: "POST", path: "/api/v4/users/2/keys", token: "tok-bob", body: postJSON(t, map[string]any{"title": "t", "key": key})}, 403, `{"message":"403 Forbidden"}`},
		{"admin add: parameters before the admin check", req{method: "POST", path: "/api/v4/users/2/keys", token: "tok-bob", body: `{}`}, 400, `{"error":"key is missing, title is missing"}`},
		{"admin add: parameters before the user lookup", req{method: "POST", path: "/api/v4/users/999/keys", token: "tok-admin", body: `{}`}, 400, `{"error":"key is missing, title is missing"}`},
		{"admin add: a missing user", req{method: "POST", path: "/api/v4/users/999/keys", token: "tok-admin", body: postJSON(t, map[string]any{"title": "t", "key": key})}, 404, `{"message":"404 User Not Found"}`},
		{"admin add: user_id is an integer", req{method: "POST", path: "/api/v4/users/bob/keys", token: "tok-admin", body: `{}`}, 400, `{"error":"user_id is invalid, key is missing, title is missing"}`},
		{"admin add: anonymous", req{method: "POST", path: "/api/v4/users/2/keys", body: `{}`}, 401, `{"message":"401 Unauthorized"}`},
		{"admin delete: not an admin", req{method: "DELETE", path: "/api/v4/users/3/keys/1", token: "tok-bob"}, 403, `{"message":"403 Forbidden"}`},
		{"admin delete: wrong user", req{method: "DELETE", path: "/api/v4/users/2/keys/1", token: "tok-admin"}, 404, `{"message":"404 Key Not Found"}`},
		{"admin delete: missing user", req{method: "DELETE", path: "/api/v4/users/999/keys/1", token: "tok-admin"}, 404, `{"message":"404 User Not Found"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, do(t, s, tc.r), tc.status, tc.want)
		})
	}
	if len(s.store.SSHKeysOf(3)) != 1 {
		t.Fatal("a refused request changed bob's keys")
	}
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/3/keys/1", token: "tok-admin"}), http.StatusNoContent, "")
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/3/keys/1", token: "tok-admin"}), http.StatusNotFound, `{"message":"404 Key Not Found"}`)
}

func TestAdminKeyLookups(t *testing.T) {
	s := newKeysServer(t)
	key, pub := ed25519Key(t, 8, "")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/keys", token: "tok-admin", body: postJSON(t, map[string]any{"title": "k", "key": key})}), http.StatusCreated, "")
	sha := ssh.FingerprintSHA256(pub)
	for _, tc := range []struct {
		name   string
		r      req
		status int
		want   string
	}{
		{"missing key id", req{path: "/api/v4/keys/999", token: "tok-admin"}, 404, `{"message":"404 Not found"}`},
		{"non-numeric key id", req{path: "/api/v4/keys/abc", token: "tok-admin"}, 404, `{"message":"404 Not found"}`},
		{"not an admin", req{path: "/api/v4/keys/1", token: "tok-alice"}, 403, `{"message":"403 Forbidden"}`},
		{"anonymous", req{path: "/api/v4/keys/1"}, 401, `{"message":"401 Unauthorized"}`},
		{"fingerprint missing", req{path: "/api/v4/keys", token: "tok-admin"}, 400, `{"error":"fingerprint is missing"}`},
		{"fingerprint malformed", req{path: "/api/v4/keys?fingerprint=abc", token: "tok-admin"}, 400, `{"message":"Failed to return the key"}`},
		{"fingerprint unknown", req{path: "/api/v4/keys?fingerprint=" + url.QueryEscape("SHA256:"+strings.Repeat("A", 43)), token: "tok-admin"}, 404, `{"message":"404 Key Not Found"}`},
		{"fingerprint: not an admin", req{path: "/api/v4/keys?fingerprint=" + url.QueryEscape(sha), token: "tok-alice"}, 403, `{"message":"403 Forbidden"}`},
	} {
		t.Run(tc.name, func(t *testing.T) { expect(t, do(t, s, tc.r), tc.status, tc.want) })
	}
	for _, path := range []string{
		"/api/v4/keys/1",
		"/api/v4/keys?fingerprint=" + url.QueryEscape(sha),
		"/api/v4/keys?fingerprint=" + url.QueryEscape("sha256:"+strings.TrimPrefix(sha, "SHA256:")),
		"/api/v4/keys?fingerprint=" + url.QueryEscape(ssh.FingerprintLegacyMD5(pub)),
	} {
		rec := do(t, s, req{path: path, token: "tok-admin"})
		expect(t, rec, http.StatusOK, "")
		got := decode[map[string]any](t, rec)
		user, _ := got["user"].(map[string]any)
		if got["id"] != 1.0 || got["title"] != "k" || user["username"] != "alice.smith" || user["email"] != "alice@example.com" {
			t.Fatalf("%s: %v", path, got)
		}
		if _, admin := user["is_admin"]; admin {
			t.Fatalf("SSHKeyWithUser renders the owner as UserPublic, got is_admin: %v", user)
		}
	}
}

// The fingerprint a key gets through the API is what OpenSSH prints for it.
// With /usr/bin/ssh-keygen the test runs it; without, it compares with
// x/crypto/ssh's fingerprints (which the subtest name says).
func TestSSHKeyFingerprintMatchesSSHKeygen(t *testing.T) {
	rsaPriv, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaPub, _ := ssh.NewPublicKey(&rsaPriv.PublicKey)
	_, edPub := ed25519Key(t, 9, "")
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ecPub, _ := ssh.NewPublicKey(&ec.PublicKey)
	const keygen = "/usr/bin/ssh-keygen"
	_, err := os.Stat(keygen)
	haveKeygen := err == nil
	name := "compared with ssh-keygen -lf"
	if !haveKeygen {
		name = "compared with x/crypto/ssh (no /usr/bin/ssh-keygen)"
	}
	t.Run(name, func(t *testing.T) {
		s := newKeysServer(t)
		for i, pub := range []ssh.PublicKey{rsaPub, edPub, ecPub} {
			line := authorized(pub, "me@host")
			rec := do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice", body: postJSON(t, map[string]any{"title": pub.Type(), "key": line})})
			expect(t, rec, http.StatusCreated, "")
			id := decode[map[string]any](t, rec)["id"]
			var wantSHA, wantMD5 string
			if haveKeygen {
				file := filepath.Join(t.TempDir(), "key.pub")
				if err := os.WriteFile(file, []byte(line+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				wantSHA = keygenFingerprint(t, keygen, "sha256", file)
				wantMD5 = strings.TrimPrefix(keygenFingerprint(t, keygen, "md5", file), "MD5:")
			} else {
				wantSHA, wantMD5 = ssh.FingerprintSHA256(pub), ssh.FingerprintLegacyMD5(pub)
			}
			stored := s.store.SSHKey(int64(i + 1))
			if stored.FingerprintSHA256 != wantSHA || stored.FingerprintMD5 != wantMD5 {
				t.Fatalf("%s: stored %s / %s, want %s / %s", pub.Type(), stored.FingerprintSHA256, stored.FingerprintMD5, wantSHA, wantMD5)
			}
			for _, fp := range []string{wantSHA, wantMD5} {
				found := decode[map[string]any](t, do(t, s, req{path: "/api/v4/keys?fingerprint=" + url.QueryEscape(fp), token: "tok-admin"}))
				if found["id"] != id {
					t.Fatalf("GET /keys?fingerprint=%s found %v, want %v", fp, found["id"], id)
				}
			}
		}
	})
}

// keygenFingerprint runs ssh-keygen -l -E hash -f file and returns the
// fingerprint field ("SHA256:..." or "MD5:aa:bb:...").
func keygenFingerprint(t *testing.T, keygen, hash, file string) string {
	t.Helper()
	out, err := exec.Command(keygen, "-l", "-E", hash, "-f", file).Output()
	if err != nil {
		t.Fatalf("ssh-keygen: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) < 2 {
		t.Fatalf("ssh-keygen printed %q", out)
	}
	return f[1]
}

// Identities live in users.go; these pin the routes issue 4 lists.
func TestIdentityRoutesAsGitLab(t *testing.T) {
	s := newKeysServer(t)
	put := func(token, body string) req {
		return req{method: "PUT", path: "/api/v4/users/2", token: token, body: body}
	}
	identities := func() string {
		return jsonOf(t, decode[map[string]any](t, do(t, s, req{path: "/api/v4/users/2", token: "tok-admin"}))["identities"])
	}
	expect(t, do(t, s, put("tok-admin", `{"extern_uid":"uid=1","provider":"saml"}`)), http.StatusOK, "")
	expect(t, do(t, s, put("tok-admin", `{"extern_uid":"uid=2","provider":"saml"}`)), http.StatusOK, "")
	expect(t, do(t, s, put("tok-admin", `{"extern_uid":"7","provider":"github"}`)), http.StatusOK, "")
	if got := identities(); got != `[{"extern_uid":"uid=2","provider":"saml"},{"extern_uid":"7","provider":"github"}]` {
		t.Fatalf("identities = %s", got)
	}
	for _, tc := range []struct {
		name   string
		r      req
		status int
		want   string
	}{
		{"only a provider", put("tok-admin", `{"provider":"saml"}`), 400, `{"error":"extern_uid, provider provide all or none of parameters"}`},
		{"update by a non-admin", put("tok-alice", `{"extern_uid":"x","provider":"saml"}`), 403, `{"message":"403 Forbidden"}`},
		{"lookup", req{path: "/api/v4/users?extern_uid=uid%3D2&provider=saml", token: "tok-admin"}, 200, ""},
		{"lookup by a non-admin", req{path: "/api/v4/users?extern_uid=uid%3D2&provider=saml", token: "tok-alice"}, 403, `{"message":"403 Forbidden"}`},
		{"delete by a non-admin", req{method: "DELETE", path: "/api/v4/users/2/identities/saml", token: "tok-alice"}, 403, `{"message":"403 Forbidden"}`},
		{"delete anonymously", req{method: "DELETE", path: "/api/v4/users/2/identities/saml"}, 401, `{"message":"401 Unauthorized"}`},
		{"delete a missing user's", req{method: "DELETE", path: "/api/v4/users/999/identities/saml", token: "tok-admin"}, 404, `{"message":"404 User Not Found"}`},
		{"delete", req{method: "DELETE", path: "/api/v4/users/2/identities/saml", token: "tok-admin"}, 204, ""},
		{"delete again", req{method: "DELETE", path: "/api/v4/users/2/identities/saml", token: "tok-admin"}, 404, `{"message":"404 Identity Not Found"}`},
		{"lookup after delete", req{path: "/api/v4/users?extern_uid=uid%3D2&provider=saml", token: "tok-admin"}, 200, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) { expect(t, do(t, s, tc.r), tc.status, tc.want) })
	}
	if got := identities(); got != `[{"extern_uid":"7","provider":"github"}]` {
		t.Fatalf("identities after delete = %s", got)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestIdentityExternUIDIsUniquePerProvider(t *testing.T) {
	s := newKeysServer(t)
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/users/2", token: "tok-admin", body: `{"extern_uid":"UID-1","provider":"saml"}`}), http.StatusOK, "")
	taken := `{"message":{"identities.extern_uid":["has already been taken"]}}`
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/users/3", token: "tok-admin", body: `{"extern_uid":"uid-1","provider":"saml"}`}), http.StatusBadRequest, taken)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users", token: "tok-admin",
		body: `{"email":"n@example.com","name":"N","username":"newbie","reset_password":true,"extern_uid":"uid-1","provider":"saml"}`}), http.StatusBadRequest, taken)
	// The same extern_uid with another provider, or re-sent by its owner, is fine.
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/users/3", token: "tok-admin", body: `{"extern_uid":"UID-1","provider":"github"}`}), http.StatusOK, "")
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/users/2", token: "tok-admin", body: `{"extern_uid":"UID-1","provider":"saml"}`}), http.StatusOK, "")
	if len(s.store.User(3).Identities) != 1 {
		t.Fatalf("bob's identities %v", s.store.User(3).Identities)
	}
}
