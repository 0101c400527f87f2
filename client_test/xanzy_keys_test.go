package client_test

// SSH keys, GPG keys, emails and identities as github.com/xanzy/go-gitlab
// v0.115.0 sees them. Kept structurally parallel to clientgo_keys_test.go.
// Keys are generated in the tests.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	xgitlab "github.com/xanzy/go-gitlab"
	"golang.org/x/crypto/ssh"
)

// ---- helpers shared with clientgo_keys_test.go ----

// newSSHKey generates a key of kind ("ed25519", "rsa", "ecdsa") and returns
// its authorized_keys line (with comment) and public key.
func newSSHKey(t *testing.T, kind, comment string) (string, ssh.PublicKey) {
	t.Helper()
	var raw any
	switch kind {
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		raw = &k.PublicKey
	case "ecdsa":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		raw = &k.PublicKey
	default:
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		raw = pub
	}
	pub, err := ssh.NewPublicKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	bare := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	return bare + " " + comment, pub
}

// published is the key as GitLab returns it: the comment replaced by the
// owner's name and the host (httptest serves on 127.0.0.1).
func published(pub ssh.PublicKey, ownerName string) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " " + ownerName + " (127.0.0.1)"
}

// newGPGKey generates an OpenPGP key and returns its armored public block.
func newGPGKey(t *testing.T, email string) string {
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

const docsKeyTitle = "Public key" // john_smith's keys 1 and 3 in the default fixtures

// ---- SSH keys ----

func TestXSSHKeysOfTheCurrentUser(t *testing.T) {
	_, url := newMock(t)
	john := xClient(t, url, johnToken)
	line, pub := newSSHKey(t, "ed25519", "john@laptop")
	expires := xgitlab.ISOTime(time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC))

	k, resp, err := john.Users.AddSSHKey(&xgitlab.AddSSHKeyOptions{Title: xgitlab.Ptr("laptop"), Key: xgitlab.Ptr(line), ExpiresAt: &expires})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("AddSSHKey: %v", err)
	}
	if k.ID != 4 || k.Title != "laptop" || k.Key != published(pub, "John Smith") || k.CreatedAt == nil ||
		k.ExpiresAt == nil || !k.ExpiresAt.Equal(time.Time(expires)) {
		t.Fatalf("added key %+v", k)
	}

	keys, resp, err := john.Users.ListSSHKeys(&xgitlab.ListSSHKeysOptions{PerPage: 2})
	if err != nil || len(keys) != 2 || keys[0].ID != 1 || keys[1].ID != 3 || keys[0].Title != docsKeyTitle || resp.TotalItems != 3 || resp.NextPage != 2 {
		t.Fatalf("ListSSHKeys page 1: %v %d keys, total %d next %d", err, len(keys), resp.TotalItems, resp.NextPage)
	}
	if !strings.HasSuffix(keys[0].Key, " John Smith (127.0.0.1)") {
		t.Errorf("fixture key comment not replaced: %q", keys[0].Key)
	}
	keys, _, err = john.Users.ListSSHKeys(&xgitlab.ListSSHKeysOptions{Page: 2, PerPage: 2})
	if err != nil || len(keys) != 1 || keys[0].ID != 4 {
		t.Fatalf("ListSSHKeys page 2: %v %v", err, keys)
	}

	got, _, err := john.Users.GetSSHKey(4)
	if err != nil || got.Key != k.Key || got.Title != "laptop" {
		t.Fatalf("GetSSHKey: %v %+v", err, got)
	}
	// Another user's key through /user/keys: not found, even for an admin.
	_, resp, err = xClient(t, url, rootToken).Users.GetSSHKey(4)
	xWantNotFound(t, resp, err)

	// The same key again, by anyone, is taken.
	_, resp, err = xClient(t, url, rootToken).Users.AddSSHKey(&xgitlab.AddSSHKeyOptions{Title: xgitlab.Ptr("again"), Key: xgitlab.Ptr(line)})
	xWantError(t, resp, err, http.StatusBadRequest, "{message: {fingerprint_sha256: [has already been taken]}}")
	_, resp, err = john.Users.AddSSHKey(&xgitlab.AddSSHKeyOptions{Title: xgitlab.Ptr("bad"), Key: xgitlab.Ptr("ssh-rsa nope")})
	xWantError(t, resp, err, http.StatusBadRequest, "{fingerprint_sha256: [cannot be generated]}")
	_, resp, err = john.Users.AddSSHKey(&xgitlab.AddSSHKeyOptions{Key: xgitlab.Ptr(line)})
	xWantError(t, resp, err, http.StatusBadRequest, "{error: title is missing}")

	if resp, err := john.Users.DeleteSSHKey(4); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteSSHKey: %v", err)
	}
	_, resp, err = john.Users.GetSSHKey(4)
	xWantNotFound(t, resp, err)
	resp, err = john.Users.DeleteSSHKey(4)
	xWantNotFound(t, resp, err)
	_, resp, err = xClient(t, url, anonymous).Users.ListSSHKeys(nil)
	xWantError(t, resp, err, http.StatusUnauthorized, "401 Unauthorized")
}

