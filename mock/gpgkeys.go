package mock

// GPG keys: /user/gpg_keys and /users/:id/gpg_keys, with revoke.

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// gpgKeyJSON is Entities::GpgKey.
type gpgKeyJSON struct {
	ID        int64   `json:"id"`
	Key       string  `json:"key"`
	CreatedAt apiTime `json:"created_at"`
}

// gpgKeyFormat is GpgKey's format validation: one public key block, from
// its header to its footer, with nothing around it.
var gpgKeyFormat = regexp.MustCompile(`\A-----BEGIN PGP PUBLIC KEY BLOCK-----(?s:(.+))-----END PGP PUBLIC KEY BLOCK-----\z`)

func validGPGKeyFormat(key string) bool {
	m := gpgKeyFormat.FindStringSubmatch(key)
	return m != nil && !strings.Contains(m[1], "-----BEGIN PGP PUBLIC KEY BLOCK-----") &&
		!strings.Contains(m[1], "-----END PGP PUBLIC KEY BLOCK-----")
}

func renderGPGKey(k *store.GPGKey) gpgKeyJSON {
	return gpgKeyJSON{ID: k.ID, Key: k.Key, CreatedAt: apiTime(k.CreatedAt)}
}

// renderGPGKeys drops keys a fixture marks revoked: GitLab deletes a key
// when it revokes it.
func (s *Server) renderGPGKeys(c *gin.Context, keys []*store.GPGKey, pr pageRequest) {
	out := make([]gpgKeyJSON, 0, len(keys))
	for _, k := range keys {
		if !k.Revoked {
			out = append(out, renderGPGKey(k))
		}
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, out, pr))
}

// addGPGKey runs GpgKeys::CreateService and GpgKey's validations: key
// (presence, uniqueness, format); fingerprint and primary_keyid (presence,
// uniqueness) only when the key itself has no error.
func (s *Server) addGPGKey(c *gin.Context, owner *store.User, key string) *apiError {
	key = strings.TrimSpace(key)
	var errs fieldErrors
	fp := ""
	switch {
	case key == "":
		errs.add("key", msgBlank)
		errs.add("key", msgGPGKeyInvalid)
	case !validGPGKeyFormat(key):
		errs.add("key", msgGPGKeyInvalid)
	default:
		fp = store.GPGFingerprint(key)
		switch taken := s.store.GPGKeyTaken(key, fp); {
		case fp == "":
			errs.add("fingerprint", msgBlank)
			errs.add("primary_keyid", msgBlank)
		case taken == store.ErrGPGKeyTaken:
			errs.add("key", msgTaken)
		case taken == store.ErrGPGFingerprintTaken:
			errs.add("fingerprint", msgTaken)
			errs.add("primary_keyid", msgTaken)
		}
	}
	if e := errs.err(); e != nil {
		return e
	}
	k, err := s.store.AddGPGKey(store.GPGKey{UserID: owner.ID, Key: key, CreatedAt: s.clock.Now()}, fp)
	switch err {
	case nil:
	case store.ErrGPGFingerprintTaken:
		errs.add("fingerprint", msgTaken)
		errs.add("primary_keyid", msgTaken)
		return errs.err()
	default:
		return storeError(err)
	}
	writeJSON(c, http.StatusCreated, renderGPGKey(k))
	return nil
}

// listCurrentUserGPGKeys is GET /user/gpg_keys.
func (s *Server) listCurrentUserGPGKeys(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	s.renderGPGKeys(c, s.store.GPGKeysOf(w.user.ID), pr)
	return nil
}

// currentUserGPGKey finds the caller's GPG key from the path; another
// user's key is not found, even for an admin.
func (s *Server) currentUserGPGKey(c *gin.Context) (*store.GPGKey, *apiError) {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return nil, err
	}
	p, _ := s.readParams(c)
	id := childID(c, p, "key_id")
	if e := p.errs.err(); e != nil {
		return nil, e
	}
	k := s.store.GPGKey(id)
	if k == nil || k.UserID != w.user.ID {
		return nil, notFound("GPG Key")
	}
	return k, nil
}

