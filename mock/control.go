package mock

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/fixture"
	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// ControlTokenHeader carries the control token (Options.ControlToken).
const ControlTokenHeader = "X-Gitlab-Mock-Token"

// instance is everything one mock GitLab keeps: its state, clock, fault
// rules and journal, and what Reset returns to. The Server embeds its root
// instance (so handlers use s.store and s.clock).
//
// For sessions: a session is another instance on the same baseline,
// s.newInstance("/-/sessions/"+id, s.baseline, start) (O(1): the store is
// copy-on-write over the shared baseline), served by a Server value whose
// embedded instance is the session's, so every handler, the control routes
// (controlRoutes) and the traffic middleware work on it unchanged. traffic
// and the journal see paths relative to mount, and skip the instance's own
// /-/ paths, so a session's control calls are never journaled or faulted.
type instance struct {
	// mount is the path prefix the instance is served under ("" for the
	// root); fault rules and the journal see paths relative to it.
	mount string

	// gate makes resets and fixture swaps atomic: API requests hold it for
	// reading while they run, Reset, LoadFixtures and ApplyScenario for
	// writing, so a request sees the old state or the new, never a mix.
	gate sync.RWMutex

	store   *store.Store
	clock   *Clock
	faults  *faultSet
	journal *journal

	baseline *store.Baseline // the fixtures Reset returns to (PUT /-/mock/fixtures replaces it)
	start    *scenario       // applied on every reset (Options.Scenario); nil: none
}

// newInstance returns an instance on baseline b at its start configuration.
func (s *Server) newInstance(mount string, b *store.Baseline, start *scenario) *instance {
	state, now := startingPoint(b, start)
	inst := &instance{
		mount:    mount,
		store:    store.NewFrom(state),
		clock:    newClock(s.opts.Now, now),
		faults:   newFaultSet(),
		journal:  newJournal(s.opts.JournalSize),
		baseline: b,
		start:    start,
	}
	inst.addFaults(start)
	return inst
}

// startingPoint is the state and clock start of baseline b with scenario sc
// applied (nil: none): the scenario's own fixtures and now, if it has them.
func startingPoint(b *store.Baseline, sc *scenario) (*store.Baseline, *time.Time) {
	if sc != nil && sc.baseline != nil {
		b = sc.baseline
	}
	now := b.Now()
	if sc != nil && sc.now != nil {
		now = sc.now
	}
	return b, now
}

// addFaults adds the fault rules of sc (nil: none).
func (inst *instance) addFaults(sc *scenario) {
	if sc == nil {
		return
	}
	for _, f := range sc.faults {
		inst.faults.add(f) // validated when the scenario was parsed
	}
}

// initControl sets up the root instance on the fixtures baseline b, the
// scenarios and the control token.
func (s *Server) initControl(b *store.Baseline) error {
	s.controlToken = s.opts.ControlToken
	var start *scenario
	// The embedded scenarios are parsed on first use (keeping New fast);
	// a scenario directory is checked at once, so a bad file stops the start.
	if s.opts.ScenariosDir != "" || s.opts.ScenariosFS != nil || s.opts.Scenario != "" {
		if _, err := s.scenarioSet(); err != nil {
			return err
		}
	}
	if name := s.opts.Scenario; name != "" {
		scs, _ := s.scenarioSet()
		if start = scs[name]; start == nil {
			return fmt.Errorf("scenario %q: %w (have: %s)", name, ErrUnknownScenario, strings.Join(s.scenarioNames(), ", "))
		}
	}
	s.instance = s.newInstance("", b, start)
	return nil
}

// scenarioNotFound answers for an unknown scenario: notFound's message plus
// the names of the scenarios there are.
func (s *Server) scenarioNotFound(name string) *apiError {
	return msgError(http.StatusNotFound, "404 Scenario "+name+" Not Found (have: "+strings.Join(s.scenarioNames(), ", ")+")")
}

