package mock

// SSH keys: /user/keys, /users/:id/keys and the admin lookups of
// lib/api/keys.rb (GET /keys/:id, GET /keys?fingerprint=).

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/ssh"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// sshKeyJSON is Entities::SSHKey.
type sshKeyJSON struct {
	ID        int64    `json:"id"`
	Title     string   `json:"title"`
	CreatedAt apiTime  `json:"created_at"`
	ExpiresAt *apiTime `json:"expires_at"`
	Key       string   `json:"key"`
	UsageType string   `json:"usage_type"`
}

// sshKeyWithUserJSON is Entities::SSHKeyWithUser: the key and its owner as UserPublic.
type sshKeyWithUserJSON struct {
	sshKeyJSON
	User userPublicJSON `json:"user"`
}

// SSH key usage types (Key.usage_types); a key does both by default.
const (
	usageAuth           = "auth"
	usageSigning        = "signing"
	usageAuthAndSigning = "auth_and_signing"
)

// sshAlgorithms are Gitlab::SSHPublicKey.supported_algorithms.
var sshAlgorithms = []string{
	ssh.KeyAlgoRSA, ssh.KeyAlgoDSA,
	ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoED25519, ssh.KeyAlgoSKECDSA256, ssh.KeyAlgoSKED25519,
}

func isSSHAlgorithm(s string) bool {
	for _, a := range sshAlgorithms {
		if s == a {
			return true
		}
	}
	return false
}

// parsedSSHKey is a key as Gitlab::SSHPublicKey sanitizes it: the
// algorithm, the base64 data (wrapped data joined) and the first word of
// the comment, without authorized_keys options.
type parsedSSHKey struct {
	text string // what is stored; the input, stripped, if it did not parse
	pub  ssh.PublicKey
}

// maxSanitizedKey bounds the joining of wrapped key data: GitLab retries
// the parse once per whitespace-separated part, which is quadratic; keys
// longer than 5000 characters fail validation anyway.
const maxSanitizedKey = 16 << 10

// parseSSHKey reads a public key the way GitLab's Key#key= and
// Gitlab::SSHPublicKey do. pub is nil if the text holds no valid key.
func parseSSHKey(input string) parsedSSHKey {
	text := strings.TrimSpace(input)
	fields := strings.Fields(text)
	start := -1
	for i, f := range fields {
		if isSSHAlgorithm(f) {
			start = i
			break
		}
	}
	if start < 0 {
		return parsedSSHKey{text: text}
	}
	algo := fields[start]
	content := algo + " "
	for j := start + 1; j < len(fields) && len(content) <= maxSanitizedKey; j++ {
		content += fields[j]
		pub, _, options, rest, err := ssh.ParseAuthorizedKey([]byte(content))
		if err != nil || len(options) > 0 || len(rest) > 0 || pub.Type() != algo {
			continue
		}
		stored := content
		if j+1 < len(fields) {
			stored += " " + fields[j+1]
		}
		return parsedSSHKey{text: stored, pub: pub}
	}
	return parsedSSHKey{text: text}
}

// keyHost is Gitlab.config.gitlab.host: the external URL's host, else the
// request's, without the port.
func (s *Server) keyHost(c *gin.Context) string {
	if s.external != nil {
		return s.external.Hostname()
	}
	if h, _, err := net.SplitHostPort(c.Request.Host); err == nil {
		return strings.Trim(h, "[]")
	}
	return c.Request.Host
}

// publishableKey is Key#publishable_key: the comment replaced by
// "<owner name> (<host>)", so a key never leaks the email in its comment.
func publishableKey(key, ownerName, host string) string {
	f := strings.Fields(key)
	if len(f) > 2 {
		f = f[:2]
	}
	return strings.Join(append(f, ownerName+" ("+host+")"), " ")
}

func (s *Server) renderSSHKey(c *gin.Context, k *store.SSHKey) sshKeyJSON {
	name := ""
	if owner := s.store.User(k.UserID); owner != nil {
		name = owner.Name
	}
	return sshKeyJSON{
		ID: k.ID, Title: k.Title, CreatedAt: apiTime(k.CreatedAt), ExpiresAt: timeOrNil(k.ExpiresAt),
		Key: publishableKey(k.Key, name, s.keyHost(c)), UsageType: k.UsageType,
	}
}

func (s *Server) renderSSHKeys(c *gin.Context, keys []*store.SSHKey, pr pageRequest) {
	out := make([]sshKeyJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.renderSSHKey(c, k))
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, out, pr))
}

