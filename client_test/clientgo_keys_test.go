package client_test

// SSH keys, GPG keys, emails and identities as gitlab.com/gitlab-org/api/client-go
// sees them. Kept structurally parallel to xanzy_keys_test.go (whose key
// helpers this file uses); client-go adds usage_type, escapes usernames
// and trims a leading "@", and has DeleteUserIdentity.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	cgitlab "gitlab.com/gitlab-org/api/client-go"
	"golang.org/x/crypto/ssh"
)

// ---- SSH keys ----

func TestCSSHKeysOfTheCurrentUser(t *testing.T) {
	_, url := newMock(t)
	john := cClient(t, url, johnToken)
	line, pub := newSSHKey(t, "ed25519", "john@laptop")
	expires := cgitlab.ISOTime(time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC))

	k, resp, err := john.Users.AddSSHKey(&cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("laptop"), Key: cgitlab.Ptr(line), ExpiresAt: &expires, UsageType: cgitlab.Ptr("auth")})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("AddSSHKey: %v", err)
	}
	if k.ID != 4 || k.UsageType != "auth" || k.Title != "laptop" || k.Key != published(pub, "John Smith") || k.CreatedAt == nil ||
		k.ExpiresAt == nil || !k.ExpiresAt.Equal(time.Time(expires)) {
		t.Fatalf("added key %+v", k)
	}

	keys, resp, err := john.Users.ListSSHKeys(&cgitlab.ListSSHKeysOptions{ListOptions: cgitlab.ListOptions{PerPage: 2}})
	if err != nil || len(keys) != 2 || keys[0].ID != 1 || keys[1].ID != 3 || keys[0].Title != docsKeyTitle || resp.TotalItems != 3 || resp.NextPage != 2 {
		t.Fatalf("ListSSHKeys page 1: %v %d keys, total %d next %d", err, len(keys), resp.TotalItems, resp.NextPage)
	}
	if !strings.HasSuffix(keys[0].Key, " John Smith (127.0.0.1)") {
		t.Errorf("fixture key comment not replaced: %q", keys[0].Key)
	}
	keys, _, err = john.Users.ListSSHKeys(&cgitlab.ListSSHKeysOptions{ListOptions: cgitlab.ListOptions{Page: 2, PerPage: 2}})
	if err != nil || len(keys) != 1 || keys[0].ID != 4 {
		t.Fatalf("ListSSHKeys page 2: %v %v", err, keys)
	}

	got, _, err := john.Users.GetSSHKey(4)
	if err != nil || got.Key != k.Key || got.Title != "laptop" {
		t.Fatalf("GetSSHKey: %v %+v", err, got)
	}
	// Another user's key through /user/keys: not found, even for an admin.
	_, resp, err = cClient(t, url, rootToken).Users.GetSSHKey(4)
	cWantNotFound(t, resp, err)

	// The same key again, by anyone, is taken.
	_, resp, err = cClient(t, url, rootToken).Users.AddSSHKey(&cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("again"), Key: cgitlab.Ptr(line)})
	cWantError(t, resp, err, http.StatusBadRequest, "{message: {fingerprint_sha256: [has already been taken]}}")
	_, resp, err = john.Users.AddSSHKey(&cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("bad"), Key: cgitlab.Ptr("ssh-rsa nope")})
	cWantError(t, resp, err, http.StatusBadRequest, "{fingerprint_sha256: [cannot be generated]}")
	_, resp, err = john.Users.AddSSHKey(&cgitlab.AddSSHKeyOptions{Key: cgitlab.Ptr(line)})
	cWantError(t, resp, err, http.StatusBadRequest, "{error: title is missing}")
	_, resp, err = john.Users.AddSSHKey(&cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("t"), Key: cgitlab.Ptr(line), UsageType: cgitlab.Ptr("login")})
	cWantError(t, resp, err, http.StatusBadRequest, "{error: usage_type does not have a valid value}")
	if keys, _, err := john.Users.ListSSHKeys(nil); err != nil || keys[0].UsageType != "auth_and_signing" {
		t.Fatalf("fixture keys default to auth_and_signing: %v %+v", err, keys)
	}

	if resp, err := john.Users.DeleteSSHKey(4); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteSSHKey: %v", err)
	}
	_, resp, err = john.Users.GetSSHKey(4)
	cWantNotFound(t, resp, err)
	resp, err = john.Users.DeleteSSHKey(4)
	cWantNotFound(t, resp, err)
	_, resp, err = cClient(t, url, anonymous).Users.ListSSHKeys(nil)
	cWantError(t, resp, err, http.StatusUnauthorized, "401 Unauthorized")
}