func (s *Server) scenarioNames() []string {
	var names []string
	for _, sc := range s.Scenarios() {
		names = append(names, sc.Name)
	}
	return names
}

// resetLocked returns inst to its baseline with sc applied (nil: none):
// state and ids, clock, fault rules and journal. The caller holds inst.gate
// for writing (or owns inst exclusively). O(1) in the size of the state.
func (s *Server) resetLocked(inst *instance, sc *scenario) {
	state, now := startingPoint(inst.baseline, sc)
	inst.store.ResetTo(state)
	inst.clock.reset(s.opts.Now, now)
	inst.faults.clear()
	inst.addFaults(sc)
	inst.journal.clear()
	if s.tokenGen != nil {
		s.tokenGen.reseed() // the same token values after every reset
	}
}

// Reset returns the server to its start configuration: the baseline
// fixtures plus Options.Scenario, with the clock, ids, fault rules and
// journal as they were at start. O(1) whatever the number of users.
func (s *Server) Reset() {
	inst := s.instance
	inst.gate.Lock()
	defer inst.gate.Unlock()
	s.resetLocked(inst, inst.start)
}

// State returns the current state as a fixture document (YAML) that loads
// back to the same state.
func (s *Server) State() ([]byte, error) { return s.instance.export(fixture.Export) }

// StateJSON is State as JSON.
func (s *Server) StateJSON() ([]byte, error) { return s.instance.export(fixture.ExportJSON) }

func (inst *instance) export(enc func(*store.Data) ([]byte, error)) ([]byte, error) {
	inst.gate.RLock()
	d := inst.store.Export()
	if inst.clock.Frozen() {
		now := inst.clock.Now()
		d.Now = &now
	}
	inst.gate.RUnlock()
	return enc(d)
}

// LoadFixtures makes doc (a fixture document, YAML or JSON) the new
// baseline and resets to it. On error (naming line and field) nothing
// changes.
func (s *Server) LoadFixtures(doc []byte) error {
	d, err := fixture.Parse("fixtures", doc)
	if err != nil {
		return err
	}
	b, err := store.NewBaseline(d)
	if err != nil {
		return fmt.Errorf("fixtures: %w", err)
	}
	inst := s.instance
	inst.gate.Lock()
	defer inst.gate.Unlock()
	inst.baseline = b
	s.resetLocked(inst, inst.start)
	return nil
}

// AddFault adds a fault rule and returns its id. A bad rule is an error
// saying why.
func (s *Server) AddFault(f Fault) (int, error) { return s.faults.add(f) }

// Faults lists the fault rules with their counters, in the order added.
func (s *Server) Faults() []FaultStatus { return s.faults.list() }

// RemoveFault removes the rule with id; false if there is none.
func (s *Server) RemoveFault(id int) bool { return s.faults.remove(id) }

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { s.faults.clear() }

// controlRoutes registers the control API of the root instance on g
// (/-/mock).
func (s *Server) controlRoutes(g *gin.RouterGroup) {
	g.Use(s.requireControlToken)
	r := router{g}
	r.post("/reset", s.postReset)
	r.get("/state", s.getState)
	r.put("/fixtures", s.putFixtures)
	r.post("/faults", s.postFault)
	r.get("/faults", s.getFaults)
	r.delete("/faults", s.deleteFaults)
	r.delete("/faults/:id", s.deleteFault)
	r.get("/requests", s.getRequests)
	r.delete("/requests", s.deleteRequests)
	r.get("/requests/wait", s.waitRequests)
	r.get("/scenarios", s.getScenarios)
	r.post("/scenarios/:name", s.postScenario)
	r.get("/clock", s.getClock)
	r.put("/clock", s.putClock)
	r.post("/clock/advance", s.advanceClock)
	if s.sessions != nil { // the root server only (sessions.go)
		r.post("/sessions", s.postSession)
		r.get("/sessions", s.getSessions)
		r.delete("/sessions/:id", s.deleteSession)
	}
}

