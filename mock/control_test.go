package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const newUserBody = `{"email":"new@example.com","username":"newbie","name":"New","password":"Vq7#Lm2!Rt9zKw4$"}`

// Reset returns to the baseline: state, ids, clock, faults and journal.
func TestResetOverHTTPAndGo(t *testing.T) {
	for _, viaHTTP := range []bool{true, false} {
		s := newTestServer(t, Options{})
		reset := func() {
			if viaHTTP {
				expect(t, do(t, s, req{method: "POST", path: "/-/mock/reset"}), http.StatusNoContent, "")
			} else {
				s.Reset()
			}
		}
		rec := do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken, body: newUserBody})
		first := decode[map[string]any](t, rec)["id"]
		expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/7", token: rootToken}), 204, "")
		s.AddFault(Fault{Match: FaultMatch{Path: "/api/v4/nothing"}, Error: FaultForbidden})
		s.Clock().Advance(48 * time.Hour)

		reset()
		if len(s.Faults()) != 0 || len(s.Requests(RequestFilter{})) != 0 || s.Clock().Frozen() {
			t.Fatalf("faults %v, journal %v, frozen %v", s.Faults(), s.Requests(RequestFilter{}), s.Clock().Frozen())
		}
		expect(t, do(t, s, req{path: "/api/v4/users/7", token: rootToken}), 200, "")
		if s.store.UserByUsername("newbie") != nil {
			t.Fatal("created user survived the reset")
		}
		rec = do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken, body: newUserBody})
		if again := decode[map[string]any](t, rec)["id"]; again != first {
			t.Fatalf("id after reset = %v, want %v again", again, first)
		}
	}
}

// A reset returns the clock to the fixtures' now:.
func TestResetRestoresFixtureClock(t *testing.T) {
	s := newTestServer(t, Options{Fixtures: []byte("now: 2030-01-01T00:00:00Z\nusers: []\n")})
	s.Clock().Advance(time.Hour)
	s.Reset()
	if got := s.Now(); !got.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) || !s.Clock().Frozen() {
		t.Fatalf("now %v", got)
	}
}

// GET /-/mock/state is a fixture document that loads back to the same state.
func TestStateRoundTrips(t *testing.T) {
	s := newTestServer(t, Options{})
	do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken, body: newUserBody})
	do(t, s, req{method: "DELETE", path: "/api/v4/users/8", token: rootToken})

	rec := do(t, s, req{path: "/-/mock/state"})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/yaml" {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	yamlDoc := rec.Body.Bytes()
	rec = do(t, s, req{path: "/-/mock/state?format=json"})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	jsonDoc := rec.Body.Bytes()
	expect(t, do(t, s, req{path: "/-/mock/state?format=xml"}), 400, `{"message":"format: \"xml\" is not yaml or json"}`)

	for name, doc := range map[string][]byte{"yaml": yamlDoc, "json": jsonDoc} {
		other := newTestServer(t, Options{Fixtures: doc})
		a, _ := s.State()
		b, _ := other.State()
		if !bytes.Equal(a, b) {
			t.Errorf("%s: state does not round-trip:\n%s\n---\n%s", name, a, b)
		}
		users := func(h *Server) string {
			return do(t, h, req{path: "/api/v4/users?per_page=100", token: rootToken}).Body.String()
		}
		if users(s) != users(other) {
			t.Errorf("%s: /users differ after loading the state", name)
		}
	}
}

// PUT /-/mock/fixtures makes a new baseline; bad input is a 400 naming the
// line and the field, and changes nothing.
func TestPutFixtures(t *testing.T) {
	s := newTestServer(t, Options{})
	do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken, body: newUserBody})
	s.AddFault(Fault{Match: FaultMatch{Path: "/api/v4/nothing"}, Error: FaultForbidden})

	bad := "users:\n  - username: root\n    name: Root\n    email: root@example.com\n    colour: blue\n"
	rec := do(t, s, req{method: "PUT", path: "/-/mock/fixtures", body: bad, contentType: "application/yaml"})
	expect(t, rec, 400, "")
	if msg := decode[map[string]string](t, rec)["message"]; !strings.Contains(msg, "fixtures:5") || !strings.Contains(msg, "users[0].colour") {
		t.Fatalf("message %q does not name line 5 and the field", msg)
	}
	if s.store.UserByUsername("newbie") == nil || len(s.Faults()) != 1 {
		t.Fatal("a rejected fixture changed the state")
	}

	good := `{"users":[{"id":5,"username":"root","name":"Root","email":"root@example.com","admin":true,
		"personal_access_tokens":[{"name":"t","token":"glpat-new-baseline-token","scopes":["api"]}]}]}`
	expect(t, do(t, s, req{method: "PUT", path: "/-/mock/fixtures", body: good}), 204, "")
	if s.store.UserCount() != 1 || len(s.Faults()) != 0 {
		t.Fatalf("users %d faults %d", s.store.UserCount(), len(s.Faults()))
	}
	expect(t, do(t, s, req{path: "/api/v4/user", token: "glpat-new-baseline-token"}), 200, "")
	// It is the new baseline: a reset returns to it.
	do(t, s, req{method: "DELETE", path: "/api/v4/users/5", token: "glpat-new-baseline-token"})
	s.Reset()
	if s.store.User(5) == nil || s.store.UserCount() != 1 {
		t.Fatal("reset did not return to the new baseline")
	}
	// Go API
	if err := s.LoadFixtures([]byte(bad)); err == nil || !strings.Contains(err.Error(), "fixtures:5") {
		t.Fatalf("LoadFixtures: %v", err)
	}
	if err := s.LoadFixtures(nil); err != nil || s.store.UserCount() != 0 {
		t.Fatalf("LoadFixtures(empty): %v, %d users", err, s.store.UserCount())
	}
}

