package mock

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gopkg.in/yaml.v3"
)

// Fault is a fault-injection rule (design.md, "Fault rules"): requests that
// match it get a scripted answer instead of reaching the handler, so a
// faulted request never changes state. A rule with only Delay lets the
// request through after the delay.
type Fault struct {
	// Name is an optional label.
	Name  string     `json:"name,omitempty" yaml:"name,omitempty"`
	Match FaultMatch `json:"match" yaml:"match"`
	// Respond is a scripted answer; Error names a preset answering as GitLab
	// does (see FaultPresets). At most one of them; Respond.Headers may be
	// given with Error to add or override headers.
	Respond *FaultResponse `json:"respond,omitempty" yaml:"respond,omitempty"`
	Error   string         `json:"error,omitempty" yaml:"error,omitempty"`
	// Delay is latency before the answer (or before the real handler).
	Delay time.Duration `json:"-" yaml:"-"`
	// Drop closes the connection without a response.
	Drop bool `json:"drop,omitempty" yaml:"drop,omitempty"`
	// Times: fire on this many matches, then expire (0: unlimited).
	Times int `json:"times,omitempty" yaml:"times,omitempty"`
	// After lets the first N matches through.
	After int `json:"after,omitempty" yaml:"after,omitempty"`
	// Probability in (0, 1] fires on that share of matches (0: always),
	// drawn from a generator seeded with Seed: the same sequence after every
	// reset and in every run.
	Probability float64 `json:"probability,omitempty" yaml:"probability,omitempty"`
	Seed        int64   `json:"seed,omitempty" yaml:"seed,omitempty"`
}

// FaultMatch selects requests. Empty fields match everything.
type FaultMatch struct {
	// Method, case-insensitive; several may be given as "POST|PUT".
	Method string `json:"method,omitempty" yaml:"method,omitempty"`
	// Path is a glob over the request path (relative to the instance):
	// "*" matches one segment (or part of one, as in path.Match), "**" zero
	// or more segments.
	Path string `json:"path,omitempty" yaml:"path,omitempty"`
	// User is the authenticated caller's username (case-insensitive).
	User string `json:"user,omitempty" yaml:"user,omitempty"`
	// Query: each parameter must have this value ("*": be present).
	Query map[string]string `json:"query,omitempty" yaml:"query,omitempty"`
}

// FaultResponse is a scripted answer. A Body that is a string is sent as
// is (text/plain unless Headers set Content-Type); anything else as JSON.
type FaultResponse struct {
	Status  int               `json:"status,omitempty" yaml:"status,omitempty"`
	Body    any               `json:"body,omitempty" yaml:"body,omitempty"`
	Headers map[string]string `json:"headers,omitempty" yaml:"headers,omitempty"`
}

// FaultStatus is a rule as listed by Faults and GET /-/mock/faults.
type FaultStatus struct {
	Fault
	ID int `json:"id"`
	// Hits is how often the rule fired; Matched how often it matched
	// (including the matches After let through).
	Hits    int `json:"hits"`
	Matched int `json:"matched"`
	// Remaining is how many more times it fires; nil when unlimited.
	Remaining *int `json:"remaining"`
}

// Fault presets: GitLab's (or its proxy's) exact answers.
const (
	FaultUnauthorized       = "unauthorized"
	FaultForbidden          = "forbidden"
	FaultNotFound           = "not_found"
	FaultLDAPBlocked        = "ldap_blocked"
	FaultRateLimited        = "rate_limited"
	FaultServerError        = "server_error"
	FaultBadGateway         = "bad_gateway"
	FaultServiceUnavailable = "service_unavailable"
	FaultGatewayTimeout     = "gateway_timeout"
)

// FaultPresets lists the preset names a Fault's Error accepts.
var FaultPresets = []string{FaultUnauthorized, FaultForbidden, FaultNotFound, FaultLDAPBlocked, FaultRateLimited,
	FaultServerError, FaultBadGateway, FaultServiceUnavailable, FaultGatewayTimeout}

// Rate-limit answer defaults: GitLab.com's authenticated API throttle
// (2000 requests a minute). Clients build their own limiter from
// RateLimit-Limit, so it must stay large.
const (
	rateLimitLimit      = 2000
	rateLimitRetryAfter = 60
)