func TestCSSHKeysOfAnyUser(t *testing.T) {
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	anon := cClient(t, url, anonymous)
	line, pub := newSSHKey(t, "rsa", "jane@desk")

	k, resp, err := admin.Users.AddSSHKeyForUser(janeID, &cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("desk"), Key: cgitlab.Ptr(line)})
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
	// client-go trims a leading "@" and escapes dots (%2E).
	if keys, _, err := anon.Users.ListSSHKeysForUser("@jane_doe", nil); err != nil || len(keys) != 1 {
		t.Fatalf("ListSSHKeysForUser(@jane_doe): %v %v", err, keys)
	}
	dotted, _, err := admin.Users.CreateUser(&cgitlab.CreateUserOptions{Email: cgitlab.Ptr("dot@example.com"), Name: cgitlab.Ptr("Dot Ted"),
		Username: cgitlab.Ptr("dot.ted"), ResetPassword: cgitlab.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	dline, dpub := newSSHKey(t, "ed25519", "d")
	if _, _, err := admin.Users.AddSSHKeyForUser(dotted.ID, &cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("d"), Key: cgitlab.Ptr(dline), UsageType: cgitlab.Ptr("signing")}); err != nil {
		t.Fatal(err)
	}
	if keys, _, err := anon.Users.ListSSHKeysForUser("dot.ted", nil); err != nil || len(keys) != 1 || keys[0].UsageType != "signing" || keys[0].Key != published(dpub, "Dot Ted") {
		t.Fatalf("ListSSHKeysForUser(dot.ted): %v %+v", err, keys)
	}
	_, resp, err = anon.Users.ListSSHKeysForUser(missingID, nil)
	cWantNotFound(t, resp, err)

	got, _, err := anon.Users.GetSSHKeyForUser(janeID, k.ID)
	if err != nil || got.ID != k.ID || got.Title != "desk" {
		t.Fatalf("GetSSHKeyForUser: %v %+v", err, got)
	}
	_, resp, err = anon.Users.GetSSHKeyForUser(johnID, k.ID)
	cWantNotFound(t, resp, err)

	_, resp, err = cClient(t, url, johnToken).Users.AddSSHKeyForUser(janeID, &cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("x"), Key: cgitlab.Ptr(line)})
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = admin.Users.AddSSHKeyForUser(missingID, &cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("x"), Key: cgitlab.Ptr(line)})
	cWantNotFound(t, resp, err)
	resp, err = cClient(t, url, johnToken).Users.DeleteSSHKeyForUser(janeID, k.ID)
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")

	if resp, err := admin.Users.DeleteSSHKeyForUser(janeID, k.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteSSHKeyForUser: %v", err)
	}
	keys, _, err := anon.Users.ListSSHKeysForUser(janeID, nil)
	if err != nil || len(keys) != 0 {
		t.Fatalf("after delete: %v %v", err, keys)
	}
}

func TestCKeysServiceFindsKeysByIDAndFingerprint(t *testing.T) {
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	line, pub := newSSHKey(t, "ecdsa", "c")
	k, _, err := cClient(t, url, johnToken).Users.AddSSHKey(&cgitlab.AddSSHKeyOptions{Title: cgitlab.Ptr("ec"), Key: cgitlab.Ptr(line)})
	if err != nil {
		t.Fatal(err)
	}
	byID, _, err := admin.Keys.GetKeyWithUser(k.ID)
	if err != nil || byID.ID != k.ID || byID.Key != published(pub, "John Smith") || byID.User.Username != "john_smith" || byID.User.Email != "john@example.com" {
		t.Fatalf("GetKeyWithUser: %v %+v", err, byID)
	}
	for _, fp := range []string{ssh.FingerprintSHA256(pub), ssh.FingerprintLegacyMD5(pub)} {
		got, _, err := admin.Keys.GetKeyByFingerprint(&cgitlab.GetKeyByFingerprintOptions{Fingerprint: fp})
		if err != nil || got.ID != k.ID || got.User.ID != johnID {
			t.Fatalf("GetKeyByFingerprint(%s): %v %+v", fp, err, got)
		}
	}
	_, resp, err := admin.Keys.GetKeyWithUser(999)
	cWantNotFound(t, resp, err)
	_, resp, err = admin.Keys.GetKeyByFingerprint(&cgitlab.GetKeyByFingerprintOptions{Fingerprint: "nope"})
	cWantError(t, resp, err, http.StatusBadRequest, "Failed to return the key")
	_, resp, err = cClient(t, url, johnToken).Keys.GetKeyWithUser(k.ID)
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
}

