package mock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/fixture"
	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// Defaults for sessions (Options.SessionTTL, Options.MaxSessions).
const (
	DefaultSessionTTL  = 30 * time.Minute
	DefaultMaxSessions = 256
	sessionPrefix      = "/-/sessions/"
)

// Errors of the session Go API.
var (
	ErrTooManySessions = errors.New("too many live sessions")
	ErrUnknownSession  = errors.New("no such session")
)

// SessionOptions configure a new session. Both empty: a copy of the
// baseline fixtures.
type SessionOptions struct {
	// Fixtures is a fixture document (YAML or JSON) for this session only.
	Fixtures []byte
	// Scenario is applied at start and on every reset of the session.
	Scenario string
}

// SessionInfo describes a live session.
type SessionInfo struct {
	ID         string    `json:"id"`
	URL        string    `json:"url"` // the session's base URL (a client's base URL); relative if unknown
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// session is one private mock served under /-/sessions/{id}: a whole
// Server (its own store, clock, faults, journal and control API) whose
// store forks a baseline copy-on-write, so creating one is O(1).
type session struct {
	srv     *Server
	created time.Time
	// lastUsed is the wall time of the last request (unix nanoseconds),
	// updated on every request without a lock.
	lastUsed atomic.Int64
}

func startSession(srv *Server, now time.Time) *session {
	ss := &session{srv: srv, created: now}
	ss.touch(now)
	return ss
}

func (ss *session) touch(now time.Time) { ss.lastUsed.Store(now.UnixNano()) }

func (ss *session) idleSince() time.Time { return time.Unix(0, ss.lastUsed.Load()) }

// idle reports whether the session has been idle for longer than ttl at now.
func (ss *session) idle(now time.Time, ttl time.Duration) bool {
	return now.UnixNano()-ss.lastUsed.Load() > int64(ttl)
}

// sessions is the root server's registry. Idle sessions expire lazily (on
// the next registry access), so no goroutine outlives the server.
type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	ttl  time.Duration
	max  int
}

func newSessions(opts Options) *sessions {
	ss := &sessions{byID: map[string]*session{}, ttl: opts.SessionTTL, max: opts.MaxSessions}
	if ss.ttl <= 0 {
		ss.ttl = DefaultSessionTTL
	}
	if ss.max <= 0 {
		ss.max = DefaultMaxSessions
	}
	return ss
}

// expireLocked ends every session idle for longer than the TTL (wall time:
// the mock clocks are the sessions' own business). Creating and listing
// sessions sweep; a request checks only its own session (get).
func (r *sessions) expireLocked(now time.Time) {
	for id, ss := range r.byID {
		if ss.idle(now, r.ttl) {
			delete(r.byID, id)
		}
	}
}

// get returns the live session id and marks it used; nil if there is none
// or it has been idle for too long (it ends then).
func (r *sessions) get(id string) *session {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	ss := r.byID[id]
	if ss == nil {
		return nil
	}
	if ss.idle(now, r.ttl) {
		delete(r.byID, id)
		return nil
	}
	ss.touch(now)
	return ss
}

func (r *sessions) info(id string, ss *session, base string) SessionInfo {
	last := ss.idleSince()
	return SessionInfo{ID: id, URL: base + sessionPrefix + id, CreatedAt: ss.created, LastUsedAt: last, ExpiresAt: last.Add(r.ttl)}
}