func TestClockOverHTTP(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := do(t, s, req{path: "/-/mock/clock"})
	st := decode[clockState](t, rec)
	if rec.Code != 200 || st.Frozen {
		t.Fatalf("%d %+v", rec.Code, st)
	}
	expect(t, do(t, s, req{method: "PUT", path: "/-/mock/clock", body: `{"now":"2030-01-01T00:00:00Z"}`}), 200,
		`{"now":"2030-01-01T00:00:00Z","frozen":true}`)
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/clock/advance", body: `{"by":"48h"}`}), 200,
		`{"now":"2030-01-03T00:00:00Z","frozen":true}`)
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/clock/advance", body: `by: 1d12h`, contentType: "application/yaml"}), 200,
		`{"now":"2030-01-04T12:00:00Z","frozen":true}`)
	expect(t, do(t, s, req{path: "/-/mock/clock"}), 200, `{"now":"2030-01-04T12:00:00Z","frozen":true}`)

	expect(t, do(t, s, req{method: "PUT", path: "/-/mock/clock", body: `{"now":"tomorrow"}`}), 400,
		`{"message":"now: \"tomorrow\" is not an RFC 3339 time (like 2030-01-01T00:00:00Z)"}`)
	expect(t, do(t, s, req{method: "PUT", path: "/-/mock/clock"}), 400,
		`{"message":"now is missing: send {\"now\": \"2030-01-01T00:00:00Z\"}"}`)
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/clock/advance", body: `{"by":"soon"}`}), 400,
		`{"message":"by: \"soon\" is not a duration (like 250ms, 48h or 3d)"}`)
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/clock/advance", body: `{"by":`}), 400, "")
}

// The clock drives token expiry: advancing past a token's expires_at makes
// it answer 401 as GitLab does.
func TestClockDrivesTokenExpiry(t *testing.T) {
	s := newTestServer(t, Options{Fixtures: []byte(`now: 2030-01-01T00:00:00Z
users:
  - {id: 1, username: root, name: Root, email: root@example.com, admin: true,
     personal_access_tokens: [{id: 1, name: t, token: glpat-expiring-token, scopes: [api], expires_at: 2030-01-02}]}
`)})
	expect(t, do(t, s, req{path: "/api/v4/user", token: "glpat-expiring-token"}), 200, "")
	s.Clock().Advance(72 * time.Hour)
	expect(t, do(t, s, req{path: "/api/v4/user", token: "glpat-expiring-token"}), 401,
		`{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}`)
	s.Clock().Set(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	expect(t, do(t, s, req{path: "/api/v4/user", token: "glpat-expiring-token"}), 200, "")
}

func TestParseDuration(t *testing.T) {
	tests := map[string]time.Duration{"48h": 48 * time.Hour, "3d": 72 * time.Hour, "1d12h": 36 * time.Hour,
		"-1d": -24 * time.Hour, "250ms": 250 * time.Millisecond, "-2h": -2 * time.Hour}
	for in, want := range tests {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "x", "1dd", "1d-2h", "--1h"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q): no error", in)
		}
	}
}

// With a control token, control calls need X-Gitlab-Mock-Token; the API
// itself is unaffected.
func TestControlToken(t *testing.T) {
	s := newTestServer(t, Options{ControlToken: "s3cret"})
	for _, r := range []req{
		{method: "POST", path: "/-/mock/reset"},
		{path: "/-/mock/faults"},
		{path: "/-/mock/requests"},
		{path: "/-/mock/clock"},
		{path: "/-/mock/scenarios"},
		{method: "PUT", path: "/-/mock/fixtures", body: "users: []"},
	} {
		expect(t, do(t, s, r), 401, `{"message":"401 Unauthorized - the control API needs the X-Gitlab-Mock-Token header with the mock's control token"}`)
	}
	expect(t, do(t, s, req{path: "/-/mock/clock", header: map[string]string{"X-Gitlab-Mock-Token": "wrong"}}), 401,
		`{"message":"401 Unauthorized - wrong X-Gitlab-Mock-Token (the mock's control token)"}`)
	expect(t, do(t, s, req{path: "/-/mock/faults", header: map[string]string{"X-Gitlab-Mock-Token": "s3cret"}}), 200, `[]`)
	expect(t, do(t, s, req{path: "/api/v4/version", token: rootToken}), 200, "")
	if s.store.UserCount() == 0 {
		t.Fatal("an unauthorized PUT fixtures changed the state")
	}
}

