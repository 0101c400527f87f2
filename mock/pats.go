package mock

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// patJSON is PersonalAccessToken (+ last_used_ips in the WithLastUsedIps
// variant, + token right after creation or rotation, + impersonation for
// impersonation tokens), in Grape's field order.
type patJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Revoked     bool      `json:"revoked"`
	CreatedAt   apiTime   `json:"created_at"`
	Description *string   `json:"description"`
	Scopes      []string  `json:"scopes"`
	UserID      int64     `json:"user_id"`
	LastUsedAt  *apiTime  `json:"last_used_at"`
	Active      bool      `json:"active"`
	ExpiresAt   *apiDate  `json:"expires_at"`
	LastUsedIPs *[]string `json:"last_used_ips,omitempty"`
	Token       string    `json:"token,omitempty"`
	// Impersonation is set for the ImpersonationToken entities only.
	Impersonation *bool `json:"impersonation,omitempty"`
}

func (s *Server) renderPAT(t *store.Token, withToken, withIPs bool) patJSON {
	j := patJSON{
		ID: t.ID, Name: t.Name, Revoked: t.Revoked, CreatedAt: apiTime(t.CreatedAt),
		Description: strOrNil(t.Description), Scopes: slices.Clone(t.Scopes), UserID: t.UserID,
		LastUsedAt: timeOrNil(t.LastUsedAt), Active: t.Active(s.clock.Now()), ExpiresAt: dateOrNil(t.ExpiresAt),
	}
	if j.Scopes == nil {
		j.Scopes = []string{}
	}
	if withIPs {
		j.LastUsedIPs = &[]string{}
	}
	if withToken {
		j.Token = t.Token
	}
	return j
}

func today(now time.Time) time.Time {
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// createPAT stores a new personal access token for u, or GitLab's 422.
func (s *Server) createPAT(c *gin.Context, u *store.User, name, desc string, scopes []string, expires *time.Time) *apiError {
	if len(scopes) == 0 {
		return errScopesBlank
	}
	t, serr := s.store.CreateToken(store.Token{
		UserID: u.ID, Name: name, Description: desc, Token: s.newTokenValue(), Scopes: scopes,
		CreatedAt: s.clock.Now(), ExpiresAt: expires,
	})
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusCreated, s.renderPAT(t, true, false))
	return nil
}

// createUserPAT is POST /users/:id/personal_access_tokens (admin).
func (s *Server) createUserPAT(c *gin.Context) *apiError {
	u, p, err := s.adminTokenRoute(c)
	if err != nil {
		return err
	}
	p.require("name", "scopes")
	name, _ := p.str("name")
	desc, _ := p.str("description")
	expires := p.date("expires_at")
	scopes := p.scopesParam("scopes")
	if e := p.errs.err(); e != nil {
		return e
	}
	if u == nil {
		return notFound("User")
	}
	return s.createPAT(c, u, name, desc, scopes, expires)
}

// selfPATScopes are the scopes POST /user/personal_access_tokens accepts.
var selfPATScopes = []string{"k8s_proxy", "self_rotate"}

// createCurrentUserPAT is POST /user/personal_access_tokens.
func (s *Server) createCurrentUserPAT(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.require("name", "scopes")
	name, _ := p.str("name")
	desc, _ := p.str("description")
	expires := p.date("expires_at")
	scopes := p.scopesParam("scopes")
	for _, sc := range scopes {
		if !slices.Contains(selfPATScopes, sc) {
			p.errs.add("scopes does not have a valid value")
			break
		}
	}
	if e := p.errs.err(); e != nil {
		return e
	}
	if expires == nil {
		d := today(s.clock.Now()).AddDate(0, 0, 1)
		expires = &d
	}
	return s.createPAT(c, w.user, name, desc, scopes, expires)
}

// patFilter is GET /personal_access_tokens' filters.
type patFilter struct {
	revoked                       *bool
	state, search, sort           string
	createdBefore, createdAfter   *time.Time
	lastUsedBefore, lastUsedAfter *time.Time
	expiresBefore, expiresAfter   *time.Time
	userID                        *int64
}

func optTime(p *params, name string) *time.Time {
	if t, ok := p.dateTime(name); ok {
		return &t
	}
	return nil
}