// childID reads a child id of the path (key_id, email_id). Those routes
// have no requirements, so a non-integer is Grape's "x is invalid" (400),
// collected with the other parameter errors. An integer too large for any
// record is simply not found (-1).
func childID(c *gin.Context, p *params, name string) int64 {
	raw := c.Param(name)
	n, err := strconv.ParseInt(raw, 10, 64)
	switch {
	case err == nil:
		return n
	case raw != "" && strings.TrimLeft(strings.TrimPrefix(raw, "-"), "0123456789") == "":
		return -1
	}
	p.errs.add(name + " is invalid")
	return -1
}

// sshKeyParams are the parameters of POST /user/keys and /users/:id/keys.
type sshKeyParams struct {
	key, title, usageType string
	expiresAt             *time.Time
}

// readSSHKeyParams validates as Grape does: key and title required,
// expires_at a DateTime (a date or RFC 3339; empty means none), usage_type
// one of the usage types (default auth_and_signing).
func readSSHKeyParams(p *params) sshKeyParams {
	p.require("key", "title")
	var kp sshKeyParams
	kp.key, _ = p.str("key")
	kp.title, _ = p.str("title")
	if v, ok := p.values["expires_at"].(string); !ok || strings.TrimSpace(v) != "" {
		if t, ok := p.dateTime("expires_at"); ok {
			kp.expiresAt = &t
		}
	}
	kp.usageType = usageAuthAndSigning
	if u, ok := p.oneOf("usage_type", usageAuth, usageSigning, usageAuthAndSigning); ok {
		kp.usageType = u
	}
	return kp
}

// addSSHKey runs Keys::CreateService and the Key model's validations, in
// GitLab's order: title, key (presence, key type, length, format),
// fingerprint_sha256 (uniqueness, presence), then expiry.
func (s *Server) addSSHKey(c *gin.Context, owner *store.User, kp sshKeyParams) *apiError {
	parsed := parseSSHKey(kp.key)
	var errs fieldErrors
	switch {
	case strings.TrimSpace(kp.title) == "":
		errs.add("title", msgBlank)
	case utf8.RuneCountInString(kp.title) > 255:
		errs.add("title", msgTitleTooLong)
	}
	if parsed.text == "" {
		errs.add("key", msgBlank)
	}
	if parsed.pub == nil || parsed.pub.Type() == ssh.KeyAlgoDSA {
		errs.add("key", msgSSHTypeDenied) // DSA keys are forbidden by default
	}
	if utf8.RuneCountInString(parsed.text) > 5000 {
		errs.add("key", msgSSHKeyTooLong)
	}
	if !hasSSHAlgorithmPrefix(parsed.text) {
		errs.add("key", msgInvalid)
	}
	var md5, sha256 string
	if parsed.pub != nil {
		md5, sha256 = ssh.FingerprintLegacyMD5(parsed.pub), ssh.FingerprintSHA256(parsed.pub)
		if s.store.SSHKeyTaken(sha256) {
			errs.add("fingerprint_sha256", msgTaken)
		}
	} else {
		errs.add("fingerprint_sha256", msgNotGenerated)
	}
	now := s.clock.Now()
	if kp.expiresAt != nil && !kp.expiresAt.After(now) {
		errs.add("key", msgExpired)
	}
	if e := errs.err(); e != nil {
		return e
	}
	k, err := s.store.AddSSHKey(store.SSHKey{
		UserID: owner.ID, Title: kp.title, Key: parsed.text,
		FingerprintMD5: md5, FingerprintSHA256: sha256,
		UsageType: kp.usageType, CreatedAt: now, ExpiresAt: kp.expiresAt,
	})
	if err != nil {
		return storeError(err) // e.g. ErrSSHKeyTaken, having lost a race with another add
	}
	writeJSON(c, http.StatusCreated, s.renderSSHKey(c, k))
	return nil
}

func hasSSHAlgorithmPrefix(text string) bool {
	for _, a := range sshAlgorithms {
		if strings.HasPrefix(text, a) {
			return true
		}
	}
	return false
}

// listCurrentUserSSHKeys is GET /user/keys.
func (s *Server) listCurrentUserSSHKeys(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	s.renderSSHKeys(c, s.store.SSHKeysOf(w.user.ID), pr)
	return nil
}

// currentUserSSHKey finds the caller's key from the path: another user's
// key is not found, even for an admin.
func (s *Server) currentUserSSHKey(c *gin.Context) (*store.SSHKey, *apiError) {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return nil, err
	}
	p, _ := s.readParams(c)
	id := childID(c, p, "key_id")
	if e := p.errs.err(); e != nil {
		return nil, e
	}
	k := s.store.SSHKey(id)
	if k == nil || k.UserID != w.user.ID {
		return nil, notFound("Key")
	}
	return k, nil
}

// getCurrentUserSSHKey is GET /user/keys/:key_id.
func (s *Server) getCurrentUserSSHKey(c *gin.Context) *apiError {
	k, err := s.currentUserSSHKey(c)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, s.renderSSHKey(c, k))
	return nil
}

