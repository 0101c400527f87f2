package mock

import (
	"encoding/json"
	"testing"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/fixture"
)

// The SSH-key and email input paths never answer 5xx, and whatever they
// accept is exported as fixtures that load back (so `GET /-/mock/state`
// always round-trips). `go test` runs the seed corpus; `make fuzz` fuzzes.

func FuzzSSHKeyInput(f *testing.F) {
	key, _ := ed25519Key(f, 1, "me@host")
	for _, seed := range []struct{ title, key, expiresAt, usage string }{
		{"laptop", key, "", ""},
		{"t", "no-pty " + key, "2030-01-01", "auth"},
		{"t", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\nAAAAI", "2030-01-01T00:00:00Z", "signing"},
		{"", "ssh-rsa AAAA", "1999-01-01", "auth_and_signing"},
		{"\x00", "sk-ssh-ed25519@openssh.com AAAA", "x", "login"},
		{"t", "ecdsa-sha2-nistp256 " + key, "", ""},
		{"t", "ssh-rsa-cert-v01@openssh.com AAAA", "", ""},
		{"é", "\xff\xfe", "", ""},
	} {
		f.Add(seed.title, seed.key, seed.expiresAt, seed.usage)
	}
	f.Fuzz(func(t *testing.T, title, key, expiresAt, usage string) {
		s := newKeysServer(t)
		fields := map[string]any{"title": title, "key": key}
		if expiresAt != "" {
			fields["expires_at"] = expiresAt
		}
		if usage != "" {
			fields["usage_type"] = usage
		}
		body, _ := json.Marshal(fields)
		rec := do(t, s, req{method: "POST", path: "/api/v4/user/keys", token: "tok-alice", body: string(body)})
		if rec.Code >= 500 {
			t.Fatalf("%q -> %d %s", body, rec.Code, rec.Body.String())
		}
		if rec.Code == 201 {
			for _, path := range []string{"/api/v4/user/keys", "/api/v4/users/alice.smith/keys", "/api/v4/keys/1"} {
				if r := do(t, s, req{path: path, token: "tok-admin"}); r.Code >= 500 {
					t.Fatalf("GET %s after adding %q -> %d", path, body, r.Code)
				}
			}
			roundTrips(t, s)
		}
	})
}

func FuzzEmailInput(f *testing.F) {
	for _, seed := range []string{
		"alice2@example.com", "ALICE@example.com", "bob.pending@example.com", "nope", " ", "a@b@c",
		"x@\x00", "ü@ü", "\"quoted\"@example.com", "a@b\n",
	} {
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, email string, skip bool) {
		s := newKeysServer(t)
		body, _ := json.Marshal(map[string]any{"email": email, "skip_confirmation": skip})
		for _, r := range []req{
			{method: "POST", path: "/api/v4/user/emails", token: "tok-alice", body: string(body)},
			{method: "POST", path: "/api/v4/users/3/emails", token: "tok-admin", body: string(body)},
		} {
			rec := do(t, s, r)
			if rec.Code >= 500 {
				t.Fatalf("%s %q -> %d %s", r.path, body, rec.Code, rec.Body.String())
			}
		}
		for _, path := range []string{"/api/v4/user/emails", "/api/v4/users/3/emails"} {
			if r := do(t, s, req{path: path, token: "tok-admin"}); r.Code >= 500 {
				t.Fatalf("GET %s -> %d", path, r.Code)
			}
		}
		roundTrips(t, s)
	})
}

// roundTrips exports the state as a fixture document and loads it back.
func roundTrips(t *testing.T, s *Server) {
	t.Helper()
	doc, err := fixture.Export(s.store.Export())
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if _, err := fixture.Parse("state", doc); err != nil {
		t.Fatalf("the exported state does not load back: %v\n%s", err, doc)
	}
}

// FuzzGPGKeyInput: whatever armored text is posted, the OpenPGP parser never
// turns it into a 5xx, and an accepted key exports and loads back.
func FuzzGPGKeyInput(f *testing.F) {
	key := gpgPublicKey(f, "alice@example.com")
	for _, seed := range []string{
		key,
		key[:len(key)/2],
		"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nxjMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n",
		"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n-----END PGP PRIVATE KEY BLOCK-----\n",
		"", "not a key", "\xff\xfe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		s := newKeysServer(t)
		body, _ := json.Marshal(map[string]string{"key": key})
		rec := do(t, s, req{method: "POST", path: "/api/v4/user/gpg_keys", token: "tok-alice", body: string(body)})
		if rec.Code >= 500 {
			t.Fatalf("%q -> %d %s", body, rec.Code, rec.Body.String())
		}
		if rec.Code == 201 {
			if r := do(t, s, req{method: "DELETE", path: "/api/v4/user/gpg_keys/1", token: "tok-alice"}); r.Code >= 500 {
				t.Fatalf("DELETE after adding %q -> %d", body, r.Code)
			}
			roundTrips(t, s)
		}
	})
}
