package mock

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = 1000

// maxJournalBody caps the request body kept in a journal entry.
const maxJournalBody = 4 << 10

// redacted replaces secret values in the journal.
const redacted = "[FILTERED]"

// Request is one API request in the journal. Control calls are never
// journaled; tokens and passwords are redacted from Query and Body.
type Request struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"` // wall time (RFC 3339 with nanoseconds in JSON)
	Method string    `json:"method"`
	// Path is relative to the instance (e.g. /api/v4/users), Query the raw
	// query string.
	Path  string `json:"path"`
	Query string `json:"query"`
	// User is the authenticated caller's username ("" for anonymous).
	User string `json:"user"`
	// Status is the answer's status; 0 when a fault dropped the connection.
	Status     int     `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	// FaultID is the fault rule that fired, if any.
	FaultID *int `json:"fault_id"`
	// Body is the request body, at most 4 KB, secrets redacted.
	Body          string `json:"body,omitempty"`
	BodyTruncated bool   `json:"body_truncated,omitempty"`
}

// RequestFilter selects journal entries. Empty fields match everything.
type RequestFilter struct {
	Method string // case-insensitive
	Path   string // glob, as in fault rules
	Status int
	User   string
	Since  time.Time // entries at or after this wall time
}

func (f RequestFilter) matches(r *Request) bool {
	switch {
	case f.Method != "" && !strings.EqualFold(f.Method, r.Method):
		return false
	case f.Path != "" && !globMatch(f.Path, r.Path):
		return false
	case f.Status != 0 && f.Status != r.Status:
		return false
	case f.User != "" && !strings.EqualFold(f.User, r.User):
		return false
	case !f.Since.IsZero() && r.Time.Before(f.Since):
		return false
	}
	return true
}

// journal is a bounded ring buffer of requests. Waiters are fed by add
// itself, so a wait counts every matching request journaled while it waits,
// even one that has already left the ring when the waiter looks.
type journal struct {
	mu      sync.Mutex
	size    int
	entries []Request // ring: oldest at start once full
	start   int
	nextID  int64
	waiters []*waiter
}

// waiter is a wait in progress: the matching requests since the wait began
// (those in the journal then included) or since the last clear.
type waiter struct {
	f    RequestFilter
	n    int
	got  []Request
	done chan struct{} // closed once got holds n requests
}

func newJournal(size int) *journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &journal{size: size, nextID: 1}
}

func (j *journal) add(r Request) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r.ID = j.nextID
	j.nextID++
	if len(j.entries) < j.size {
		j.entries = append(j.entries, r)
	} else {
		j.entries[j.start] = r
		j.start = (j.start + 1) % j.size
	}
	for _, w := range j.waiters {
		if len(w.got) < w.n && w.f.matches(&r) {
			if w.got = append(w.got, r); len(w.got) == w.n {
				close(w.done)
			}
		}
	}
}

// clear empties the journal; ids start again at 1, and waits count again
// from zero.
func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.start, j.nextID = nil, 0, 1
	for _, w := range j.waiters {
		if len(w.got) < w.n { // a wait already satisfied keeps its answer
			w.got = nil
		}
	}
}

// list returns the matching entries, oldest first.
func (j *journal) list(f RequestFilter) []Request {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.listLocked(f)
}

func (j *journal) listLocked(f RequestFilter) []Request {
	out := []Request{}
	n := len(j.entries)
	for i := 0; i < n; i++ {
		r := &j.entries[(j.start+i)%n]
		if f.matches(r) {
			out = append(out, *r)
		}
	}
	return out
}

// wait returns once n requests matching f have been journaled (counting
// those in the journal when it starts), or when ctx ends, with what matched
// so far and ctx's error.
func (j *journal) wait(ctx context.Context, f RequestFilter, n int) ([]Request, error) {
	j.mu.Lock()
	got := j.listLocked(f)
	if len(got) >= n {
		j.mu.Unlock()
		return got, nil
	}
	w := &waiter{f: f, n: n, got: got, done: make(chan struct{})}
	j.waiters = append(j.waiters, w)
	j.mu.Unlock()

	select {
	case <-w.done:
	case <-ctx.Done():
	}

	j.mu.Lock()
	j.waiters = slices.DeleteFunc(j.waiters, func(x *waiter) bool { return x == w })
	got = w.got
	j.mu.Unlock()
	if got == nil {
		got = []Request{}
	}
	if len(got) >= n {
		return got, nil
	}
	return got, ctx.Err()
}

// secretKey reports whether a parameter's value must never be journaled.
func secretKey(k string) bool { return hasSecretWord(strings.ToLower(k)) }

func hasSecretWord(lower string) bool {
	for _, w := range secretWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// redactQuery redacts token and password parameters of a raw query.
func redactQuery(raw string) string {
	if !mayNameSecret(raw) {
		return raw
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && secretKey(name) {
			parts[i] = k + "=" + url.QueryEscape(redacted)
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return strings.Join(parts, "&")
}

// secretWords are what secretKey and looksLikeSecrets look for.
var secretWords = [...]string{"token", "password", "secret"}

// mayNameSecret is the cheap test (no allocation) before parsing a query or
// body for secrets: false only if no parameter or key in s can name one. It
// errs on the side of parsing: a secret word in any case, an escape that
// could spell one (%XX in a query, \uXXXX in JSON), or any non-ASCII byte
// (Unicode case folding) all answer true.
func mayNameSecret[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80 || c == '%':
			return true
		case c == '\\' && i+1 < len(s) && s[i+1] == 'u':
			return true
		}
		switch c | 0x20 {
		case 't', 'p', 's':
			for _, w := range secretWords {
				if len(s)-i >= len(w) && strings.EqualFold(string(s[i:i+len(w)]), w) {
					return true
				}
			}
		}
	}
	return false
}

// redactBody returns the body to journal: JSON and form bodies with secret
// values replaced, capped at maxJournalBody. A body that names no secret is
// kept as it is, without parsing it.
func redactBody(contentType string, body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	var out string
	switch {
	case mt == "multipart/form-data":
		out = "[multipart body not journaled]"
	case mt == "application/x-www-form-urlencoded":
		out = redactQuery(string(body))
	case !mayNameSecret(body):
		out = string(body)
	default:
		var v any
		if err := json.Unmarshal(body, &v); err == nil {
			if redactJSON(v) {
				b, _ := json.Marshal(v)
				out = string(b)
			} else {
				out = string(body)
			}
		} else if looksLikeSecrets(body) {
			out = "[unparsable body not journaled]"
		} else {
			out = string(body)
		}
	}
	if len(out) > maxJournalBody {
		cut := maxJournalBody
		for cut > 0 && !utf8Start(out[cut]) {
			cut--
		}
		return out[:cut], true
	}
	return out, false
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// looksLikeSecrets: a body that is not JSON might still be a form without
// its content type; if it names a secret, it is not kept.
func looksLikeSecrets(b []byte) bool { return hasSecretWord(strings.ToLower(string(b))) }

// redactJSON replaces secret values in v in place; it reports whether it
// replaced any.
func redactJSON(v any) bool {
	changed := false
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if secretKey(k) {
				if _, isBool := e.(bool); !isBool && e != nil {
					x[k] = redacted
					changed = true
				}
				continue
			}
			changed = redactJSON(e) || changed
		}
	case []any:
		for _, e := range x {
			changed = redactJSON(e) || changed
		}
	}
	return changed
}

// parseRequestFilter reads method, path, status, user and since from a
// control call's query.
func parseRequestFilter(q url.Values) (RequestFilter, string) {
	f := RequestFilter{Method: q.Get("method"), Path: q.Get("path"), User: q.Get("user")}
	if f.Path != "" && !strings.HasPrefix(f.Path, "/") {
		return f, "path: " + strconv.Quote(f.Path) + " must start with /"
	}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, "status: " + strconv.Quote(v) + " is not an HTTP status"
		}
		f.Status = n
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, "since: " + strconv.Quote(v) + " is not an RFC 3339 time"
		}
		f.Since = t
	}
	return f, ""
}

// Requests returns the journal entries matching f, oldest first.
func (s *Server) Requests(f RequestFilter) []Request {
	return s.journal.list(f)
}

// ClearRequests empties the request journal.
func (s *Server) ClearRequests() { s.journal.clear() }

// WaitFor blocks until n requests matching match have been journaled
// (counting those already in the journal since its last clear) and returns
// them; when ctx ends first it returns what matched and ctx's error.
func (s *Server) WaitFor(ctx context.Context, match RequestFilter, n int) ([]Request, error) {
	return s.journal.wait(ctx, match, max(n, 1))
}