// Resets, fixture swaps and fault changes under concurrent client traffic:
// no race (go test -race), no 500, and every answer is consistent with
// either the old or the new state.
func TestResetUnderConcurrentLoad(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				var rec = do(t, s, req{path: "/api/v4/users?per_page=100", token: rootToken})
				if w%2 == 1 {
					rec = do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken,
						body: `{"email":"u` + itoa(w) + "-" + itoa(i) + `@example.com","username":"u` + itoa(w) + "_" + itoa(i) + `","name":"U","password":"Vq7#Lm2!Rt9zKw4$"}`})
				}
				if rec.Code >= 500 && rec.Code != 503 {
					mu.Lock()
					bad = append(bad, rec.Body.String())
					mu.Unlock()
				}
			}
		}()
	}
	for i := range 50 {
		s.Reset()
		if i%10 == 0 {
			s.LoadFixtures(nil)
			s.LoadFixtures(mustState(t, newTestServer(t, Options{})))
		}
		id, _ := s.AddFault(Fault{Match: FaultMatch{Method: "POST"}, Error: FaultServiceUnavailable, Probability: 0.5, Seed: int64(i)})
		s.Faults()
		s.RemoveFault(id)
		s.Requests(RequestFilter{Path: "/api/v4/**"})
	}
	cancel()
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d server errors, first: %s", len(bad), bad[0])
	}
	s.Reset()
	expect(t, do(t, s, req{path: "/api/v4/users/7", token: rootToken}), 200, "")
}

func mustState(t *testing.T, s *Server) []byte {
	b, err := s.State()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func itoa(i int) string { return strconv.Itoa(i) }

// Unknown control paths are GitLab's 404.
func TestUnknownControlRoute(t *testing.T) {
	s := newTestServer(t, Options{})
	expect(t, do(t, s, req{path: "/-/mock/nope"}), 404, `{"error":"404 Not Found"}`)
}

// A Fault reads back from the JSON it writes.
func TestFaultJSONRoundTrip(t *testing.T) {
	in := Fault{Name: "n", Match: FaultMatch{Method: "GET", Path: "/api/v4/**", Query: map[string]string{"a": "b"}},
		Error: FaultRateLimited, Respond: &FaultResponse{Headers: map[string]string{"Retry-After": "1"}},
		Delay: 250 * time.Millisecond, Times: 2, After: 1, Probability: 0.5, Seed: 9}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Fault
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	b2, _ := json.Marshal(out)
	if string(b) != string(b2) || out.Delay != in.Delay {
		t.Fatalf("%s\n%s", b, b2)
	}
}

// BenchmarkControlReset measures POST /-/mock/reset's work with the default
// fixtures after some writes.
func BenchmarkControlReset(b *testing.B) {
	for _, users := range []int{0, 100000} {
		name := "default"
		if users > 0 {
			name = "100k"
		}
		b.Run(name, func(b *testing.B) {
			s := newTestServer(b, Options{GenerateUsers: users})
			s.AddFault(Fault{Match: FaultMatch{Path: "/nothing"}, Error: FaultForbidden})
			b.ResetTimer()
			for range b.N {
				s.Reset()
			}
		})
	}
	b.Run("default-http", func(b *testing.B) {
		s := newTestServer(b, Options{})
		b.ResetTimer()
		for range b.N {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/-/mock/reset", nil))
			if rec.Code != http.StatusNoContent {
				b.Fatal(rec.Code)
			}
		}
	})
}

// BenchmarkTrafficOverhead is GET /api/v4/users/1 through the fault and
// journal middleware, with no rules and with 10 non-matching rules.
func BenchmarkTrafficOverhead(b *testing.B) {
	for _, rules := range []int{0, 10} {
		b.Run(strconv.Itoa(rules)+"rules", func(b *testing.B) {
			s := newTestServer(b, Options{})
			for i := range rules {
				s.AddFault(Fault{Match: FaultMatch{Method: "DELETE", Path: "/api/v4/nothing/" + strconv.Itoa(i)}, Error: FaultForbidden})
			}
			r := httptest.NewRequest(http.MethodGet, "/api/v4/users/1", nil)
			r.Header.Set("Private-Token", rootToken)
			b.ResetTimer()
			for range b.N {
				s.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
}