// addCurrentUserSSHKey is POST /user/keys.
func (s *Server) addCurrentUserSSHKey(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	kp := readSSHKeyParams(p)
	if e := p.errs.err(); e != nil {
		return e
	}
	return s.addSSHKey(c, w.user, kp)
}

// deleteCurrentUserSSHKey is DELETE /user/keys/:key_id.
func (s *Server) deleteCurrentUserSSHKey(c *gin.Context) *apiError {
	k, err := s.currentUserSSHKey(c)
	if err != nil {
		return err
	}
	if serr := s.store.DeleteSSHKey(k.UserID, k.ID); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// listUserSSHKeys is GET /users/:id/keys: anyone may list, by id or
// username (dots and all).
func (s *Server) listUserSSHKeys(c *gin.Context) *apiError {
	if _, err := s.authenticate(c, scopesUsers); err != nil {
		return err
	}
	p, _ := s.readParams(c)
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	u := s.userByIDOrUsername(c.Param("id"))
	if u == nil {
		return notFound("User")
	}
	s.renderSSHKeys(c, s.store.SSHKeysOf(u.ID), pr)
	return nil
}

// getUserSSHKey is GET /users/:id/keys/:key_id (anyone).
func (s *Server) getUserSSHKey(c *gin.Context) *apiError {
	uid, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.authenticate(c, scopesUsers); err != nil {
		return err
	}
	p, _ := s.readParams(c)
	id := childID(c, p, "key_id")
	if e := p.errs.err(); e != nil {
		return e
	}
	if s.store.User(uid) == nil {
		return notFound("User")
	}
	k := s.store.SSHKey(id)
	if k == nil || k.UserID != uid {
		return notFound("Key")
	}
	writeJSON(c, http.StatusOK, s.renderSSHKey(c, k))
	return nil
}

// addUserSSHKey is POST /users/:id/keys (admin). The route declares
// user_id without a requirement, so a non-numeric id is a parameter error.
func (s *Server) addUserSSHKey(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	uid, perr := strconv.ParseInt(c.Param("id"), 10, 64)
	if perr != nil {
		p.errs.add("user_id is invalid")
	}
	kp := readSSHKeyParams(p)
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
	return s.addSSHKey(c, u, kp)
}

// deleteUserSSHKey is DELETE /users/:id/keys/:key_id (admin).
func (s *Server) deleteUserSSHKey(c *gin.Context) *apiError {
	uid, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	id := childID(c, p, "key_id")
	if e := p.errs.err(); e != nil {
		return e
	}
	if !w.admin() {
		return errForbidden
	}
	if s.store.User(uid) == nil {
		return notFound("User")
	}
	if serr := s.store.DeleteSSHKey(uid, id); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// renderSSHKeyWithUser is SSHKeyWithUser, the owner as UserPublic.
func (s *Server) renderSSHKeyWithUser(c *gin.Context, w *caller, k *store.SSHKey) *apiError {
	owner := s.store.User(k.UserID)
	if owner == nil {
		return errRecordNotFound
	}
	writeJSON(c, http.StatusOK, sshKeyWithUserJSON{sshKeyJSON: s.renderSSHKey(c, k), User: s.viewFor(c, w).userPublic(owner)})
	return nil
}

// getKeyWithUser is GET /keys/:id (admin). The id is not declared, so
// anything that is no key id is ActiveRecord's "404 Not found".
func (s *Server) getKeyWithUser(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesAPI)
	if err != nil {
		return err
	}
	if !w.admin() {
		return errForbidden
	}
	id, perr := strconv.ParseInt(c.Param("id"), 10, 64)
	k := s.store.SSHKey(id)
	if perr != nil || k == nil {
		return errRecordNotFound
	}
	return s.renderSSHKeyWithUser(c, w, k)
}

// getKeyByFingerprint is GET /keys?fingerprint= (admin): KeysFinder takes
// "SHA256:<43 base64 characters>" (either case of the prefix) or an MD5
// fingerprint of 47 characters; anything else is 400.
func (s *Server) getKeyByFingerprint(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesAPI)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.require("fingerprint")
	fp, _ := p.str("fingerprint")
	if e := p.errs.err(); e != nil {
		return e
	}
	if !w.admin() {
		return errForbidden
	}
	var lookup string
	switch rest, ok := cutPrefixFold(fp, "sha256:"); {
	case ok && len(strings.TrimRight(rest, "=")) == 43:
		lookup = "SHA256:" + strings.TrimRight(rest, "=")
	case !ok && len(fp) == 47:
		lookup = strings.ToLower(fp)
	default:
		return errFingerprintInvalid
	}
	k := s.store.SSHKeyByFingerprint(lookup)
	if k == nil {
		return notFound("Key")
	}
	return s.renderSSHKeyWithUser(c, w, k)
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
