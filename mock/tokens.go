package mock

import (
	"crypto/rand"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// availableScopes are Gitlab::Auth.all_available_scopes.
var availableScopes = []string{
	"api", "read_api", "read_user", "create_runner", "manage_runner", "k8s_proxy", "self_rotate",
	"read_repository", "write_repository", "read_registry", "write_registry",
	"read_virtual_registry", "write_virtual_registry", "sudo", "admin_mode",
	"read_service_ping", "ai_features", "openid", "profile", "email",
}

// renderToken is ImpersonationToken (PersonalAccessToken + last_used_ips +
// impersonation) or, right after creation, ImpersonationTokenWithToken
// (PersonalAccessTokenWithToken + impersonation: no last_used_ips).
func (s *Server) renderToken(t *store.Token, withToken bool) patJSON {
	j := s.renderPAT(t, withToken, !withToken)
	j.Impersonation = &t.Impersonation
	return j
}

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

// tokenGen makes token values. With a seed (Options.TokenSeed) the values
// are a deterministic sequence per server; without, they are random.
type tokenGen struct {
	mu   sync.Mutex
	seed int64
	rng  *mrand.Rand // nil: crypto/rand
}

func newTokenGen(seed int64) *tokenGen {
	g := &tokenGen{seed: seed}
	g.reseed()
	return g
}

// reseed restarts the seeded sequence (Reset gives the same values again).
// Safe while other requests generate tokens.
func (g *tokenGen) reseed() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seed != 0 {
		g.rng = mrand.New(mrand.NewPCG(uint64(g.seed), uint64(g.seed)^0x9e3779b97f4a7c15))
	}
}

// next returns a token shaped like GitLab's: "glpat-" and 20 characters.
func (g *tokenGen) next() string {
	b := make([]byte, 20)
	g.mu.Lock()
	if g.rng != nil {
		for i := range b {
			b[i] = tokenAlphabet[g.rng.IntN(len(tokenAlphabet))]
		}
	} else {
		rand.Read(b)
		for i := range b {
			b[i] = tokenAlphabet[int(b[i])%len(tokenAlphabet)]
		}
	}
	g.mu.Unlock()
	return "glpat-" + string(b)
}

// newTokenValue returns a fresh token value that no token has yet.
func (s *Server) newTokenValue() string {
	for {
		if v := s.tokenGen.next(); s.store.TokenByValue(v) == nil {
			return v
		}
	}
}

// adminTokenRoute runs the impersonation_tokens before-hook: login, then
// authenticated_as_admin! (403 before any parameter is validated), then the
// user lookup.
func (s *Server) adminTokenRoute(c *gin.Context) (*store.User, *params, *apiError) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return nil, nil, err
	}
	if !w.admin() {
		return nil, nil, errForbidden
	}
	p, _ := s.readParams(c)
	return s.store.User(id), p, nil
}

// listImpersonationTokens is GET /users/:id/impersonation_tokens.
func (s *Server) listImpersonationTokens(c *gin.Context) *apiError {
	u, p, err := s.adminTokenRoute(c)
	if err != nil {
		return err
	}
	state, _ := p.oneOf("state", "all", "active", "inactive")
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	if u == nil {
		return notFound("User")
	}
	now := s.clock.Now()
	var out []patJSON
	for _, t := range s.store.TokensOf(u.ID) {
		if !t.Impersonation || (state == "active" && !t.Active(now)) || (state == "inactive" && t.Active(now)) {
			continue
		}
		out = append(out, s.renderToken(t, false))
	}
	if out == nil {
		out = []patJSON{}
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, out, pr))
	return nil
}

// impersonationToken finds the user's impersonation token from the path.
func (s *Server) impersonationToken(c *gin.Context) (*store.Token, *apiError) {
	u, p, err := s.adminTokenRoute(c)
	if err != nil {
		return nil, err
	}
	tid, err := pathID(c, "token_id")
	if err != nil {
		return nil, err
	}
	if e := p.errs.err(); e != nil {
		return nil, e
	}
	if u == nil {
		return nil, notFound("User")
	}
	t := s.store.Token(tid)
	if t == nil || t.UserID != u.ID || !t.Impersonation {
		return nil, notFound("Impersonation Token")
	}
	return t, nil
}

// getImpersonationToken is GET /users/:id/impersonation_tokens/:token_id.
func (s *Server) getImpersonationToken(c *gin.Context) *apiError {
	t, err := s.impersonationToken(c)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, s.renderToken(t, false))
	return nil
}

// revokeImpersonationToken is DELETE /users/:id/impersonation_tokens/:token_id.
func (s *Server) revokeImpersonationToken(c *gin.Context) *apiError {
	t, err := s.impersonationToken(c)
	if err != nil {
		return err
	}
	if _, serr := s.store.RevokeToken(t.ID); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// scopesParam reads scopes as an array or a comma-separated string.
func (p *params) scopesParam(name string) []string {
	var raw []string
	switch v := p.values[name].(type) {
	case nil:
		return nil
	case string:
		for _, sc := range strings.Split(v, ",") {
			if sc = strings.TrimSpace(sc); sc != "" {
				raw = append(raw, sc)
			}
		}
	case []any:
		for _, x := range v {
			sc, ok := x.(string)
			if !ok {
				p.errs.add(name + " is invalid")
				return nil
			}
			raw = append(raw, sc)
		}
	default:
		p.errs.add(name + " is invalid")
		return nil
	}
	for _, sc := range raw {
		if !slices.Contains(availableScopes, sc) {
			p.errs.add(name + " does not have a valid value")
			return nil
		}
	}
	return raw
}

// date reads a Date param; RFC 3339 times (xanzy/go-gitlab sends them for
// impersonation tokens) keep their date.
func (p *params) date(name string) *time.Time {
	t, ok := p.dateTime(name)
	if !ok {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// createImpersonationToken is POST /users/:id/impersonation_tokens.
func (s *Server) createImpersonationToken(c *gin.Context) *apiError {
	u, p, err := s.adminTokenRoute(c)
	if err != nil {
		return err
	}
	p.require("name")
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
	if len(scopes) == 0 {
		return validationError("scopes", "can't be blank")
	}
	t, serr := s.store.CreateToken(store.Token{
		UserID: u.ID, Name: name, Description: desc, Token: s.newTokenValue(), Scopes: scopes,
		CreatedAt: s.clock.Now(), ExpiresAt: expires, Impersonation: true,
	})
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusCreated, s.renderToken(t, true))
	return nil
}

// digits returns n random decimal digits (deterministic with a seed).
func (g *tokenGen) digits(n int) string {
	b := make([]byte, n)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.rng != nil {
		for i := range b {
			b[i] = byte('0' + g.rng.IntN(10))
		}
		return string(b)
	}
	rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b)
}
