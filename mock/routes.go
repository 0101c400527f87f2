package mock

import (
	"log/slog"
	"net/http"
	"os"
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
	e.NoRoute(run(func(*gin.Context) *apiError { return errRouteNotFound }))

	root := router{e}
	root.get("/-/health", s.health)
	root.get("/-/readiness", s.readiness)
	root.get("/-/liveness", s.readiness)

	api := router{e.Group("/api/v4")}
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

	api.get("/user", s.currentUser)
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
