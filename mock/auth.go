package mock

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// caller is who a request acts as, resolved once per request.
type caller struct {
	user  *store.User  // the user the request runs as (the sudo target under sudo); nil: anonymous
	token *store.Token // the token that authenticated the request
	sudo  bool
}

func (w *caller) anonymous() bool { return w.user == nil }

// admin: GitLab's can_admin_all_resources? with admin mode off.
func (w *caller) admin() bool { return w.user != nil && w.user.Admin }

func (w *caller) is(u *store.User) bool { return w.user != nil && u != nil && w.user.ID == u.ID }

// scopes an endpoint group accepts, as GitLab's allow_access_with_scope
// registers them (endpoint's own first, then API::API's).
type scopeGroup int

const (
	// scopesAPI: API::API only (api; read_api for reads).
	scopesAPI scopeGroup = iota
	// scopesUsers: API::Users and API::Events add read_user for reads.
	scopesUsers
	// scopesAny: every available scope (personal_access_tokens/self).
	scopesAny
	// scopesSelfRotate: api and self_rotate (personal_access_tokens/self/rotate).
	scopesSelfRotate
)

// The scope lists allowed answers with; never modified.
var (
	scopesForSelfRotate = []string{"api", "self_rotate"}
	scopesForWrites     = []string{"api"}
	scopesForUserReads  = []string{"read_user", "api", "read_api"}
	scopesForAPIReads   = []string{"api", "read_api"}
)

func (g scopeGroup) allowed(method string) []string {
	read := method == http.MethodGet || method == http.MethodHead
	switch {
	case g == scopesAny:
		return availableScopes
	case g == scopesSelfRotate:
		return scopesForSelfRotate
	case !read:
		return scopesForWrites
	case g == scopesUsers:
		return scopesForUserReads
	default:
		return scopesForAPIReads
	}
}

const callerKey = "gitlab-mock.caller"

// tokenFromRequest finds the access token where GitLab looks: the
// PRIVATE-TOKEN header, the private_token param, Authorization: Bearer and
// the access_token param. Empty values count as absent (go-gitlab's
// NewClient("") sends an empty PRIVATE-TOKEN header).
func tokenFromRequest(c *gin.Context, p *params) string {
	if t := strings.TrimSpace(c.GetHeader("Private-Token")); t != "" {
		return t
	}
	if t := p.raw("private_token"); t != "" {
		return t
	}
	if auth := c.GetHeader("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		return strings.TrimSpace(auth[7:])
	}
	if t := p.raw("access_token"); t != "" {
		return t
	}
	return ""
}

// authenticate resolves the caller as GitLab's current_user does: token,
// validity (expired before revoked), scope, the account's right to use the
// API, then sudo. Anonymous callers are allowed here; endpoints decide.
func (s *Server) authenticate(c *gin.Context, group scopeGroup) (*caller, *apiError) {
	if v, ok := c.Get(callerKey); ok {
		return v.(*caller), nil
	}
	p, perr := s.readParams(c)
	if perr != nil {
		return nil, perr
	}
	w := &caller{}
	sudoID := strings.TrimSpace(c.GetHeader("Sudo"))
	if v := strings.TrimSpace(p.raw("sudo")); v != "" {
		sudoID = v
	}
	value := tokenFromRequest(c, p)
	if value == "" {
		if sudoID != "" {
			return nil, errUnauthorized
		}
		c.Set(callerKey, w)
		return w, nil
	}
	tok := s.store.TokenByValue(value)
	if tok == nil {
		return nil, errUnauthorized
	}
	now := s.clock.Now()
	switch {
	case tok.Expired(now):
		return nil, errTokenExpired
	case tok.Revoked:
		return nil, errTokenRevoked
	}
	owner := s.store.User(tok.UserID)
	if owner == nil {
		return nil, errUnauthorized
	}
	// Under sudo GitLab skips the endpoint's scope check.
	if sudoID == "" {
		allowed := group.allowed(c.Request.Method)
		if !slices.ContainsFunc(tok.Scopes, func(sc string) bool { return slices.Contains(allowed, sc) }) {
			return nil, errInsufficientScope(allowed...)
		}
	}
	if denied := s.accessDenied(c, owner); denied != nil {
		return nil, denied
	}
	s.store.TouchToken(tok.ID, now)
	w.user, w.token = owner, tok
	if sudoID != "" {
		target, err := s.sudo(owner, tok, sudoID)
		if err != nil {
			return nil, err
		}
		w.user, w.sudo = target, true
	}
	c.Set(callerKey, w)
	return w, nil
}

// accessDenied is GitLab's UserAccessDeniedReason for API use.
func (s *Server) accessDenied(c *gin.Context, u *store.User) *apiError {
	switch {
	case u.Internal:
		return errInternalUserAccess
	case u.State == store.StateBlockedPendingApproval:
		return errPendingApprovalAccess
	case u.State == store.StateDeactivated:
		return errDeactivatedAccess(s.baseURL(c))
	case u.State == store.StateBlocked, u.State == store.StateLDAPBlocked, u.State == store.StateBanned:
		return errBlockedAccess
	}
	return nil
}

// sudo applies GitLab's sudo! rules for an authenticated owner.
func (s *Server) sudo(owner *store.User, tok *store.Token, id string) (*store.User, *apiError) {
	if !owner.Admin {
		return nil, errMustBeAdminSudo
	}
	if !slices.Contains(tok.Scopes, "sudo") {
		return nil, errInsufficientScope("sudo")
	}
	target := s.userByIDOrUsername(id)
	if target == nil {
		return nil, errSudoTargetNotFound(id)
	}
	return target, nil
}

// userByIDOrUsername is UserFinder#find_by_id_or_username: numeric strings
// are ids, anything else a case-insensitive username.
func (s *Server) userByIDOrUsername(id string) *store.User {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return s.store.User(n)
	}
	return s.store.UserByUsername(id)
}

// requireLogin is authenticate! for routes that need a user.
func (s *Server) requireLogin(c *gin.Context, group scopeGroup) (*caller, *apiError) {
	w, err := s.authenticate(c, group)
	if err != nil {
		return nil, err
	}
	if w.anonymous() {
		return nil, errUnauthorized
	}
	return w, nil
}

// recordActivity is GitLab's API `after` hook (Users::ActivityService): a
// request that succeeded with a token records the acting user's
// last_activity_on, by the mock clock, at most once per day. Like the hook it
// runs after the answer is rendered, so that answer still shows the old date.
func (s *Server) recordActivity(c *gin.Context) {
	c.Next()
	if c.Writer.Status() >= http.StatusBadRequest {
		return
	}
	v, ok := c.Get(callerKey)
	if !ok {
		return
	}
	if w := v.(*caller); w.user != nil && w.token != nil {
		s.store.TouchActivity(w.user.ID, s.clock.Now())
	}
}

// usersResourceLogin is the /users resource's before hook,
// authenticate_non_get!: writes need a login before their parameters are
// validated; reads check the login in the endpoint body (requireAdmin),
// after validation, so an anonymous read with bad parameters gets the 400.
func (s *Server) usersResourceLogin(c *gin.Context) (*caller, *apiError) {
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		return s.authenticate(c, scopesUsers)
	}
	return s.requireLogin(c, scopesUsers)
}

// requireAdmin is authenticated_as_admin!: 401 without a login, 403 for
// anyone but an admin.
func requireAdmin(w *caller) *apiError {
	switch {
	case w.anonymous():
		return errUnauthorized
	case !w.admin():
		return errForbidden
	}
	return nil
}