// nginx's own error pages, as the proxy in front of GitLab sends them.
func proxyPage(status int, title string) []byte {
	return []byte(fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", status, title, status, title))
}

// answer is a fault's response, ready to write.
type answer struct {
	status  int
	body    []byte
	ctype   string
	headers http.Header
}

// jsonAnswer answers v as JSON, as writeJSON does.
func jsonAnswer(status int, v any) answer {
	b, _ := encodeJSON(v) // validate made sure it encodes
	return answer{status: status, body: b, ctype: "application/json"}
}

// errorAnswer is the answer GitLab gives with e (errors.go).
func errorAnswer(e *apiError) answer { return jsonAnswer(e.status, e.body) }

// preset builds the answer of a named preset for a request to p.
func preset(name, p string) answer {
	switch name {
	case FaultUnauthorized:
		return errorAnswer(errUnauthorized)
	case FaultForbidden:
		return errorAnswer(errForbidden)
	case FaultNotFound:
		return errorAnswer(errNotFoundBare)
	case FaultLDAPBlocked:
		if strings.HasSuffix(strings.TrimRight(p, "/"), "/unblock") {
			return errorAnswer(errLDAPBlockedUnblock)
		}
		return errorAnswer(errLDAPBlockedModify)
	case FaultRateLimited:
		a := errorAnswer(msgError(http.StatusTooManyRequests, "429 Too Many Requests"))
		a.headers = http.Header{}
		a.headers.Set("Retry-After", strconv.Itoa(rateLimitRetryAfter))
		a.headers.Set("RateLimit-Name", "throttle_authenticated_api")
		a.headers.Set("RateLimit-Limit", strconv.Itoa(rateLimitLimit))
		a.headers.Set("RateLimit-Observed", strconv.Itoa(rateLimitLimit+1))
		a.headers.Set("RateLimit-Remaining", "0")
		return a
	case FaultBadGateway:
		return answer{status: http.StatusBadGateway, body: proxyPage(502, "Bad Gateway"), ctype: "text/html"}
	case FaultServiceUnavailable:
		return answer{status: http.StatusServiceUnavailable, body: proxyPage(503, "Service Temporarily Unavailable"), ctype: "text/html"}
	case FaultGatewayTimeout:
		return answer{status: http.StatusGatewayTimeout, body: proxyPage(504, "Gateway Time-out"), ctype: "text/html"}
	}
	return errorAnswer(errInternal) // FaultServerError
}

// setRateLimitReset fills RateLimit-Reset and -ResetTime from Retry-After,
// against wall time (clients compare them with their own clock).
func setRateLimitReset(h http.Header, wall time.Time) {
	secs, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || secs < 0 {
		secs = rateLimitRetryAfter
	}
	reset := wall.Add(time.Duration(secs) * time.Second).Truncate(time.Second)
	if h.Get("RateLimit-Reset") == "" {
		h.Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	}
	if h.Get("RateLimit-ResetTime") == "" {
		h.Set("RateLimit-ResetTime", reset.UTC().Format(http.TimeFormat))
	}
}

// validate checks a rule and normalises it; the error says what is wrong.
func (f *Fault) validate() error {
	f.Match.Method = strings.ToUpper(strings.TrimSpace(f.Match.Method))
	for _, m := range splitMethods(f.Match.Method) {
		if m == "" || strings.ContainsFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) {
			return fmt.Errorf("match.method: %q is not an HTTP method", f.Match.Method)
		}
	}
	if f.Match.Path != "" {
		if !strings.HasPrefix(f.Match.Path, "/") {
			return fmt.Errorf("match.path: %q must start with /", f.Match.Path)
		}
		for _, seg := range strings.Split(f.Match.Path, "/") {
			if seg == "**" {
				continue
			}
			if _, err := path.Match(seg, ""); err != nil {
				return fmt.Errorf("match.path: %q is not a valid glob", f.Match.Path)
			}
		}
	}
	if f.Respond != nil && f.Error != "" && (f.Respond.Status != 0 || f.Respond.Body != nil) {
		return fmt.Errorf("give either respond (status, body) or error, not both")
	}
	if f.Error != "" && !slices.Contains(FaultPresets, f.Error) {
		return fmt.Errorf("error: unknown preset %q (want one of %s)", f.Error, strings.Join(FaultPresets, ", "))
	}
	if f.Respond != nil && f.Error == "" {
		if f.Respond.Status < 100 || f.Respond.Status > 599 {
			return fmt.Errorf("respond.status: %d is not an HTTP status (100-599)", f.Respond.Status)
		}
		if _, err := json.Marshal(f.Respond.Body); err != nil {
			return fmt.Errorf("respond.body: %v", err)
		}
	}
	if f.Drop && (f.Respond != nil || f.Error != "") {
		return fmt.Errorf("drop closes the connection: it cannot also respond")
	}
	if f.Respond == nil && f.Error == "" && !f.Drop && f.Delay == 0 {
		return fmt.Errorf("the rule does nothing: give respond, error, delay or drop")
	}
	switch {
	case f.Delay < 0:
		return fmt.Errorf("delay: must not be negative")
	case f.Times < 0:
		return fmt.Errorf("times: must not be negative")
	case f.After < 0:
		return fmt.Errorf("after: must not be negative")
	case f.Probability < 0 || f.Probability > 1:
		return fmt.Errorf("probability: %v is not in (0, 1]", f.Probability)
	}
	return nil
}