// requireControlToken guards the control API when a control token is set.
func (s *Server) requireControlToken(c *gin.Context) {
	if s.controlToken == "" {
		return
	}
	got := c.GetHeader(ControlTokenHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.controlToken)) != 1 {
		msg := "401 Unauthorized - the control API needs the " + ControlTokenHeader + " header with the mock's control token"
		if got != "" {
			msg = "401 Unauthorized - wrong " + ControlTokenHeader + " (the mock's control token)"
		}
		abort(c, msgError(http.StatusUnauthorized, msg))
	}
}

// decodeControlBody reads a JSON or YAML body into v; an empty body leaves
// v as it is.
func decodeControlBody(c *gin.Context, v any) *apiError {
	b, aerr := readControlBody(c)
	if aerr != nil || len(bytes.TrimSpace(b)) == 0 {
		return aerr
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return msgError(http.StatusBadRequest, "body: "+strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return nil
}

// maxControlBody caps control request bodies (fixture documents can be big).
const maxControlBody = 256 << 20

func readControlBody(c *gin.Context) ([]byte, *apiError) {
	if c.Request.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxControlBody))
	if err != nil {
		if aerr := bodyError(err); aerr == errBodyTooLarge {
			return nil, aerr
		}
		return nil, msgError(http.StatusBadRequest, "body: "+err.Error())
	}
	return b, nil
}

// POST /-/mock/reset
func (s *Server) postReset(c *gin.Context) *apiError {
	s.Reset()
	c.Status(http.StatusNoContent)
	return nil
}

// GET /-/mock/state[?format=json]
func (s *Server) getState(c *gin.Context) *apiError {
	format := c.Query("format")
	var (
		b     []byte
		err   error
		ctype string
	)
	switch format {
	case "", "yaml":
		b, err = s.State()
		ctype = "application/yaml"
	case "json":
		b, err = s.StateJSON()
		ctype = "application/json"
	default:
		return msgError(http.StatusBadRequest, fmt.Sprintf("format: %q is not yaml or json", format))
	}
	if err != nil {
		return msgError(http.StatusInternalServerError, "export: "+err.Error())
	}
	c.Data(http.StatusOK, ctype, b)
	return nil
}

// PUT /-/mock/fixtures
func (s *Server) putFixtures(c *gin.Context) *apiError {
	b, aerr := readControlBody(c)
	if aerr != nil {
		return aerr
	}
	if err := s.LoadFixtures(b); err != nil {
		return msgError(http.StatusBadRequest, err.Error())
	}
	c.Status(http.StatusNoContent)
	return nil
}

// POST /-/mock/faults
func (s *Server) postFault(c *gin.Context) *apiError {
	b, aerr := readControlBody(c)
	if aerr != nil {
		return aerr
	}
	f, err := parseFault(b)
	if err != nil {
		return msgError(http.StatusBadRequest, err.Error())
	}
	id, err := s.AddFault(f)
	if err != nil {
		return msgError(http.StatusBadRequest, err.Error())
	}
	for _, st := range s.Faults() {
		if st.ID == id {
			writeJSON(c, http.StatusCreated, st)
			return nil
		}
	}
	writeJSON(c, http.StatusCreated, map[string]int{"id": id}) // removed meanwhile
	return nil
}

// GET /-/mock/faults
func (s *Server) getFaults(c *gin.Context) *apiError {
	writeJSON(c, http.StatusOK, s.Faults())
	return nil
}

// DELETE /-/mock/faults
func (s *Server) deleteFaults(c *gin.Context) *apiError {
	s.ClearFaults()
	c.Status(http.StatusNoContent)
	return nil
}

// DELETE /-/mock/faults/:id
func (s *Server) deleteFault(c *gin.Context) *apiError {
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil || !s.RemoveFault(id) {
		return notFound("Fault " + c.Param("id"))
	}
	c.Status(http.StatusNoContent)
	return nil
}