func TestXSSHKeysOfAnyUser(t *testing.T) {
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	anon := xClient(t, url, anonymous)
	line, pub := newSSHKey(t, "rsa", "jane@desk")

	k, resp, err := admin.Users.AddSSHKeyForUser(janeID, &xgitlab.AddSSHKeyOptions{Title: xgitlab.Ptr("desk"), Key: xgitlab.Ptr(line)})
	if err != nil || resp.StatusCode != http.StatusCreated || k.Key != published(pub, "Jane Doe") || k.ExpiresAt != nil {
		t.Fatalf("AddSSHKeyForUser: %v %+v", err, k)
	}
	// Anyone may list, by id or username; X sends the username raw.
	for _, uid := range []any{janeID, "jane_doe", "JANE_DOE"} {
		keys, _, err := anon.Users.ListSSHKeysForUser(uid, nil)
		if err != nil || len(keys) != 1 || keys[0].ID != k.ID {
			t.Fatalf("ListSSHKeysForUser(%v): %v %v", uid, err, keys)
		}
	}
	// X keeps a leading "@", which is part of no username.
	_, resp, err = anon.Users.ListSSHKeysForUser("@jane_doe", nil)
	xWantNotFound(t, resp, err)
	_, resp, err = anon.Users.ListSSHKeysForUser(missingID, nil)
	xWantNotFound(t, resp, err)

	got, _, err := anon.Users.GetSSHKeyForUser(janeID, k.ID)
	if err != nil || got.ID != k.ID || got.Title != "desk" {
		t.Fatalf("GetSSHKeyForUser: %v %+v", err, got)
	}
	_, resp, err = anon.Users.GetSSHKeyForUser(johnID, k.ID)
	xWantNotFound(t, resp, err)

	_, resp, err = xClient(t, url, johnToken).Users.AddSSHKeyForUser(janeID, &xgitlab.AddSSHKeyOptions{Title: xgitlab.Ptr("x"), Key: xgitlab.Ptr(line)})
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = admin.Users.AddSSHKeyForUser(missingID, &xgitlab.AddSSHKeyOptions{Title: xgitlab.Ptr("x"), Key: xgitlab.Ptr(line)})
	xWantNotFound(t, resp, err)
	resp, err = xClient(t, url, johnToken).Users.DeleteSSHKeyForUser(janeID, k.ID)
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")

	if resp, err := admin.Users.DeleteSSHKeyForUser(janeID, k.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteSSHKeyForUser: %v", err)
	}
	keys, _, err := anon.Users.ListSSHKeysForUser(janeID, nil)
	if err != nil || len(keys) != 0 {
		t.Fatalf("after delete: %v %v", err, keys)
	}
}