func splitMethods(m string) []string {
	if m == "" {
		return nil
	}
	return strings.FieldsFunc(m, func(r rune) bool { return r == '|' || r == ',' })
}

// globMatch matches a request path against a glob of "/"-separated
// segments: "**" is zero or more segments, other segments use path.Match.
func globMatch(glob, p string) bool {
	return matchSegs(strings.Split(glob, "/"), strings.Split(p, "/"))
}

func matchSegs(g, p []string) bool {
	for len(g) > 0 {
		if g[0] == "**" {
			for i := 0; i <= len(p); i++ {
				if matchSegs(g[1:], p[i:]) {
					return true
				}
			}
			return false
		}
		if len(p) == 0 {
			return false
		}
		if ok, _ := path.Match(g[0], p[0]); !ok {
			return false
		}
		g, p = g[1:], p[1:]
	}
	return len(p) == 0
}

// rule is a Fault in a faultSet with its counters.
type rule struct {
	Fault
	id      int
	hits    int
	matched int
	rng     *rand.Rand
}

// status lists the rule. It shares nothing with the rule: the caller may
// change it while the rule fires.
func (r *rule) status() FaultStatus {
	st := FaultStatus{Fault: r.Fault, ID: r.id, Hits: r.hits, Matched: r.matched}
	st.Respond = cloneResponse(r.Respond)
	st.Match.Query = cloneMap(r.Match.Query)
	if r.Times > 0 {
		n := max(r.Times-r.hits, 0)
		st.Remaining = &n
	}
	return st
}

// faultSet is an instance's fault rules, in the order they were added.
type faultSet struct {
	mu     sync.Mutex
	rules  []*rule
	nextID int
	// count is len(rules), read without mu so that traffic skips the
	// rules altogether when there are none (the common case).
	count atomic.Int32
}

// active reports whether there are rules to match (without locking).
func (fs *faultSet) active() bool { return fs.count.Load() != 0 }

func newFaultSet() *faultSet { return &faultSet{nextID: 1} }

// add validates f and appends it; it returns the rule's id.
func (fs *faultSet) add(f Fault) (int, error) {
	if err := f.validate(); err != nil {
		return 0, err
	}
	f.Respond = cloneResponse(f.Respond) // the caller keeps its maps
	f.Match.Query = cloneMap(f.Match.Query)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	r := &rule{Fault: f, id: fs.nextID}
	if f.Probability > 0 && f.Probability < 1 {
		r.rng = rand.New(rand.NewPCG(uint64(f.Seed), 0x9e3779b97f4a7c15))
	}
	fs.nextID++
	fs.rules = append(fs.rules, r)
	fs.count.Store(int32(len(fs.rules)))
	return r.id, nil
}

