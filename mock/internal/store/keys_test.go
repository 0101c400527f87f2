package store

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"
)

func testSSHKey(t *testing.T, userID int64) SSHKey {
	t.Helper()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return SSHKey{UserID: userID, Title: "t", Key: string(bytes.TrimSpace(ssh.MarshalAuthorizedKey(k))),
		FingerprintMD5: ssh.FingerprintLegacyMD5(k), FingerprintSHA256: ssh.FingerprintSHA256(k), UsageType: "auth_and_signing"}
}

func testGPGKey(t *testing.T) string {
	t.Helper()
	e, err := openpgp.NewEntity("T", "", "t@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.String()
}

func TestSSHKeysAreUniqueByFingerprintAcrossUsers(t *testing.T) {
	s := seeded(t)
	k := testSSHKey(t, 1)
	added, err := s.AddSSHKey(k)
	if err != nil || added.ID != 1 {
		t.Fatalf("add: %v %v", added, err)
	}
	dup := k
	dup.UserID = 5
	if _, err := s.AddSSHKey(dup); !errors.Is(err, ErrSSHKeyTaken) {
		t.Fatalf("duplicate: %v", err)
	}
	for _, fp := range []string{k.FingerprintSHA256, k.FingerprintMD5} {
		if got := s.SSHKeyByFingerprint(fp); got == nil || got.ID != 1 {
			t.Fatalf("by fingerprint %s: %v", fp, got)
		}
	}
	if _, err := s.AddSSHKey(SSHKey{UserID: 99, FingerprintSHA256: "x"}); !errors.Is(err, ErrUserNotFound) {
		t.Fatalf("missing user: %v", err)
	}
	if err := s.DeleteSSHKey(5, 1); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("delete through the wrong user: %v", err)
	}
	if err := s.DeleteSSHKey(1, 1); err != nil || s.SSHKeyByFingerprint(k.FingerprintSHA256) != nil || len(s.SSHKeysOf(1)) != 0 {
		t.Fatalf("delete: %v", err)
	}
	again, err := s.AddSSHKey(dup)
	if err != nil || again.ID != 2 {
		t.Fatalf("a deleted key's fingerprint is free and ids are not reused: %v %v", again, err)
	}
	// Deleting the owner frees the fingerprint too.
	if err := s.DeleteUser(5); err != nil || s.SSHKeyTaken(k.FingerprintSHA256) {
		t.Fatalf("delete user: %v, still taken: %v", err, s.SSHKeyTaken(k.FingerprintSHA256))
	}
}

func TestKeyIndexesResetAndForkWithTheBaseline(t *testing.T) {
	base := testSSHKey(t, 1)
	base.ID = 7
	s := New()
	if err := s.Load(&Data{
		Users:   []User{{ID: 1, Username: "a", Email: "a@x"}, {ID: 2, Username: "b", Email: "b@x"}},
		SSHKeys: []SSHKey{base, func() SSHKey { c := base; c.ID = 9; return c }()}, // fixtures may repeat a key
	}); err != nil {
		t.Fatal(err)
	}
	if got := s.SSHKeyByFingerprint(base.FingerprintSHA256); got == nil || got.ID != 7 {
		t.Fatalf("the oldest of repeated keys: %v", got)
	}
	other := NewFrom(s.Baseline())
	if err := s.DeleteSSHKey(1, 7); err != nil {
		t.Fatal(err)
	}
	if got := s.SSHKeyByFingerprint(base.FingerprintSHA256); got == nil || got.ID != 9 {
		t.Fatalf("after deleting one copy: %v", got)
	}
	s.DeleteSSHKey(1, 9)
	n := testSSHKey(t, 2)
	if k, err := s.AddSSHKey(n); err != nil || k.ID != 10 {
		t.Fatalf("add after the baseline's highest id: %v %v", k, err)
	}
	if other.SSHKeyByFingerprint(base.FingerprintSHA256) == nil || other.SSHKeyTaken(n.FingerprintSHA256) {
		t.Fatal("a store forked from the same baseline sees another's key writes")
	}
	s.Reset()
	if s.SSHKeyByFingerprint(base.FingerprintSHA256).ID != 7 || s.SSHKeyTaken(n.FingerprintSHA256) || len(s.SSHKeysOf(2)) != 0 {
		t.Fatal("reset did not restore the key indexes")
	}
}

func TestGPGKeysUniquenessAndRevokedFixtureKeys(t *testing.T) {
	revoked := testGPGKey(t)
	s := New()
	if err := s.Load(&Data{
		Users:   []User{{ID: 1, Username: "a", Email: "a@x"}},
		GPGKeys: []GPGKey{{ID: 4, UserID: 1, Key: revoked, Revoked: true}},
	}); err != nil {
		t.Fatal(err)
	}
	if s.GPGKey(4) != nil || s.GPGKeyTaken(revoked, GPGFingerprint(revoked)) != nil {
		t.Fatal("a revoked fixture key is visible or blocks re-adding it")
	}
	key := testGPGKey(t)
	fp := GPGFingerprint(key)
	if len(fp) != 40 {
		t.Fatalf("fingerprint %q", fp)
	}
	k, err := s.AddGPGKey(GPGKey{UserID: 1, Key: key}, fp)
	if err != nil || k.ID != 5 {
		t.Fatalf("add: %v %v", k, err)
	}
	if _, err := s.AddGPGKey(GPGKey{UserID: 1, Key: key}, fp); !errors.Is(err, ErrGPGKeyTaken) {
		t.Fatalf("same text: %v", err)
	}
	if _, err := s.AddGPGKey(GPGKey{UserID: 1, Key: "\n" + key}, fp); !errors.Is(err, ErrGPGFingerprintTaken) {
		t.Fatalf("same fingerprint: %v", err)
	}
	if err := s.DeleteGPGKey(1, 5); err != nil || s.GPGKeyTaken(key, fp) != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := s.DeleteGPGKey(1, 5); !errors.Is(err, ErrGPGKeyNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if GPGFingerprint("nope") != "" {
		t.Fatal("garbage has a fingerprint")
	}
}
