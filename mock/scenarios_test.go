package mock

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestScenarioList(t *testing.T) {
	s := newTestServer(t, Options{})
	rec := do(t, s, req{path: "/-/mock/scenarios"})
	list := decode[[]ScenarioInfo](t, rec)
	var names []string
	for _, sc := range list {
		names = append(names, sc.Name)
		if sc.Description == "" {
			t.Errorf("%s has no description", sc.Name)
		}
	}
	want := "empty expired-tokens flaky gitlab-down ldap-blocked rate-limited read-only-token slow"
	if strings.Join(names, " ") != want {
		t.Fatalf("scenarios %v, want %s", names, want)
	}
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/scenarios/nope"}), 404,
		`{"message":"404 Scenario nope Not Found (have: `+strings.ReplaceAll(want, " ", ", ")+`)"}`)
	if err := s.ApplyScenario("nope"); !errors.Is(err, ErrUnknownScenario) {
		t.Fatalf("ApplyScenario: %v", err)
	}
}

// applyScenario applies name over HTTP.
func applyScenario(t *testing.T, s *Server, name string) {
	t.Helper()
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/scenarios/" + name}), http.StatusNoContent, "")
}

func TestScenarioLDAPBlocked(t *testing.T) {
	s := newTestServer(t, Options{})
	applyScenario(t, s, "ldap-blocked")
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/1/block", token: rootToken}), 403,
		`{"message":"403 Forbidden - LDAP blocked users cannot be modified by the API"}`)
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users/2/unblock", token: rootToken}), 403,
		`{"message":"403 Forbidden - LDAP blocked users cannot be unblocked by the API"}`)
	expect(t, do(t, s, req{path: "/api/v4/users/1", token: rootToken}), 200, "")
	if s.store.User(1).State != "active" {
		t.Fatal("the faulted block changed the state")
	}
}

func TestScenarioRateLimited(t *testing.T) {
	s := newTestServer(t, Options{})
	applyScenario(t, s, "rate-limited")
	rec := do(t, s, req{path: "/api/v4/users", token: rootToken})
	expect(t, rec, 429, `{"message":"429 Too Many Requests"}`)
	if rec.Header().Get("Retry-After") != "1" || rec.Header().Get("RateLimit-Limit") != "2000" || rec.Header().Get("RateLimit-Reset") == "" {
		t.Fatalf("%v", rec.Header())
	}
}