// cloneResponse is a deep copy of r: headers and body (see jsonable).
func cloneResponse(r *FaultResponse) *FaultResponse {
	if r == nil {
		return nil
	}
	rc := *r
	rc.Headers = cloneMap(r.Headers)
	rc.Body = jsonable(r.Body)
	return &rc
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// clear removes every rule; ids start again at 1.
func (fs *faultSet) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules, fs.nextID = nil, 1
	fs.count.Store(0)
}

func (fs *faultSet) remove(id int) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, r := range fs.rules {
		if r.id == id {
			fs.rules = slices.Delete(fs.rules, i, i+1)
			fs.count.Store(int32(len(fs.rules)))
			return true
		}
	}
	return false
}

func (fs *faultSet) list() []FaultStatus {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]FaultStatus, 0, len(fs.rules))
	for _, r := range fs.rules {
		out = append(out, r.status())
	}
	return out
}

// faultRequest is what rules match on: the query and the caller are
// resolved on first use, and only by a rule that needs them.
type faultRequest struct {
	inst         *instance
	r            *http.Request
	method, path string

	query    url.Values
	user     string
	userDone bool
}

func (q *faultRequest) queryValues() url.Values {
	if q.query == nil {
		q.query = q.r.URL.Query()
	}
	return q.query
}

func (q *faultRequest) username() string {
	if !q.userDone {
		q.user, q.userDone = q.inst.callerUsername(q.r), true
	}
	return q.user
}

// fire finds the first rule that fires for req, updating the counters of
// every rule it matches on the way. It returns a copy of the rule, or nil.
func (fs *faultSet) fire(req *faultRequest) *rule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, r := range fs.rules {
		if !r.matches(req) {
			continue
		}
		r.matched++
		if r.matched <= r.After {
			continue
		}
		if r.Times > 0 && r.hits >= r.Times {
			continue
		}
		if r.rng != nil && r.rng.Float64() >= r.Probability {
			continue
		}
		r.hits++
		c := *r
		return &c
	}
	return nil
}

func (r *rule) matches(req *faultRequest) bool {
	m := &r.Match
	if m.Method != "" && !slices.Contains(splitMethods(m.Method), req.method) {
		return false
	}
	if m.Path != "" && !globMatch(m.Path, req.path) {
		return false
	}
	for k, want := range m.Query {
		got, ok := req.queryValues()[k]
		if !ok || (want != "*" && !slices.Contains(got, want)) {
			return false
		}
	}
	if m.User != "" && !strings.EqualFold(m.User, req.username()) {
		return false
	}
	return true
}

// answer is the response of a fired rule (not for drop or delay-only rules).
func (r *rule) answer(p string, wall time.Time) (answer, bool) {
	var a answer
	switch {
	case r.Error != "":
		a = preset(r.Error, p)
	case r.Respond != nil:
		switch b := r.Respond.Body.(type) {
		case nil:
			a = answer{status: r.Respond.Status}
		case string:
			a = answer{status: r.Respond.Status, body: []byte(b), ctype: "text/plain; charset=utf-8"}
		default:
			a = jsonAnswer(r.Respond.Status, b)
		}
	default:
		return a, false
	}
	if a.headers == nil {
		a.headers = http.Header{}
	}
	if r.Respond != nil {
		keys := make([]string, 0, len(r.Respond.Headers))
		for k := range r.Respond.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			a.headers.Set(k, r.Respond.Headers[k])
		}
	}
	if r.Error == FaultRateLimited {
		setRateLimitReset(a.headers, wall)
	}
	if ct := a.headers.Get("Content-Type"); ct != "" {
		a.ctype = ct
	}
	return a, true
}

// faultWire is a Fault as JSON and YAML spell it (delay as "250ms").
type faultWire struct {
	Name        string         `json:"name,omitempty" yaml:"name,omitempty"`
	Match       FaultMatch     `json:"match" yaml:"match"`
	Respond     *FaultResponse `json:"respond,omitempty" yaml:"respond,omitempty"`
	Error       string         `json:"error,omitempty" yaml:"error,omitempty"`
	Delay       string         `json:"delay,omitempty" yaml:"delay,omitempty"`
	Drop        bool           `json:"drop,omitempty" yaml:"drop,omitempty"`
	Times       int            `json:"times,omitempty" yaml:"times,omitempty"`
	After       int            `json:"after,omitempty" yaml:"after,omitempty"`
	Probability float64        `json:"probability,omitempty" yaml:"probability,omitempty"`
	Seed        int64          `json:"seed,omitempty" yaml:"seed,omitempty"`
}