func TestXKeysServiceFindsKeysByIDAndFingerprint(t *testing.T) {
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	line, pub := newSSHKey(t, "ecdsa", "c")
	k, _, err := xClient(t, url, johnToken).Users.AddSSHKey(&xgitlab.AddSSHKeyOptions{Title: xgitlab.Ptr("ec"), Key: xgitlab.Ptr(line)})
	if err != nil {
		t.Fatal(err)
	}
	byID, _, err := admin.Keys.GetKeyWithUser(k.ID)
	if err != nil || byID.ID != k.ID || byID.Key != published(pub, "John Smith") || byID.User.Username != "john_smith" || byID.User.Email != "john@example.com" {
		t.Fatalf("GetKeyWithUser: %v %+v", err, byID)
	}
	for _, fp := range []string{ssh.FingerprintSHA256(pub), ssh.FingerprintLegacyMD5(pub)} {
		got, _, err := admin.Keys.GetKeyByFingerprint(&xgitlab.GetKeyByFingerprintOptions{Fingerprint: fp})
		if err != nil || got.ID != k.ID || got.User.ID != johnID {
			t.Fatalf("GetKeyByFingerprint(%s): %v %+v", fp, err, got)
		}
	}
	_, resp, err := admin.Keys.GetKeyWithUser(999)
	xWantNotFound(t, resp, err)
	_, resp, err = admin.Keys.GetKeyByFingerprint(&xgitlab.GetKeyByFingerprintOptions{Fingerprint: "nope"})
	xWantError(t, resp, err, http.StatusBadRequest, "Failed to return the key")
	_, resp, err = xClient(t, url, johnToken).Keys.GetKeyWithUser(k.ID)
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
}

// ---- GPG keys ----