// GET /-/mock/requests
func (s *Server) getRequests(c *gin.Context) *apiError {
	f, bad := parseRequestFilter(c.Request.URL.Query())
	if bad != "" {
		return msgError(http.StatusBadRequest, bad)
	}
	writeJSON(c, http.StatusOK, s.Requests(f))
	return nil
}

// DELETE /-/mock/requests
func (s *Server) deleteRequests(c *gin.Context) *apiError {
	s.ClearRequests()
	c.Status(http.StatusNoContent)
	return nil
}

// defaultWaitTimeout and maxWaitTimeout bound GET /-/mock/requests/wait.
const (
	defaultWaitTimeout = 5 * time.Second
	maxWaitTimeout     = 5 * time.Minute
)

// waitTimeout is the answer of a wait that timed out.
type waitTimeout struct {
	Message  string    `json:"message"`
	Requests []Request `json:"requests"`
}

// GET /-/mock/requests/wait?method=&path=&count=N&timeout=5s
func (s *Server) waitRequests(c *gin.Context) *apiError {
	q := c.Request.URL.Query()
	f, bad := parseRequestFilter(q)
	if bad != "" {
		return msgError(http.StatusBadRequest, bad)
	}
	n := 1
	if v := q.Get("count"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			return msgError(http.StatusBadRequest, fmt.Sprintf("count: %q is not a positive number", v))
		}
	}
	timeout := defaultWaitTimeout
	if v := q.Get("timeout"); v != "" {
		d, err := parseDuration(v)
		if err != nil || d <= 0 {
			return msgError(http.StatusBadRequest, fmt.Sprintf("timeout: %q is not a positive duration (like 5s)", v))
		}
		timeout = min(d, maxWaitTimeout)
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
	defer cancel()
	got, err := s.WaitFor(ctx, f, n)
	if err != nil {
		if got == nil {
			got = []Request{}
		}
		writeJSON(c, http.StatusRequestTimeout, waitTimeout{
			Message:  fmt.Sprintf("408 Request Timeout - saw %d of %d matching requests in %s", len(got), n, timeout),
			Requests: got,
		})
		return nil
	}
	writeJSON(c, http.StatusOK, got)
	return nil
}

// GET /-/mock/scenarios
func (s *Server) getScenarios(c *gin.Context) *apiError {
	writeJSON(c, http.StatusOK, s.Scenarios())
	return nil
}

// POST /-/mock/scenarios/:name
func (s *Server) postScenario(c *gin.Context) *apiError {
	if err := s.ApplyScenario(c.Param("name")); err != nil {
		return s.scenarioNotFound(c.Param("name"))
	}
	c.Status(http.StatusNoContent)
	return nil
}

// traffic runs every request outside the reserved /-/ paths: it fires
// fault rules (a faulted request never reaches the handler), holds the
// reset gate while the handler runs, and journals the request.
func (s *Server) traffic(c *gin.Context) {
	inst := s.instance
	r := c.Request
	p := strings.TrimPrefix(r.URL.Path, inst.mount)
	if strings.HasPrefix(p, "/-/") {
		c.Next()
		return
	}
	start := time.Now()
	entry := Request{Time: start.UTC(), Method: r.Method, Path: p, Query: redactQuery(r.URL.RawQuery)}
	entry.Body, entry.BodyTruncated = s.journalBody(r)

	fr := faultRequest{inst: inst, r: r, method: r.Method, path: p}
	var fired *rule
	inst.gate.RLock()
	if inst.faults.active() { // no rules: no lock, no matching
		if fired = inst.faults.fire(&fr); fired != nil {
			fr.username() // for the journal, while the gate is held
		}
	}
	inst.gate.RUnlock()

	record := func(status int) {
		entry.Status = status
		entry.DurationMS = float64(time.Since(start).Microseconds()) / 1000
		inst.journal.add(entry)
	}
	if fired != nil {
		entry.FaultID, entry.User = &fired.id, fr.user // fired is this request's own copy
		if fired.Delay > 0 {
			t := time.NewTimer(fired.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				record(0)
				c.Abort()
				return
			}
		}
		if fired.Drop {
			record(0)
			c.Abort()
			dropConnection(c)
			return
		}
		if a, ok := fired.answer(p, time.Now()); ok {
			// Journaled before the answer leaves, so a client that got it
			// always finds it in the journal.
			record(a.status)
			for k, v := range a.headers {
				c.Writer.Header()[k] = v
			}
			if a.body == nil {
				c.Status(a.status)
			} else {
				c.Data(a.status, a.ctype, a.body)
			}
			c.Abort()
			return
		}
		// delay only: on to the handler
	}

	inst.gate.RLock()
	defer func() {
		inst.gate.RUnlock()
		if entry.User == "" {
			entry.User = callerName(c)
		}
		if rec := recover(); rec != nil {
			record(http.StatusInternalServerError)
			panic(rec)
		}
		record(c.Writer.Status())
	}()
	c.Next()
}