func newSessionID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateSession starts an isolated session on the baseline fixtures (or on
// opts.Fixtures) and returns it; serve it at Info().URL relative to the
// server's URL. It fails with ErrTooManySessions at the cap, or when the
// fixtures or scenario are invalid.
func (s *Server) CreateSession(opts SessionOptions) (SessionInfo, error) {
	id, ss, err := s.createSession(opts)
	if err != nil {
		return SessionInfo{}, err
	}
	return s.sessions.info(id, ss, ""), nil
}

func (s *Server) createSession(opts SessionOptions) (string, *session, error) {
	if s.sessions == nil {
		return "", nil, errors.New("sessions are served by the root server only")
	}
	b := s.instance.baselineNow()
	if opts.Fixtures != nil {
		data, err := fixture.Parse("fixtures", opts.Fixtures)
		if err != nil {
			return "", nil, err
		}
		if b, err = store.NewBaseline(data); err != nil {
			return "", nil, fmt.Errorf("fixtures: %w", err)
		}
	}
	var start *scenario
	if opts.Scenario != "" {
		scs, err := s.scenarioSet()
		if err != nil {
			return "", nil, err
		}
		if start = scs[opts.Scenario]; start == nil {
			return "", nil, fmt.Errorf("scenario %q: %w", opts.Scenario, ErrUnknownScenario)
		}
	}
	r := s.sessions
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	r.expireLocked(now)
	if len(r.byID) >= r.max {
		return "", nil, ErrTooManySessions
	}
	id := newSessionID()
	ss := startSession(s.newSessionServer(id, b, start), now)
	r.byID[id] = ss
	return id, ss, nil
}

// newSessionServer builds the Server of session id: the root's options,
// its own instance mounted at /-/sessions/{id}, and no sessions of its own.
func (s *Server) newSessionServer(id string, b *store.Baseline, start *scenario) *Server {
	sess := &Server{
		opts:          s.opts,
		external:      s.external,
		logger:        s.logger.With("session", id),
		controlToken:  s.controlToken,
		gitlabVersion: s.gitlabVersion,
		maxBody:       s.maxBody,
		tokenGen:      newTokenGen(s.opts.TokenSeed),
	}
	sess.opts.Scenario = "" // the session's start scenario is start
	sess.scenarios, sess.scenariosErr = s.scenarioSet()
	sess.scenariosOnce.Do(func() {})
	sess.instance = sess.newInstance(sessionPrefix+id, b, start)
	sess.engine = sess.routes()
	return sess
}

// Sessions lists the live sessions, oldest first.
func (s *Server) Sessions() []SessionInfo {
	if s.sessions == nil {
		return []SessionInfo{}
	}
	r := s.sessions
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expireLocked(time.Now())
	out := make([]SessionInfo, 0, len(r.byID))
	for id, ss := range r.byID {
		out = append(out, r.info(id, ss, ""))
	}
	slices.SortFunc(out, func(a, b SessionInfo) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// Session returns the Server of a live session, whose Go control API
// (Reset, AddFault, Requests, Clock...) acts on that session only.
func (s *Server) Session(id string) (*Server, bool) {
	if s.sessions == nil {
		return nil, false
	}
	ss := s.sessions.get(id)
	if ss == nil {
		return nil, false
	}
	return ss.srv, true
}

// EndSession ends a session; false if there is none.
func (s *Server) EndSession(id string) bool {
	if s.sessions == nil {
		return false
	}
	r := s.sessions
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.byID[id]
	delete(r.byID, id)
	return ok
}

// serveSession hands a /-/sessions/{id}/... request to the session's
// Server; false if the path is not a session's.
func (s *Server) serveSession(w http.ResponseWriter, r *http.Request) bool {
	if s.sessions == nil || !strings.HasPrefix(r.URL.Path, sessionPrefix) {
		return false
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, sessionPrefix), "/")
	ss := s.sessions.get(id)
	if ss == nil {
		e := errSessionNotFound
		b, _ := encodeJSON(e.body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.status)
		w.Write(b)
		return true
	}
	ss.srv.ServeHTTP(w, r)
	return true
}

// errSessionNotFound answers for a session that does not exist (any more).
var errSessionNotFound = notFound("Session")

// sessionRequest is the body of POST /-/mock/sessions.
type sessionRequest struct {
	Fixtures any    `json:"fixtures" yaml:"fixtures"` // a fixture document: inline, or as YAML/JSON text
	Scenario string `json:"scenario" yaml:"scenario"`
}

// POST /-/mock/sessions
func (s *Server) postSession(c *gin.Context) *apiError {
	var body sessionRequest
	if err := decodeControlBody(c, &body); err != nil {
		return err
	}
	opts := SessionOptions{Scenario: body.Scenario}
	switch doc := body.Fixtures.(type) {
	case nil:
	case string:
		opts.Fixtures = []byte(doc)
	default:
		b, err := json.Marshal(jsonable(doc))
		if err != nil {
			return msgError(http.StatusBadRequest, "fixtures: "+err.Error())
		}
		opts.Fixtures = b
	}
	id, ss, err := s.createSession(opts)
	switch {
	case errors.Is(err, ErrTooManySessions):
		return msgError(http.StatusTooManyRequests, fmt.Sprintf("429 Too Many Requests - the mock serves at most %d live sessions; end one with DELETE /-/mock/sessions/{id}", s.sessions.max))
	case errors.Is(err, ErrUnknownScenario):
		return s.scenarioNotFound(body.Scenario)
	case err != nil:
		return msgError(http.StatusBadRequest, err.Error())
	}
	writeJSON(c, http.StatusCreated, s.sessions.info(id, ss, s.hostURL(c)))
	return nil
}

// GET /-/mock/sessions
func (s *Server) getSessions(c *gin.Context) *apiError {
	list := s.Sessions()
	base := s.hostURL(c)
	for i := range list {
		list[i].URL = base + list[i].URL
	}
	writeJSON(c, http.StatusOK, list)
	return nil
}

// DELETE /-/mock/sessions/:id
func (s *Server) deleteSession(c *gin.Context) *apiError {
	if !s.EndSession(c.Param("id")) {
		return errSessionNotFound
	}
	c.Status(http.StatusNoContent)
	return nil
}

// jsonable returns a deep copy of v, a JSON-like value decoded from YAML or
// JSON or built in Go, with yaml.v3's map[any]any (nested maps with
// non-string keys) turned into map[string]any, which encoding/json can
// write. Values of other types are returned as they are.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			return t
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = jsonable(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = jsonable(x)
		}
		return out
	case []any:
		if t == nil {
			return t
		}
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = jsonable(x)
		}
		return out
	case map[string]string:
		return cloneMap(t)
	case []string:
		return slices.Clone(t)
	}
	return v
}

// baselineNow is the baseline the instance resets to (PUT /-/mock/fixtures
// replaces it under the gate).
func (inst *instance) baselineNow() *store.Baseline {
	inst.gate.RLock()
	defer inst.gate.RUnlock()
	return inst.baseline
}
