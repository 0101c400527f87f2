package mock

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Tokens of the default fixtures.
const (
	rootToken        = "9koXpg98eAheJpvBs5tK" // root, api + sudo
	rootAPIToken     = "glpat-root-api-only-token"
	johnToken        = "glpat-john-smith-api-token"
	johnReadAPI      = "glpat-john-read-api-token"
	johnReadUser     = "glpat-john-read-user-token"
	johnExpired      = "glpat-john-expired-token"
	johnRevoked      = "glpat-john-revoked-token"
	jackBlockedToken = "glpat-jack-blocked-token"
	ldapToken        = "glpat-ldap-blocked-token"
	dormantToken     = "glpat-deactivated-token"
	pendingToken     = "glpat-pending-approval-token"
)

func newTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// req describes one request to the handler.
type req struct {
	method, path, token string
	header              map[string]string
	body                string // sent as JSON unless contentType says otherwise
	contentType         string
}

func do(t testing.TB, h http.Handler, r req) *httptest.ResponseRecorder {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, "http://gitlab.test"+r.path, body)
	if r.body != "" {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.token != "" {
		hr.Header.Set("PRIVATE-TOKEN", r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, hr)
	return rec
}

// decode parses a JSON answer into v, failing the test on bad JSON.
func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return v
}

// expect asserts the status and, if body is not empty, the exact body.
func expect(t testing.TB, rec *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
	if body != "" && rec.Body.String() != body {
		t.Fatalf("body = %s\nwant   %s", rec.Body.String(), body)
	}
	if body != "" {
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("Content-Type = %q, want exactly application/json", ct)
		}
	}
}

func fieldSet(m map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