// callerUsername resolves the caller from the request's token as
// authentication does, without its side effects (no last_used_at): the
// owner of a valid token, or "".
func (inst *instance) callerUsername(r *http.Request) string {
	value := strings.TrimSpace(r.Header.Get("Private-Token"))
	q := r.URL.Query()
	if value == "" {
		value = q.Get("private_token")
	}
	if auth := r.Header.Get("Authorization"); value == "" && len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		value = strings.TrimSpace(auth[7:])
	}
	if value == "" {
		value = q.Get("access_token")
	}
	if value == "" {
		return ""
	}
	tok := inst.store.TokenByValue(value)
	if tok == nil || tok.Revoked || tok.Expired(inst.clock.Now()) {
		return ""
	}
	if u := inst.store.User(tok.UserID); u != nil {
		return u.Username
	}
	return ""
}

// journalBody reads the request body for the journal (up to the body limit,
// redacted and capped) and puts it back for the handler.
func (s *Server) journalBody(r *http.Request) (string, bool) {
	if r.Body == nil || r.Body == http.NoBody {
		return "", false
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
	rest := r.Body
	r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), errReader{err}, rest), rest}
	return redactBody(r.Header.Get("Content-Type"), buf)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// errReader replays a read error after the buffered part.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}

// dropConnection closes the client's connection without an answer.
func dropConnection(c *gin.Context) {
	if conn := hijack(c.Writer); conn != nil {
		conn.Close()
		return
	}
	// Not hijackable (HTTP/2, a recorder): net/http aborts the response.
	panic(http.ErrAbortHandler)
}

func hijack(w http.ResponseWriter) (conn net.Conn) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return nil
	}
	defer func() {
		if recover() != nil { // gin's writer panics if the underlying one cannot
			conn = nil
		}
	}()
	conn, _, err := hj.Hijack()
	if err != nil {
		return nil
	}
	return conn
}

// AdminToken returns the value of a token an administrator can use for
// everything (active, unexpired, scope api; with sudo if there is one), or
// "" if the state has none. For the default fixtures it is root's
// 9koXpg98eAheJpvBs5tK.
func (s *Server) AdminToken() string {
	inst := s.instance
	inst.gate.RLock()
	defer inst.gate.RUnlock()
	now := inst.clock.Now()
	best, bestSudo := "", false
	for _, u := range inst.store.Users() {
		if !u.Admin || u.State != store.StateActive {
			continue
		}
		for _, t := range inst.store.TokensOf(u.ID) {
			if t.Revoked || t.Expired(now) || t.Token == "" || !slices.Contains(t.Scopes, "api") {
				continue
			}
			sudo := slices.Contains(t.Scopes, "sudo")
			if best == "" || (sudo && !bestSudo) {
				best, bestSudo = t.Token, sudo
			}
		}
		if bestSudo {
			break
		}
	}
	return best
}