func TestXGPGKeys(t *testing.T) {
	_, url := newMock(t)
	john := xClient(t, url, johnToken)
	admin := xClient(t, url, rootToken)
	armored := newGPGKey(t, "john@example.com")

	k, resp, err := john.Users.AddGPGKey(&xgitlab.AddGPGKeyOptions{Key: xgitlab.Ptr(armored)})
	if err != nil || resp.StatusCode != http.StatusCreated || k.Key != strings.TrimSpace(armored) || k.CreatedAt == nil {
		t.Fatalf("AddGPGKey: %v %+v", err, k)
	}
	keys, _, err := john.Users.ListGPGKeys()
	if err != nil || len(keys) != 1 || keys[0].ID != k.ID {
		t.Fatalf("ListGPGKeys: %v %v", err, keys)
	}
	if got, _, err := john.Users.GetGPGKey(k.ID); err != nil || got.Key != k.Key {
		t.Fatalf("GetGPGKey: %v", err)
	}
	_, resp, err = admin.Users.GetGPGKey(k.ID)
	xWantNotFound(t, resp, err)
	_, resp, err = john.Users.AddGPGKey(&xgitlab.AddGPGKeyOptions{Key: xgitlab.Ptr(armored)})
	xWantError(t, resp, err, http.StatusBadRequest, "{message: {key: [has already been taken]}}")
	_, resp, err = john.Users.AddGPGKey(&xgitlab.AddGPGKeyOptions{Key: xgitlab.Ptr("not a key")})
	xWantError(t, resp, err, http.StatusBadRequest, "A valid public GPG key begins with")

	anon := xClient(t, url, anonymous)
	if keys, _, err := anon.Users.ListGPGKeysForUser(johnID); err != nil || len(keys) != 1 {
		t.Fatalf("ListGPGKeysForUser: %v %v", err, keys)
	}
	if got, _, err := anon.Users.GetGPGKeyForUser(johnID, k.ID); err != nil || got.ID != k.ID {
		t.Fatalf("GetGPGKeyForUser: %v", err)
	}
	_, resp, err = anon.Users.GetGPGKeyForUser(janeID, k.ID)
	xWantNotFound(t, resp, err)

	// Revoke has no client method; through the client's transport it is 202.
	req, err := john.NewRequest(http.MethodPost, "user/gpg_keys/1/revoke", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var body int
	if resp, err := john.Do(req, &body); err != nil || resp.StatusCode != http.StatusAccepted || body != 202 {
		t.Fatalf("revoke: %v %d %d", err, resp.StatusCode, body)
	}
	_, resp, err = john.Users.GetGPGKey(k.ID)
	xWantNotFound(t, resp, err)

	// Admin add and delete for another user.
	other := newGPGKey(t, "jane@example.com")
	jk, _, err := admin.Users.AddGPGKeyForUser(janeID, &xgitlab.AddGPGKeyOptions{Key: xgitlab.Ptr(other)})
	if err != nil || jk.ID != 2 {
		t.Fatalf("AddGPGKeyForUser: %v %+v", err, jk)
	}
	_, resp, err = john.Users.AddGPGKeyForUser(janeID, &xgitlab.AddGPGKeyOptions{Key: xgitlab.Ptr(armored)})
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	resp, err = john.Users.DeleteGPGKeyForUser(janeID, jk.ID)
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	if resp, err := admin.Users.DeleteGPGKeyForUser(janeID, jk.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteGPGKeyForUser: %v", err)
	}
	k2, _, err := john.Users.AddGPGKey(&xgitlab.AddGPGKeyOptions{Key: xgitlab.Ptr(armored)})
	if err != nil {
		t.Fatalf("re-adding a revoked key: %v", err)
	}
	if resp, err := john.Users.DeleteGPGKey(k2.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteGPGKey: %v", err)
	}
	resp, err = john.Users.DeleteGPGKey(k2.ID)
	xWantNotFound(t, resp, err)
}

// ---- emails ----

func TestXEmails(t *testing.T) {
	_, url := newMock(t)
	john := xClient(t, url, johnToken)
	admin := xClient(t, url, rootToken)

	// The primary email first, then the secondary emails.
	emails, resp, err := john.Users.ListEmails()
	if err != nil || len(emails) != 3 || resp.TotalItems != 3 {
		t.Fatalf("ListEmails: %v %v", err, emails)
	}
	if emails[0].Email != "john@example.com" || emails[0].ConfirmedAt == nil ||
		emails[1].ID != 1 || emails[1].Email != "email@example.com" || emails[1].ConfirmedAt != nil ||
		emails[2].ID != 3 || emails[2].ConfirmedAt == nil {
		t.Fatalf("ListEmails: %+v %+v %+v", emails[0], emails[1], emails[2])
	}
	if e, _, err := john.Users.GetEmail(3); err != nil || e.Email != "email2@example.com" {
		t.Fatalf("GetEmail: %v %+v", err, e)
	}
	_, resp, err = admin.Users.GetEmail(3)
	xWantNotFound(t, resp, err)

	e, resp, err := john.Users.AddEmail(&xgitlab.AddEmailOptions{Email: xgitlab.Ptr("john.new@example.com"), SkipConfirmation: xgitlab.Ptr(true)})
	if err != nil || resp.StatusCode != http.StatusCreated || e.Email != "john.new@example.com" || e.ConfirmedAt != nil {
		t.Fatalf("AddEmail (skip_confirmation is not honoured on /user/emails): %v %+v", err, e)
	}
	for _, taken := range []string{"JOHN.NEW@example.com", "jack@example.com", "email@example.com"} {
		_, resp, err = john.Users.AddEmail(&xgitlab.AddEmailOptions{Email: xgitlab.Ptr(taken)})
		xWantError(t, resp, err, http.StatusBadRequest, "{message: {email: [has already been taken]}}")
	}
	if resp, err := john.Users.DeleteEmail(e.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteEmail: %v", err)
	}
	resp, err = john.Users.DeleteEmail(e.ID)
	xWantNotFound(t, resp, err)

	je, _, err := admin.Users.AddEmailForUser(janeID, &xgitlab.AddEmailOptions{Email: xgitlab.Ptr("jane.work@example.com"), SkipConfirmation: xgitlab.Ptr(true)})
	if err != nil || je.ConfirmedAt == nil {
		t.Fatalf("AddEmailForUser: %v %+v", err, je)
	}
	list, _, err := admin.Users.ListEmailsForUser(janeID, &xgitlab.ListEmailsForUserOptions{PerPage: 1, Page: 2})
	if err != nil || len(list) != 1 || list[0].ID != je.ID {
		t.Fatalf("ListEmailsForUser page 2: %v %+v", err, list)
	}
	_, resp, err = john.Users.ListEmailsForUser(janeID, nil)
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = john.Users.AddEmailForUser(janeID, &xgitlab.AddEmailOptions{Email: xgitlab.Ptr("x@example.com")})
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	// A confirmed secondary email is taken for new users too (409).
	_, resp, err = admin.Users.CreateUser(&xgitlab.CreateUserOptions{Email: xgitlab.Ptr("jane.work@example.com"), Name: xgitlab.Ptr("N"), Username: xgitlab.Ptr("newbie"), ResetPassword: xgitlab.Ptr(true)})
	xWantError(t, resp, err, http.StatusConflict, "Email has already been taken")
	if resp, err := admin.Users.DeleteEmailForUser(janeID, je.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteEmailForUser: %v", err)
	}
	resp, err = admin.Users.DeleteEmailForUser(janeID, je.ID)
	xWantNotFound(t, resp, err)
}

// ---- identities ----

func TestXIdentities(t *testing.T) {
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)

	u, _, err := admin.Users.CreateUser(&xgitlab.CreateUserOptions{Email: xgitlab.Ptr("saml.user@example.com"), Name: xgitlab.Ptr("Saml User"),
		Username: xgitlab.Ptr("saml_user"), ResetPassword: xgitlab.Ptr(true), ExternUID: xgitlab.Ptr("uid=1"), Provider: xgitlab.Ptr("saml")})
	if err != nil || len(u.Identities) != 1 || u.Identities[0].Provider != "saml" || u.Identities[0].ExternUID != "uid=1" {
		t.Fatalf("CreateUser with an identity: %v %+v", err, u)
	}
	// Update: the same provider gets a new extern_uid; another provider is added.
	u, _, err = admin.Users.ModifyUser(u.ID, &xgitlab.ModifyUserOptions{ExternUID: xgitlab.Ptr("uid=2"), Provider: xgitlab.Ptr("saml")})
	if err != nil || len(u.Identities) != 1 || u.Identities[0].ExternUID != "uid=2" {
		t.Fatalf("ModifyUser: %v %+v", err, u.Identities)
	}
	u, _, err = admin.Users.ModifyUser(u.ID, &xgitlab.ModifyUserOptions{ExternUID: xgitlab.Ptr("42"), Provider: xgitlab.Ptr("github")})
	if err != nil || len(u.Identities) != 2 {
		t.Fatalf("ModifyUser (second provider): %v %+v", err, u.Identities)
	}
	_, resp, err := admin.Users.ModifyUser(u.ID, &xgitlab.ModifyUserOptions{Provider: xgitlab.Ptr("github")})
	xWantError(t, resp, err, http.StatusBadRequest, "extern_uid, provider provide all or none of parameters")

	found, _, err := admin.Users.ListUsers(&xgitlab.ListUsersOptions{ExternalUID: xgitlab.Ptr("uid=2"), Provider: xgitlab.Ptr("saml")})
	if err != nil || len(found) != 1 || found[0].ID != u.ID {
		t.Fatalf("ListUsers by identity: %v %v", err, found)
	}
	_, resp, err = xClient(t, url, johnToken).Users.ListUsers(&xgitlab.ListUsersOptions{ExternalUID: xgitlab.Ptr("uid=2"), Provider: xgitlab.Ptr("saml")})
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")

	// X has no DeleteUserIdentity; send it through the client's transport.
	del := func(c *xgitlab.Client, id int, provider string) (*xgitlab.Response, error) {
		req, err := c.NewRequest(http.MethodDelete, "users/"+strconv.Itoa(id)+"/identities/"+provider, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Do(req, nil)
	}
	resp, err = del(xClient(t, url, johnToken), u.ID, "saml")
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	if resp, err := del(admin, u.ID, "saml"); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete identity: %v", err)
	}
	resp, err = del(admin, u.ID, "saml")
	xWantNotFound(t, resp, err)
	found, _, err = admin.Users.ListUsers(&xgitlab.ListUsersOptions{ExternalUID: xgitlab.Ptr("uid=2"), Provider: xgitlab.Ptr("saml")})
	if err != nil || len(found) != 0 {
		t.Fatalf("lookup after delete: %v %v", err, found)
	}
	got, _, err := admin.Users.GetUser(u.ID, xgitlab.GetUsersOptions{})
	if err != nil || len(got.Identities) != 1 || got.Identities[0].Provider != "github" {
		t.Fatalf("identities after delete: %v %+v", err, got.Identities)
	}
}