func TestScenarioGitLabDown(t *testing.T) {
	s := newTestServer(t, Options{})
	applyScenario(t, s, "gitlab-down")
	for _, p := range []string{"/api/v4/users", "/api/v4/version", "/api/v4/no/such/route"} {
		if rec := do(t, s, req{path: p, token: rootToken}); rec.Code != 503 || rec.Header().Get("Content-Type") != "text/html" {
			t.Errorf("%s: %d %q", p, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	// The control API and health probes still answer.
	expect(t, do(t, s, req{path: "/-/mock/clock"}), 200, "")
	if rec := do(t, s, req{path: "/-/health"}); rec.Code != 200 {
		t.Fatalf("health %d", rec.Code)
	}
	// Reset ends it.
	s.Reset()
	expect(t, do(t, s, req{path: "/api/v4/version", token: rootToken}), 200, "")
}

func TestScenarioSlow(t *testing.T) {
	s := newTestServer(t, Options{})
	applyScenario(t, s, "slow")
	expect(t, do(t, s, req{path: "/api/v4/users/1", token: rootToken}), 200, "")
	st := s.Faults()
	if len(st) != 1 || st[0].Delay != 300*time.Millisecond || st[0].Hits != 1 {
		t.Fatalf("%+v", st)
	}
	if r := s.Requests(RequestFilter{}); len(r) != 1 || r[0].FaultID == nil || r[0].Status != 200 {
		t.Fatalf("%+v", r)
	}
}

// flaky answers some requests with 502 and drops some connections, on the
// same requests after every reset.
func TestScenarioFlaky(t *testing.T) {
	s := newTestServer(t, Options{})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	run := func() []int {
		var got []int
		for range 60 {
			r, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v4/version", nil)
			r.Header.Set("Private-Token", rootToken)
			resp, err := client.Do(r)
			if err != nil {
				got = append(got, 0) // dropped
				continue
			}
			resp.Body.Close()
			got = append(got, resp.StatusCode)
		}
		return got
	}
	if err := s.ApplyScenario("flaky"); err != nil {
		t.Fatal(err)
	}
	first := run()
	applyScenario(t, s, "flaky")
	second := run()
	if !equalInts(first, second) {
		t.Fatalf("not deterministic:\n%v\n%v", first, second)
	}
	count := map[int]int{}
	for _, c := range first {
		count[c]++
	}
	if count[0] == 0 || count[502] == 0 || count[200] < 30 {
		t.Fatalf("outcomes %v", count)
	}
}

func TestScenarioExpiredTokens(t *testing.T) {
	s := newTestServer(t, Options{})
	applyScenario(t, s, "expired-tokens")
	for _, tok := range []string{rootToken, rootAPIToken, johnToken} {
		expect(t, do(t, s, req{path: "/api/v4/user", token: tok}), 401,
			`{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}`)
	}
	// Moving the clock back makes them valid: it is the clock that expired them.
	s.Clock().Set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	expect(t, do(t, s, req{path: "/api/v4/user", token: rootToken}), 200, "")
}

func TestScenarioReadOnlyToken(t *testing.T) {
	s := newTestServer(t, Options{})
	applyScenario(t, s, "read-only-token")
	expect(t, do(t, s, req{path: "/api/v4/users/1", token: rootToken}), 200, "")
	want := `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`
	expect(t, do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken, body: newUserBody}), 403, want)
	expect(t, do(t, s, req{method: "PUT", path: "/api/v4/users/1", token: rootToken, body: `{"bio":"x"}`}), 403, want)
	expect(t, do(t, s, req{method: "DELETE", path: "/api/v4/users/1", token: rootToken}), 403, want)
	if s.store.User(1) == nil || s.store.UserByUsername("newbie") != nil {
		t.Fatal("a write went through")
	}
}

func TestScenarioEmpty(t *testing.T) {
	s := newTestServer(t, Options{})
	applyScenario(t, s, "empty")
	rec := do(t, s, req{path: "/api/v4/users", token: rootToken})
	users := decode[[]map[string]any](t, rec)
	if rec.Code != 200 || len(users) != 1 || users[0]["username"] != "root" || users[0]["is_admin"] != true {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 401, `{"message":"401 Unauthorized"}`)
	// A reset goes back to the baseline fixtures.
	s.Reset()
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 200, "")
}

// Options.Scenario applies at start and again on every reset.
func TestStartScenario(t *testing.T) {
	s := newTestServer(t, Options{Scenario: "gitlab-down"})
	if rec := do(t, s, req{path: "/api/v4/version"}); rec.Code != 503 {
		t.Fatalf("%d", rec.Code)
	}
	s.ClearFaults()
	expect(t, do(t, s, req{path: "/api/v4/version", token: rootToken}), 200, "")
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/reset"}), 204, "")
	if rec := do(t, s, req{path: "/api/v4/version"}); rec.Code != 503 {
		t.Fatalf("after reset: %d", rec.Code)
	}
	if _, err := New(Options{Scenario: "nope"}); err == nil || !strings.Contains(err.Error(), `scenario "nope": unknown scenario (have: empty, `) {
		t.Fatalf("New: %v", err)
	}
}