// getCurrentUserGPGKey is GET /user/gpg_keys/:key_id.
func (s *Server) getCurrentUserGPGKey(c *gin.Context) *apiError {
	k, err := s.currentUserGPGKey(c)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, renderGPGKey(k))
	return nil
}

// addCurrentUserGPGKey is POST /user/gpg_keys.
func (s *Server) addCurrentUserGPGKey(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.require("key")
	key, _ := p.str("key")
	if e := p.errs.err(); e != nil {
		return e
	}
	return s.addGPGKey(c, w.user, key)
}

// deleteCurrentUserGPGKey is DELETE /user/gpg_keys/:key_id (204).
func (s *Server) deleteCurrentUserGPGKey(c *gin.Context) *apiError {
	k, err := s.currentUserGPGKey(c)
	if err != nil {
		return err
	}
	if serr := s.store.DeleteGPGKey(k.UserID, k.ID); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// revokeCurrentUserGPGKey is POST /user/gpg_keys/:key_id/revoke: GitLab
// unverifies the key's signatures and destroys it, then answers 202 with
// the body `202` (the value of `status :accepted`).
func (s *Server) revokeCurrentUserGPGKey(c *gin.Context) *apiError {
	k, err := s.currentUserGPGKey(c)
	if err != nil {
		return err
	}
	if serr := s.store.DeleteGPGKey(k.UserID, k.ID); serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusAccepted, http.StatusAccepted)
	return nil
}

// listUserGPGKeys is GET /users/:id/gpg_keys (anyone; numeric id only).
func (s *Server) listUserGPGKeys(c *gin.Context) *apiError {
	uid, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.authenticate(c, scopesUsers); err != nil {
		return err
	}
	p, _ := s.readParams(c)
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	if s.store.User(uid) == nil {
		return notFound("User")
	}
	s.renderGPGKeys(c, s.store.GPGKeysOf(uid), pr)
	return nil
}

// userGPGKey finds user :id's GPG key :key_id. admin: the route is
// authenticated_as_admin! (checked after the parameters, before lookups).
func (s *Server) userGPGKey(c *gin.Context, admin bool) (*store.GPGKey, *apiError) {
	uid, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var w *caller
	if admin {
		w, err = s.requireLogin(c, scopesUsers)
	} else {
		w, err = s.authenticate(c, scopesUsers)
	}
	if err != nil {
		return nil, err
	}
	p, _ := s.readParams(c)
	id := childID(c, p, "key_id")
	if e := p.errs.err(); e != nil {
		return nil, e
	}
	if admin && !w.admin() {
		return nil, errForbidden
	}
	if s.store.User(uid) == nil {
		return nil, notFound("User")
	}
	k := s.store.GPGKey(id)
	if k == nil || k.UserID != uid {
		return nil, notFound("GPG Key")
	}
	return k, nil
}

// getUserGPGKey is GET /users/:id/gpg_keys/:key_id (anyone).
func (s *Server) getUserGPGKey(c *gin.Context) *apiError {
	k, err := s.userGPGKey(c, false)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, renderGPGKey(k))
	return nil
}

// addUserGPGKey is POST /users/:id/gpg_keys (admin).
func (s *Server) addUserGPGKey(c *gin.Context) *apiError {
	uid, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.require("key")
	key, _ := p.str("key")
	if e := p.errs.err(); e != nil {
		return e
	}
	if !w.admin() {
		return errForbidden
	}
	u := s.store.User(uid)
	if u == nil {
		return notFound("User")
	}
	return s.addGPGKey(c, u, key)
}

// deleteUserGPGKey is DELETE /users/:id/gpg_keys/:key_id (admin, 204).
func (s *Server) deleteUserGPGKey(c *gin.Context) *apiError {
	k, err := s.userGPGKey(c, true)
	if err != nil {
		return err
	}
	if serr := s.store.DeleteGPGKey(k.UserID, k.ID); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// revokeUserGPGKey is POST /users/:id/gpg_keys/:key_id/revoke (admin, 202).
func (s *Server) revokeUserGPGKey(c *gin.Context) *apiError {
	k, err := s.userGPGKey(c, true)
	if err != nil {
		return err
	}
	if serr := s.store.DeleteGPGKey(k.UserID, k.ID); serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusAccepted, http.StatusAccepted)
	return nil
}
