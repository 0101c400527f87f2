package store

import (
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// keyIndexes find SSH and GPG keys by fingerprint. Both are copy-on-write
// over the baseline's, like every other piece of state.
type keyIndexes struct {
	ssh cowMap[string, []int64] // SHA256 ("SHA256:...") and MD5 fingerprints -> key ids, ascending
	gpg cowMap[string, []int64] // upper-case OpenPGP fingerprint -> key ids, ascending
}

// baselineKeyIndexes are a Baseline's fingerprint indexes.
type baselineKeyIndexes struct {
	ssh map[string][]int64
	gpg map[string][]int64
}

func newKeyIndexes(b *Baseline) keyIndexes {
	return keyIndexes{ssh: newCowMap(b.keyIdx.ssh), gpg: newCowMap(b.keyIdx.gpg)}
}

// indexKeys builds the fingerprint indexes of a new baseline. Fixtures may
// hold the same key twice (GitLab's docs do), so an index entry is a list.
// Revoked GPG keys are gone as far as the API is concerned.
func (b *Baseline) indexKeys() {
	b.keyIdx = baselineKeyIndexes{ssh: map[string][]int64{}, gpg: map[string][]int64{}}
	for _, k := range b.sshKeys {
		for _, fp := range sshFingerprints(k) {
			b.keyIdx.ssh[fp] = append(b.keyIdx.ssh[fp], k.ID)
		}
	}
	for _, k := range b.gpgKeys {
		k.fingerprint = GPGFingerprint(k.Key) // the baseline's own copy, during its construction
		if fp := k.fingerprint; fp != "" && !k.Revoked {
			b.keyIdx.gpg[fp] = append(b.keyIdx.gpg[fp], k.ID)
		}
	}
	for _, idx := range []map[string][]int64{b.keyIdx.ssh, b.keyIdx.gpg} {
		for _, ids := range idx {
			slices.Sort(ids)
		}
	}
}

func sshFingerprints(k *SSHKey) []string {
	var out []string
	for _, fp := range []string{k.FingerprintSHA256, k.FingerprintMD5} {
		if fp != "" {
			out = append(out, fp)
		}
	}
	return out
}

// unindexKeysOf drops the fingerprints of every key of a user about to be
// deleted; the caller holds the write lock.
func (s *Store) unindexKeysOf(userID int64) {
	for _, kid := range s.children(&s.keysOf, userID) {
		if k, ok := s.sshKeys.get(kid); ok {
			for _, fp := range sshFingerprints(k) {
				removeChild(&s.keyIdx.ssh, fp, kid)
			}
		}
	}
	for _, kid := range s.children(&s.gpgKeysOf, userID) {
		if k, ok := s.gpgKeys.get(kid); ok {
			removeChild(&s.keyIdx.gpg, k.fingerprint, kid)
		}
	}
}

// SSHKey returns the SSH key with id, or nil.
func (s *Store) SSHKey(id int64) *SSHKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, _ := s.sshKeys.get(id)
	return k
}

// SSHKeyTaken reports whether a key with that SHA256 fingerprint exists.
func (s *Store) SSHKeyTaken(fingerprintSHA256 string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, _ := s.keyIdx.ssh.get(fingerprintSHA256)
	return len(ids) > 0
}

// SSHKeyByFingerprint returns the key (the oldest, should fixtures hold the
// same key twice) with that SHA256 ("SHA256:...") or MD5 (colon hex)
// fingerprint, or nil.
func (s *Store) SSHKeyByFingerprint(fp string) *SSHKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, _ := s.keyIdx.ssh.get(fp)
	for _, id := range ids {
		if k, ok := s.sshKeys.get(id); ok {
			return k
		}
	}
	return nil
}

// AddSSHKey stores k (fingerprints already computed) with the next key id.
// A key whose SHA256 fingerprint is taken, by any user, is refused.
func (s *Store) AddSSHKey(k SSHKey) (*SSHKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users.get(k.UserID); !ok {
		return nil, ErrUserNotFound
	}
	if ids, _ := s.keyIdx.ssh.get(k.FingerprintSHA256); len(ids) > 0 || k.FingerprintSHA256 == "" {
		return nil, ErrSSHKeyTaken
	}
	k.ID = s.next.key
	s.next.key++
	s.sshKeys.set(k.ID, &k)
	for _, fp := range sshFingerprints(&k) {
		addChild(&s.keyIdx.ssh, fp, k.ID)
	}
	addChild(&s.keysOf, k.UserID, k.ID)
	return &k, nil
}

// DeleteSSHKey removes the user's key id.
func (s *Store) DeleteSSHKey(userID, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, _ := s.sshKeys.get(id)
	if k == nil || k.UserID != userID {
		return ErrKeyNotFound
	}
	s.sshKeys.del(id)
	for _, fp := range sshFingerprints(k) {
		removeChild(&s.keyIdx.ssh, fp, id)
	}
	removeChild(&s.keysOf, userID, id)
	return nil
}

// GPGFingerprint is the upper-case hex fingerprint of the primary key of an
// armored OpenPGP public key block, or "" if it does not parse.
func GPGFingerprint(armored string) string {
	entities, err := openpgp.ReadArmoredKeyRing(strings.NewReader(armored))
	if err != nil || len(entities) == 0 || entities[0].PrimaryKey == nil {
		return ""
	}
	return hexUpper(entities[0].PrimaryKey.Fingerprint)
}

func hexUpper(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// GPGKey returns the GPG key with id, or nil. Revoked keys are gone: GitLab
// deletes a key when it revokes it.
func (s *Store) GPGKey(id int64) *GPGKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, _ := s.gpgKeys.get(id)
	if k != nil && k.Revoked {
		return nil
	}
	return k
}

// AddGPGKey stores k with the next GPG key id. fingerprint is
// GPGFingerprint(k.Key), which the caller has checked is not empty. The same
// text twice is ErrGPGKeyTaken; another text of a stored key
// ErrGPGFingerprintTaken.
func (s *Store) AddGPGKey(k GPGKey, fingerprint string) (*GPGKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users.get(k.UserID); !ok {
		return nil, ErrUserNotFound
	}
	if err := s.gpgTaken(k.Key, fingerprint); err != nil {
		return nil, err
	}
	k.ID = s.next.gpgKey
	s.next.gpgKey++
	k.Revoked = false
	k.fingerprint = fingerprint
	s.gpgKeys.set(k.ID, &k)
	addChild(&s.keyIdx.gpg, fingerprint, k.ID)
	addChild(&s.gpgKeysOf, k.UserID, k.ID)
	return &k, nil
}

// GPGKeyTaken reports why key could not be added (nil if it could).
func (s *Store) GPGKeyTaken(key, fingerprint string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gpgTaken(key, fingerprint)
}

func (s *Store) gpgTaken(key, fingerprint string) error {
	ids, _ := s.keyIdx.gpg.get(fingerprint)
	for _, id := range ids {
		if k, ok := s.gpgKeys.get(id); ok && k.Key == key {
			return ErrGPGKeyTaken
		}
	}
	if len(ids) > 0 {
		return ErrGPGFingerprintTaken
	}
	return nil
}

// DeleteGPGKey removes (or, as GitLab does on revoke, destroys) the user's
// GPG key id.
func (s *Store) DeleteGPGKey(userID, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, _ := s.gpgKeys.get(id)
	if k == nil || k.UserID != userID || k.Revoked {
		return ErrGPGKeyNotFound
	}
	s.gpgKeys.del(id)
	removeChild(&s.keyIdx.gpg, k.fingerprint, id)
	removeChild(&s.gpgKeysOf, userID, id)
	return nil
}