func (f *patFilter) keeps(t *store.Token, now time.Time) bool {
	switch {
	case f.revoked != nil && t.Revoked != *f.revoked,
		f.state == "active" && !t.Active(now),
		f.state == "inactive" && t.Active(now),
		f.search != "" && !strings.Contains(strings.ToLower(t.Name), strings.ToLower(f.search)),
		f.createdBefore != nil && !t.CreatedAt.Before(*f.createdBefore),
		f.createdAfter != nil && !t.CreatedAt.After(*f.createdAfter),
		f.lastUsedBefore != nil && (t.LastUsedAt == nil || !t.LastUsedAt.Before(*f.lastUsedBefore)),
		f.lastUsedAfter != nil && (t.LastUsedAt == nil || !t.LastUsedAt.After(*f.lastUsedAfter)),
		f.expiresBefore != nil && (t.ExpiresAt == nil || !t.ExpiresAt.Before(*f.expiresBefore)),
		f.expiresAfter != nil && (t.ExpiresAt == nil || !t.ExpiresAt.After(*f.expiresAfter)):
		return false
	}
	return true
}

func sortPATs(ts []*store.Token, order string) {
	tm := func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	}
	var cmp func(a, b *store.Token) int
	switch strings.TrimSuffix(strings.TrimSuffix(order, "_asc"), "_desc") {
	case "created":
		cmp = func(a, b *store.Token) int { return a.CreatedAt.Compare(b.CreatedAt) }
	case "expires":
		cmp = func(a, b *store.Token) int { return tm(a.ExpiresAt).Compare(tm(b.ExpiresAt)) }
	case "last_used":
		cmp = func(a, b *store.Token) int { return tm(a.LastUsedAt).Compare(tm(b.LastUsedAt)) }
	case "name":
		cmp = func(a, b *store.Token) int { return strings.Compare(a.Name, b.Name) }
	default:
		return // id ascending, as the store lists them
	}
	desc := strings.HasSuffix(order, "_desc")
	slices.SortStableFunc(ts, func(a, b *store.Token) int {
		if c := cmp(a, b); c != 0 {
			if desc {
				return -c
			}
			return c
		}
		return int(a.ID - b.ID)
	})
}

// listPATs is GET /personal_access_tokens: admins see every token (or a
// user's with user_id), everyone else their own personal (non-impersonation)
// tokens; a user_id other than one's own is 401 for them.
func (s *Server) listPATs(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesAPI)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	if err := s.restrictNonAdmins(w, p); err != nil {
		return err
	}
	var f patFilter
	f.revoked = p.optBool("revoked")
	f.state, _ = p.oneOf("state", "active", "inactive")
	f.search, _ = p.str("search")
	f.sort, _ = p.str("sort") // no values: list; an unknown order is ignored
	f.createdBefore, f.createdAfter = optTime(p, "created_before"), optTime(p, "created_after")
	f.lastUsedBefore, f.lastUsedAfter = optTime(p, "last_used_before"), optTime(p, "last_used_after")
	f.expiresBefore, f.expiresAfter = p.date("expires_before"), p.date("expires_after")
	if v, _ := p.str("user_id"); v != "" { // Grape coerces "" to nil
		f.userID = p.optInt("user_id")
	}
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	var tokens []*store.Token
	switch {
	case w.admin() && f.userID != nil:
		if s.store.User(*f.userID) == nil {
			return errNotFoundBare
		}
		tokens = s.store.TokensOf(*f.userID)
	case w.admin():
		for _, u := range s.store.Users() {
			tokens = append(tokens, s.store.TokensOf(u.ID)...)
		}
		slices.SortFunc(tokens, func(a, b *store.Token) int { return int(a.ID - b.ID) })
	default:
		for _, t := range s.store.TokensOf(w.user.ID) {
			if !t.Impersonation {
				tokens = append(tokens, t)
			}
		}
	}
	now := s.clock.Now()
	kept := tokens[:0]
	for _, t := range tokens {
		if f.keeps(t, now) {
			kept = append(kept, t)
		}
	}
	sortPATs(kept, f.sort)
	out := make([]patJSON, len(kept))
	for i, t := range kept {
		out[i] = s.renderPAT(t, false, false)
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, out, pr))
	return nil
}

// restrictNonAdmins is the before-hook of /personal_access_tokens: a
// non-admin naming another user_id gets 401 before any validation.
func (s *Server) restrictNonAdmins(w *caller, p *params) *apiError {
	if w.admin() || !p.given("user_id") {
		return nil
	}
	if id := p.raw("user_id"); id != "" && id != strconv.FormatInt(w.user.ID, 10) { // "" is nil to Grape
		return errUnauthorized
	}
	return nil
}