// ---- GPG keys ----

func TestCGPGKeys(t *testing.T) {
	_, url := newMock(t)
	john := cClient(t, url, johnToken)
	admin := cClient(t, url, rootToken)
	armored := newGPGKey(t, "john@example.com")

	k, resp, err := john.Users.AddGPGKey(&cgitlab.AddGPGKeyOptions{Key: cgitlab.Ptr(armored)})
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
	cWantNotFound(t, resp, err)
	_, resp, err = john.Users.AddGPGKey(&cgitlab.AddGPGKeyOptions{Key: cgitlab.Ptr(armored)})
	cWantError(t, resp, err, http.StatusBadRequest, "{message: {key: [has already been taken]}}")
	_, resp, err = john.Users.AddGPGKey(&cgitlab.AddGPGKeyOptions{Key: cgitlab.Ptr("not a key")})
	cWantError(t, resp, err, http.StatusBadRequest, "A valid public GPG key begins with")

	anon := cClient(t, url, anonymous)
	if keys, _, err := anon.Users.ListGPGKeysForUser(johnID); err != nil || len(keys) != 1 {
		t.Fatalf("ListGPGKeysForUser: %v %v", err, keys)
	}
	if got, _, err := anon.Users.GetGPGKeyForUser(johnID, k.ID); err != nil || got.ID != k.ID {
		t.Fatalf("GetGPGKeyForUser: %v", err)
	}
	_, resp, err = anon.Users.GetGPGKeyForUser(janeID, k.ID)
	cWantNotFound(t, resp, err)

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
	cWantNotFound(t, resp, err)

	// Admin add and delete for another user.
	other := newGPGKey(t, "jane@example.com")
	jk, _, err := admin.Users.AddGPGKeyForUser(janeID, &cgitlab.AddGPGKeyOptions{Key: cgitlab.Ptr(other)})
	if err != nil || jk.ID != 2 {
		t.Fatalf("AddGPGKeyForUser: %v %+v", err, jk)
	}
	_, resp, err = john.Users.AddGPGKeyForUser(janeID, &cgitlab.AddGPGKeyOptions{Key: cgitlab.Ptr(armored)})
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	resp, err = john.Users.DeleteGPGKeyForUser(janeID, jk.ID)
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	if resp, err := admin.Users.DeleteGPGKeyForUser(janeID, jk.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteGPGKeyForUser: %v", err)
	}
	k2, _, err := john.Users.AddGPGKey(&cgitlab.AddGPGKeyOptions{Key: cgitlab.Ptr(armored)})
	if err != nil {
		t.Fatalf("re-adding a revoked key: %v", err)
	}
	if resp, err := john.Users.DeleteGPGKey(k2.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteGPGKey: %v", err)
	}
	resp, err = john.Users.DeleteGPGKey(k2.ID)
	cWantNotFound(t, resp, err)
}

// ---- emails ----

func TestCEmails(t *testing.T) {
	_, url := newMock(t)
	john := cClient(t, url, johnToken)
	admin := cClient(t, url, rootToken)

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
	cWantNotFound(t, resp, err)

	e, resp, err := john.Users.AddEmail(&cgitlab.AddEmailOptions{Email: cgitlab.Ptr("john.new@example.com"), SkipConfirmation: cgitlab.Ptr(true)})
	if err != nil || resp.StatusCode != http.StatusCreated || e.Email != "john.new@example.com" || e.ConfirmedAt != nil {
		t.Fatalf("AddEmail (skip_confirmation is not honoured on /user/emails): %v %+v", err, e)
	}
	for _, taken := range []string{"JOHN.NEW@example.com", "jack@example.com", "email@example.com"} {
		_, resp, err = john.Users.AddEmail(&cgitlab.AddEmailOptions{Email: cgitlab.Ptr(taken)})
		cWantError(t, resp, err, http.StatusBadRequest, "{message: {email: [has already been taken]}}")
	}
	if resp, err := john.Users.DeleteEmail(e.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteEmail: %v", err)
	}
	resp, err = john.Users.DeleteEmail(e.ID)
	cWantNotFound(t, resp, err)

	je, _, err := admin.Users.AddEmailForUser(janeID, &cgitlab.AddEmailOptions{Email: cgitlab.Ptr("jane.work@example.com"), SkipConfirmation: cgitlab.Ptr(true)})
	if err != nil || je.ConfirmedAt == nil {
		t.Fatalf("AddEmailForUser: %v %+v", err, je)
	}
	list, _, err := admin.Users.ListEmailsForUser(janeID, &cgitlab.ListEmailsForUserOptions{ListOptions: cgitlab.ListOptions{PerPage: 1, Page: 2}})
	if err != nil || len(list) != 1 || list[0].ID != je.ID {
		t.Fatalf("ListEmailsForUser page 2: %v %+v", err, list)
	}
	_, resp, err = john.Users.ListEmailsForUser(janeID, nil)
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = john.Users.AddEmailForUser(janeID, &cgitlab.AddEmailOptions{Email: cgitlab.Ptr("x@example.com")})
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	// A confirmed secondary email is taken for new users too (409).
	_, resp, err = admin.Users.CreateUser(&cgitlab.CreateUserOptions{Email: cgitlab.Ptr("jane.work@example.com"), Name: cgitlab.Ptr("N"), Username: cgitlab.Ptr("newbie"), ResetPassword: cgitlab.Ptr(true)})
	cWantError(t, resp, err, http.StatusConflict, "Email has already been taken")
	if resp, err := admin.Users.DeleteEmailForUser(janeID, je.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteEmailForUser: %v", err)
	}
	resp, err = admin.Users.DeleteEmailForUser(janeID, je.ID)
	cWantNotFound(t, resp, err)
}