func (f Fault) wire() faultWire {
	w := faultWire{Name: f.Name, Match: f.Match, Respond: f.Respond, Error: f.Error, Drop: f.Drop,
		Times: f.Times, After: f.After, Probability: f.Probability, Seed: f.Seed}
	if f.Delay != 0 {
		w.Delay = f.Delay.String()
	}
	return w
}

// MarshalJSON spells Delay as a duration string.
func (f Fault) MarshalJSON() ([]byte, error) { return json.Marshal(f.wire()) }

// MarshalJSON lists the rule with its id and counters.
func (s FaultStatus) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID int `json:"id"`
		faultWire
		Hits      int  `json:"hits"`
		Matched   int  `json:"matched"`
		Remaining *int `json:"remaining"`
	}{s.ID, s.Fault.wire(), s.Hits, s.Matched, s.Remaining})
}

// faultKeys are the keys a rule may have, at each level.
var faultKeys = map[string][]string{
	"":        {"name", "match", "respond", "error", "delay", "drop", "times", "after", "probability", "seed"},
	"match":   {"method", "path", "user", "query"},
	"respond": {"status", "body", "headers"},
}

// faultError is a bad rule: the line of the problem and what it is.
type faultError struct {
	line int
	msg  string
}

func (e *faultError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// parseFaultNode decodes one rule from YAML (JSON is YAML), rejecting
// unknown keys; errors name the line and the field.
func parseFaultNode(n *yaml.Node) (Fault, error) {
	var f Fault
	for n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return f, &faultError{n.Line, "a fault rule must be a mapping"}
	}
	if err := checkKeys(n, ""); err != nil {
		return f, err
	}
	var w faultWire
	if err := n.Decode(&w); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			line, msg := yamlLine(te.Errors[0], n.Line)
			return f, &faultError{line, msg}
		}
		return f, &faultError{n.Line, err.Error()}
	}
	f = Fault{Name: w.Name, Match: w.Match, Respond: w.Respond, Error: w.Error, Drop: w.Drop, Times: w.Times,
		After: w.After, Probability: w.Probability, Seed: w.Seed}
	if f.Respond != nil {
		f.Respond.Body = jsonable(f.Respond.Body)
	}
	if w.Delay != "" {
		d, err := parseDuration(w.Delay)
		if err != nil {
			return f, &faultError{keyLine(n, "delay"), "delay: " + err.Error()}
		}
		f.Delay = d
	}
	if err := f.validate(); err != nil {
		return f, &faultError{n.Line, err.Error()}
	}
	return f, nil
}

func checkKeys(n *yaml.Node, at string) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(faultKeys[at], k.Value) {
			field := k.Value
			if at != "" {
				field = at + "." + k.Value
			}
			return &faultError{k.Line, fmt.Sprintf("%s: unknown key (want one of %s)", field, strings.Join(faultKeys[at], ", "))}
		}
		if _, nested := faultKeys[k.Value]; nested && at == "" {
			if v.Kind != yaml.MappingNode {
				return &faultError{v.Line, k.Value + ": must be a mapping"}
			}
			if err := checkKeys(v, k.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

func keyLine(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return n.Line
}

// yamlLine splits a yaml.v3 message "line N: what" into N and what; a
// message without a line gets line def.
func yamlLine(msg string, def int) (int, string) {
	line := def
	if _, err := fmt.Sscanf(msg, "line %d:", &line); err == nil {
		return line, strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return def, msg
}

// parseFault decodes a rule from a YAML or JSON document.
func parseFault(data []byte) (Fault, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return Fault{}, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if n.Kind == 0 {
		return Fault{}, fmt.Errorf("the body is empty: send a fault rule")
	}
	return parseFaultNode(&n)
}

// UnmarshalJSON reads a rule as the control API takes it (delay as "250ms"),
// rejecting unknown keys and invalid rules.
func (f *Fault) UnmarshalJSON(b []byte) error {
	v, err := parseFault(b)
	if err != nil {
		return err
	}
	*f = v
	return nil
}