// patByID finds the token of /personal_access_tokens/:id the caller may
// manage: the owner's or, for admins, anyone's. Others get 401; admins 404
// for a missing token.
func (s *Server) patByID(c *gin.Context) (*caller, *store.Token, *apiError) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	w, err := s.requireLogin(c, scopesAPI)
	if err != nil {
		return nil, nil, err
	}
	p, _ := s.readParams(c)
	if err := s.restrictNonAdmins(w, p); err != nil {
		return nil, nil, err
	}
	t := s.store.Token(id)
	switch {
	case t != nil && (w.admin() || t.UserID == w.user.ID):
		return w, t, nil
	case w.admin():
		return nil, nil, errNotFoundBare
	}
	return nil, nil, errUnauthorized
}

// getPAT is GET /personal_access_tokens/:id.
func (s *Server) getPAT(c *gin.Context) *apiError {
	_, t, err := s.patByID(c)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, s.renderPAT(t, false, true)) // PersonalAccessTokenWithLastUsedIps
	return nil
}

// rotate replaces t by a new token with the same name, description and
// scopes, expiring on expires_at (default: a week from today), and revokes t.
func (s *Server) rotate(c *gin.Context, t *store.Token) *apiError {
	p, _ := s.readParams(c)
	expires := p.date("expires_at")
	if e := p.errs.err(); e != nil {
		return e
	}
	if t.Revoked {
		return errTokenAlreadyRevoked
	}
	if expires == nil {
		d := today(s.clock.Now()).AddDate(0, 0, 7)
		expires = &d
	}
	if _, serr := s.store.RevokeToken(t.ID); serr != nil {
		return storeError(serr)
	}
	nt, serr := s.store.CreateToken(store.Token{
		UserID: t.UserID, Name: t.Name, Description: t.Description, Token: s.newTokenValue(),
		Scopes: t.Scopes, CreatedAt: s.clock.Now(), ExpiresAt: expires, Impersonation: t.Impersonation,
	})
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, s.renderPAT(nt, true, false))
	return nil
}

// rotatePAT is POST /personal_access_tokens/:id/rotate.
func (s *Server) rotatePAT(c *gin.Context) *apiError {
	_, t, err := s.patByID(c)
	if err != nil {
		return err
	}
	return s.rotate(c, t)
}

// revokePAT is DELETE /personal_access_tokens/:id: a missing token is
// ActiveRecord's 404 for everyone; RevokeService refuses a token the caller
// may not manage with a bare 400.
func (s *Server) revokePAT(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.requireLogin(c, scopesAPI)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	if err := s.restrictNonAdmins(w, p); err != nil {
		return err
	}
	t := s.store.Token(id)
	switch {
	case t == nil:
		return errRecordNotFound
	case !w.admin() && t.UserID != w.user.ID:
		return errBadRequestBare
	}
	if _, serr := s.store.RevokeToken(t.ID); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// selfToken authenticates a /personal_access_tokens/self route: any scope
// of group, and the request must carry an access token (not a session).
func (s *Server) selfToken(c *gin.Context, group scopeGroup) (*store.Token, *apiError) {
	w, err := s.requireLogin(c, group)
	if err != nil {
		return nil, err
	}
	if w.token == nil {
		return nil, errNotPATToken
	}
	return w.token, nil
}

// getSelfPAT is GET /personal_access_tokens/self.
func (s *Server) getSelfPAT(c *gin.Context) *apiError {
	t, err := s.selfToken(c, scopesAny)
	if err != nil {
		return err
	}
	if fresh := s.store.Token(t.ID); fresh != nil { // last_used_at was just touched
		t = fresh
	}
	writeJSON(c, http.StatusOK, s.renderPAT(t, false, true))
	return nil
}

// revokeSelfPAT is DELETE /personal_access_tokens/self.
func (s *Server) revokeSelfPAT(c *gin.Context) *apiError {
	t, err := s.selfToken(c, scopesAny)
	if err != nil {
		return err
	}
	if _, serr := s.store.RevokeToken(t.ID); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// rotateSelfPAT is POST /personal_access_tokens/self/rotate (api or self_rotate).
func (s *Server) rotateSelfPAT(c *gin.Context) *apiError {
	t, err := s.selfToken(c, scopesSelfRotate)
	if err != nil {
		return err
	}
	return s.rotate(c, t)
}

// selfPATAssociations is GET /personal_access_tokens/self/associations: the
// mock has no groups or projects.
func (s *Server) selfPATAssociations(c *gin.Context) *apiError {
	if _, err := s.selfToken(c, scopesAny); err != nil {
		return err
	}
	p, _ := s.readParams(c)
	if v, ok := p.integer("min_access_level"); ok && !slices.Contains([]int64{0, 5, 10, 15, 20, 30, 40, 50}, v) {
		p.errs.add("min_access_level does not have a valid value")
	}
	p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	writeJSON(c, http.StatusOK, map[string][]any{"groups": {}, "projects": {}})
	return nil
}