// ---- identities ----

func TestCIdentities(t *testing.T) {
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)

	u, _, err := admin.Users.CreateUser(&cgitlab.CreateUserOptions{Email: cgitlab.Ptr("saml.user@example.com"), Name: cgitlab.Ptr("Saml User"),
		Username: cgitlab.Ptr("saml_user"), ResetPassword: cgitlab.Ptr(true), ExternUID: cgitlab.Ptr("uid=1"), Provider: cgitlab.Ptr("saml")})
	if err != nil || len(u.Identities) != 1 || u.Identities[0].Provider != "saml" || u.Identities[0].ExternUID != "uid=1" {
		t.Fatalf("CreateUser with an identity: %v %+v", err, u)
	}
	// Update: the same provider gets a new extern_uid; another provider is added.
	u, _, err = admin.Users.ModifyUser(u.ID, &cgitlab.ModifyUserOptions{ExternUID: cgitlab.Ptr("uid=2"), Provider: cgitlab.Ptr("saml")})
	if err != nil || len(u.Identities) != 1 || u.Identities[0].ExternUID != "uid=2" {
		t.Fatalf("ModifyUser: %v %+v", err, u.Identities)
	}
	u, _, err = admin.Users.ModifyUser(u.ID, &cgitlab.ModifyUserOptions{ExternUID: cgitlab.Ptr("42"), Provider: cgitlab.Ptr("github")})
	if err != nil || len(u.Identities) != 2 {
		t.Fatalf("ModifyUser (second provider): %v %+v", err, u.Identities)
	}
	_, resp, err := admin.Users.ModifyUser(u.ID, &cgitlab.ModifyUserOptions{Provider: cgitlab.Ptr("github")})
	cWantError(t, resp, err, http.StatusBadRequest, "extern_uid, provider provide all or none of parameters")

	found, _, err := admin.Users.ListUsers(&cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr("uid=2"), Provider: cgitlab.Ptr("saml")})
	if err != nil || len(found) != 1 || found[0].ID != u.ID {
		t.Fatalf("ListUsers by identity: %v %v", err, found)
	}
	_, resp, err = cClient(t, url, johnToken).Users.ListUsers(&cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr("uid=2"), Provider: cgitlab.Ptr("saml")})
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")

	del := func(c *cgitlab.Client, id int64, provider string) (*cgitlab.Response, error) {
		return c.Users.DeleteUserIdentity(id, provider)
	}
	resp, err = del(cClient(t, url, johnToken), u.ID, "saml")
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	if resp, err := del(admin, u.ID, "saml"); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete identity: %v", err)
	}
	resp, err = del(admin, u.ID, "saml")
	cWantNotFound(t, resp, err)
	found, _, err = admin.Users.ListUsers(&cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr("uid=2"), Provider: cgitlab.Ptr("saml")})
	if err != nil || len(found) != 0 {
		t.Fatalf("lookup after delete: %v %v", err, found)
	}
	got, _, err := admin.Users.GetUser(u.ID, cgitlab.GetUsersOptions{})
	if err != nil || len(got.Identities) != 1 || got.Identities[0].Provider != "github" {
		t.Fatalf("identities after delete: %v %+v", err, got.Identities)
	}
}
