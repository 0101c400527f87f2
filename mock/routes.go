package mock

import (
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// handler is a route's body: it writes the answer, or returns GitLab's error.
type handler func(c *gin.Context) *apiError

func run(fn handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			abort(c, err)
		}
	}
}

// router registers GET routes for HEAD too, as Grape does.
type router struct{ g gin.IRoutes }

func (r router) get(path string, fn handler) {
	r.g.GET(path, run(fn))
	r.g.HEAD(path, run(fn))
}
func (r router) post(path string, fn handler)   { r.g.POST(path, run(fn)) }
func (r router) put(path string, fn handler)    { r.g.PUT(path, run(fn)) }
func (r router) delete(path string, fn handler) { r.g.DELETE(path, run(fn)) }
func (r router) patch(path string, fn handler)  { r.g.PATCH(path, run(fn)) }

// routes lists every route the mock serves.
func (s *Server) routes() *gin.Engine {
	e := gin.New()
	// Match on the raw path so %2F stays inside one segment and %2E-escaped
	// usernames (go-gitlab escapes dots) route like plain ones.
	e.UseRawPath = true
	e.UnescapePathValues = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = false // Grape's catch-all answers 404 for unknown verbs
	e.Use(s.recoverPanics, s.logRequests)
	e.Use(s.traffic) // control.go: fault rules, the reset gate, the request journal (not for /-/ paths)
	// auth.go: API use records last_activity_on.
	e.Use(s.recordActivity)
	e.NoRoute(run(func(c *gin.Context) *apiError {
		if !s.opts.CompatV3 && isV3Path(strings.TrimPrefix(c.Request.URL.Path, s.mount)) {
			return errV3Gone // modern GitLab's catch-all for API v3
		}
		return errRouteNotFound
	}))

	// A session's routes live under its mount, /-/sessions/{id} (sessions.go).
	base := e.Group(s.mount)
	root := router{base}
	root.get("/-/health", s.health)
	root.get("/-/readiness", s.readiness)
	root.get("/-/liveness", s.readiness)
	s.controlRoutes(base.Group("/-/mock")) // control.go

	api := router{base.Group("/api/v4")}
	api.get("/version", s.version)
	api.get("/metadata", s.metadata)

	api.get("/users", s.listUsers)
	api.post("/users", s.createUser)
	api.get("/users/:id", s.getUser)
	api.put("/users/:id", s.updateUser)
	api.delete("/users/:id", s.deleteUser)
	api.delete("/users/:id/identities/:provider", s.deleteIdentity)
	api.get("/users/:id/events", s.userEvents) // id or username

	api.get("/users/:id/impersonation_tokens", s.listImpersonationTokens)
	api.post("/users/:id/impersonation_tokens", s.createImpersonationToken)
	api.get("/users/:id/impersonation_tokens/:token_id", s.getImpersonationToken)
	api.delete("/users/:id/impersonation_tokens/:token_id", s.revokeImpersonationToken)

	// Issue 4: SSH keys (keys.go), GPG keys (gpgkeys.go), emails (emails.go).
	api.get("/user/keys", s.listCurrentUserSSHKeys)
	api.post("/user/keys", s.addCurrentUserSSHKey)
	api.get("/user/keys/:key_id", s.getCurrentUserSSHKey)
	api.delete("/user/keys/:key_id", s.deleteCurrentUserSSHKey)
	api.get("/users/:id/keys", s.listUserSSHKeys) // id or username
	api.post("/users/:id/keys", s.addUserSSHKey)
	api.get("/users/:id/keys/:key_id", s.getUserSSHKey)
	api.delete("/users/:id/keys/:key_id", s.deleteUserSSHKey)
	api.get("/keys", s.getKeyByFingerprint)
	api.get("/keys/:id", s.getKeyWithUser)
	api.get("/user/gpg_keys", s.listCurrentUserGPGKeys)
	api.post("/user/gpg_keys", s.addCurrentUserGPGKey)
	api.get("/user/gpg_keys/:key_id", s.getCurrentUserGPGKey)
	api.delete("/user/gpg_keys/:key_id", s.deleteCurrentUserGPGKey)
	api.post("/user/gpg_keys/:key_id/revoke", s.revokeCurrentUserGPGKey)
	api.get("/users/:id/gpg_keys", s.listUserGPGKeys)
	api.post("/users/:id/gpg_keys", s.addUserGPGKey)
	api.get("/users/:id/gpg_keys/:key_id", s.getUserGPGKey)
	api.delete("/users/:id/gpg_keys/:key_id", s.deleteUserGPGKey)
	api.post("/users/:id/gpg_keys/:key_id/revoke", s.revokeUserGPGKey)
	api.get("/user/emails", s.listCurrentUserEmails)
	api.post("/user/emails", s.addCurrentUserEmail)
	api.get("/user/emails/:email_id", s.getCurrentUserEmail)
	api.delete("/user/emails/:email_id", s.deleteCurrentUserEmail)
	api.get("/users/:id/emails", s.listUserEmails)
	api.post("/users/:id/emails", s.addUserEmail)
	api.delete("/users/:id/emails/:email_id", s.deleteUserEmail)

	// Issue 5: personal access tokens, moderation, the rest of the user surface.
	api.post("/users/:id/personal_access_tokens", s.createUserPAT)
	api.post("/user/personal_access_tokens", s.createCurrentUserPAT)
	api.get("/personal_access_tokens", s.listPATs)
	api.get("/personal_access_tokens/self", s.getSelfPAT)
	api.delete("/personal_access_tokens/self", s.revokeSelfPAT)
	api.post("/personal_access_tokens/self/rotate", s.rotateSelfPAT)
	api.get("/personal_access_tokens/self/associations", s.selfPATAssociations)
	api.get("/personal_access_tokens/:id", s.getPAT)
	api.post("/personal_access_tokens/:id/rotate", s.rotatePAT)
	api.delete("/personal_access_tokens/:id", s.revokePAT)
	api.post("/users/:id/block", s.blockUser)
	api.post("/users/:id/unblock", s.unblockUser)
	api.post("/users/:id/activate", s.activateUser)
	api.post("/users/:id/deactivate", s.deactivateUser)
	api.post("/users/:id/ban", s.banUser)
	api.post("/users/:id/unban", s.unbanUser)
	api.post("/users/:id/approve", s.approveUser)
	api.post("/users/:id/reject", s.rejectUser)
	api.patch("/users/:id/disable_two_factor", s.disableTwoFactor)
	api.get("/users/:id/status", s.getUserStatus) // id or username
	api.get("/user/status", s.getCurrentUserStatus)
	api.put("/user/status", s.putUserStatus)
	api.patch("/user/status", s.patchUserStatus)
	api.get("/user/preferences", s.getPreferences)
	api.put("/user/preferences", s.putPreferences)
	api.post("/users/:id/follow", s.followUser)
	api.post("/users/:id/unfollow", s.unfollowUser)
	api.get("/users/:id/followers", s.followers)
	api.get("/users/:id/following", s.following)
	api.get("/users/:id/associations_count", s.associationsCount)
	api.get("/users/:id/memberships", s.userMemberships)
	api.get("/user_counts", s.userCounts)
	api.get("/user/support_pin", s.getSupportPin)
	api.post("/user/support_pin", s.createSupportPin)
	api.get("/users/:id/support_pin", s.getUserSupportPin)
	api.get("/users/:id/custom_attributes", s.listCustomAttributes)
	api.get("/users/:id/custom_attributes/:key", s.getCustomAttribute)
	api.put("/users/:id/custom_attributes/:key", s.setCustomAttribute)
	api.delete("/users/:id/custom_attributes/:key", s.deleteCustomAttribute)
	api.post("/service_accounts", s.createServiceAccount)
	api.get("/service_accounts", s.listServiceAccounts)
	api.post("/user/runners", s.createUserRunner)
	api.put("/user/avatar", s.uploadAvatar)
	api.get("/events", s.currentUserEvents)

	api.get("/user", s.currentUser)
	if s.opts.CompatV3 {
		s.v3Routes(base) // the legacy API of the older docs (v3.go)
	} else {
		router{base.Group(v3Prefix)}.get("/user", s.currentUser) // GitLab keeps it for OAuth
	}
	api.get("/user/activities", s.userActivities)
	return e
}

// recoverPanics answers a panic as GitLab answers an unhandled exception.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			s.mu.Lock()
			s.panics++
			s.mu.Unlock()
			s.logger.Error("panic serving request", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", r)
			if !c.Writer.Written() {
				abort(c, errInternal)
			}
		}
	}()
	c.Next()
}

// Panics returns how many handler panics were recovered.
func (s *Server) Panics() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.panics
}

// logRequests logs one line per request. Only the path is logged: the query
// may carry private_token.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if c.Writer.Status() >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	if !s.logger.Enabled(c.Request.Context(), level) {
		return
	}
	s.logger.LogAttrs(c.Request.Context(), level, "request",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", c.Writer.Status()),
		slog.String("user", callerName(c)),
		slog.Duration("duration", time.Since(start)),
	)
}

func callerName(c *gin.Context) string {
	if v, ok := c.Get(callerKey); ok {
		if w := v.(*caller); w.user != nil {
			return w.user.Username
		}
	}
	return ""
}

// Gin's debug mode prints every route of every server to stdout; the mock
// runs in release mode unless GIN_MODE asks otherwise. This runs once, at
// package initialisation, before any server exists.
func init() {
	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode)
	}
}