// Scenarios come from a directory or an fs.FS instead of the embedded ones;
// a file that does not parse is reported with file:line and the field.
func TestScenarioSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("teapot.yaml", "description: I am a teapot\nnow: 2031-02-03T04:05:06Z\nfaults:\n  - {match: {path: /api/v4/version}, respond: {status: 418, body: short and stout}}\n")
	write("notes.txt", "not a scenario")
	s := newTestServer(t, Options{ScenariosDir: dir})
	if got := s.Scenarios(); len(got) != 1 || got[0] != (ScenarioInfo{"teapot", "I am a teapot"}) {
		t.Fatalf("%+v", got)
	}
	if err := s.ApplyScenario("teapot"); err != nil {
		t.Fatal(err)
	}
	rec := do(t, s, req{path: "/api/v4/version"})
	if rec.Code != 418 || rec.Body.String() != "short and stout" || !s.Now().Equal(time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)) {
		t.Fatalf("%d %q %v", rec.Code, rec.Body.String(), s.Now())
	}

	fsys := fstest.MapFS{
		"sc/mini.yaml":  {Data: []byte("description: mini\nfixtures: default.yaml\n")},
		"sc/other.yaml": {Data: []byte("description: other\n")},
	}
	s = newTestServer(t, Options{ScenariosFS: fsys, ScenariosDir: "sc", Scenario: "mini"})
	if len(s.Scenarios()) != 2 || s.store.UserByUsername("john_smith") == nil {
		t.Fatalf("%+v", s.Scenarios())
	}

	bad := []struct{ content, want string }{
		{"description: x\nfaults:\n  - match: {path: /x}\n    error: teapot\n", "bad.yaml:3: faults[0]: error: unknown preset \"teapot\""},
		{"description: x\nfaults:\n  - match: {path: /x}\n    eror: forbidden\n", "bad.yaml:4: faults[0]: eror: unknown key"},
		{"description: x\ncolour: blue\n", "bad.yaml:2: colour: unknown key (want one of description, fixtures, now, faults, users)"},
		{"description: x\nnow: later\n", "bad.yaml:2: now: \"later\" is not an RFC 3339 time"},
		{"description: [x\n", "bad.yaml:1: did not find expected ',' or ']'"},
		{"description: x\nusers:\n  - username: root\n    name: R\n    email: r@example.com\n    colour: blue\n", "bad.yaml:6: users[0].colour"},
		{"description: x\nfixtures: missing.yaml\n", "bad.yaml:2: fixtures: open missing.yaml"},
	}
	for _, tt := range bad {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, "bad.yaml"), []byte(tt.content), 0o644)
		_, err := New(Options{ScenariosDir: d})
		if err == nil || !strings.Contains(err.Error(), filepath.Join(d, tt.want)) {
			t.Errorf("%q: %v\nwant %s", tt.content, err, filepath.Join(d, tt.want))
		}
	}
}

// Inline scenario users keep their lines: the fixture parser reports the
// line in the scenario file.
func TestScenarioInlineUsersKeepLines(t *testing.T) {
	_, err := parseScenario("x.yaml", []byte("description: d\nfaults: []\nusers:\n  - {username: a, name: A, email: a@example.com, state: sleepy}\n"), Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml:4: users[0].state") {
		t.Fatalf("%v", err)
	}
}

// Applying a scenario waits for requests in flight, then switches.
func TestApplyScenarioWhileWaiting(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error)
	go func() {
		_, err := s.WaitFor(ctx, RequestFilter{Status: 503}, 1)
		done <- err
	}()
	s.ApplyScenario("gitlab-down")
	// The wait started before the scenario's reset cleared the journal; the
	// request after it is what it waits for.
	do(t, s, req{path: "/api/v4/version"})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Applying a scenario resets to the baseline fixtures without the start
// scenario (Options.Scenario) underneath; Reset goes back to the start.
func TestApplyScenarioStartsFromTheBaselineNotTheStartScenario(t *testing.T) {
	s := newTestServer(t, Options{Scenario: "empty"})
	if s.store.UserByUsername("john_smith") != nil {
		t.Fatal("the empty scenario has john_smith")
	}
	if err := s.ApplyScenario("ldap-blocked"); err != nil {
		t.Fatal(err)
	}
	if s.store.UserByUsername("john_smith") == nil {
		t.Fatal("ApplyScenario kept the start scenario's fixtures")
	}
	if got := s.Faults(); len(got) != 2 || got[0].Error != FaultLDAPBlocked {
		t.Fatalf("faults: %+v", got)
	}
	s.Reset()
	if s.store.UserByUsername("john_smith") != nil || len(s.Faults()) != 0 {
		t.Fatal("Reset did not return to the start scenario")
	}
}
