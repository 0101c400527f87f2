package mock

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// newSession creates a session over HTTP and returns its path prefix.
func newSession(t *testing.T, s *Server, body string) string {
	t.Helper()
	rec := do(t, s, req{method: "POST", path: "/-/mock/sessions", body: body})
	expect(t, rec, http.StatusCreated, "")
	info := decode[map[string]any](t, rec)
	url, _ := info["url"].(string)
	id, _ := info["id"].(string)
	if id == "" || url != "http://gitlab.test/-/sessions/"+id {
		t.Fatalf("session %v", info)
	}
	return "/-/sessions/" + id
}

func TestSessionServesTheAPIUnderItsURL(t *testing.T) {
	s := newTestServer(t, Options{})
	sess := newSession(t, s, "")
	rec := do(t, s, req{path: sess + "/api/v4/users?per_page=2", token: rootToken})
	expect(t, rec, 200, "")
	users := decode[[]map[string]any](t, rec)
	if users[0]["web_url"] != "http://gitlab.test"+sess+"/jane_doe" {
		t.Fatalf("web_url = %v", users[0]["web_url"])
	}
	if l := rec.Header().Get("Link"); !strings.HasPrefix(l, "<http://gitlab.test"+sess+"/api/v4/users?page=2&per_page=2>; rel=\"next\"") {
		t.Fatalf("Link = %s", l)
	}
	expect(t, do(t, s, req{path: sess + "/api/v4/nope", token: rootToken}), 404, `{"error":"404 Not Found"}`)
	expect(t, do(t, s, req{path: "/-/sessions/nope/api/v4/users", token: rootToken}), 404, `{"message":"404 Session Not Found"}`)
}

func TestSessionsNeverShareStateFaultsJournalOrClock(t *testing.T) {
	s := newTestServer(t, Options{})
	a, b := newSession(t, s, ""), newSession(t, s, "")

	// State: a user created in a is in neither b nor the root.
	expect(t, do(t, s, req{method: "POST", path: a + "/api/v4/users", token: rootToken,
		body: `{"email":"only@a.io","name":"A","username":"only_a","reset_password":true}`}), 201, "")
	for _, prefix := range []string{b, ""} {
		expect(t, do(t, s, req{path: prefix + "/api/v4/users?username=only_a", token: rootToken}), 200, "[]")
	}
	expect(t, do(t, s, req{path: a + "/api/v4/users?username=only_a", token: rootToken}), 200, "")

	// Faults: a rule added to b fires in b only, on paths relative to b.
	expect(t, do(t, s, req{method: "POST", path: b + "/-/mock/faults", body: `{"match":{"path":"/api/v4/users/1"},"error":"bad_gateway"}`}), 201, "")
	if got := do(t, s, req{path: b + "/api/v4/users/1", token: rootToken}).Code; got != 502 {
		t.Fatalf("fault in b: %d", got)
	}
	for _, prefix := range []string{a, ""} {
		expect(t, do(t, s, req{path: prefix + "/api/v4/users/1", token: rootToken}), 200, "")
	}

	// Journal: each sees its own requests, with paths relative to itself.
	journal := decode[[]map[string]any](t, do(t, s, req{path: b + "/-/mock/requests"}))
	if len(journal) != 2 || journal[0]["path"] != "/api/v4/users" || journal[1]["fault_id"] == nil {
		t.Fatalf("b's journal: %v", journal)
	}

	// Clock: advancing a's clock leaves b's alone.
	expect(t, do(t, s, req{method: "PUT", path: a + "/-/mock/clock", body: `{"now":"2030-01-01T00:00:00Z"}`}), 200, "")
	if clk := decode[map[string]any](t, do(t, s, req{path: b + "/-/mock/clock"})); clk["frozen"] != false {
		t.Fatalf("b's clock: %v", clk)
	}

	// Reset of a restores a only; a root reset ends no session.
	expect(t, do(t, s, req{method: "POST", path: a + "/-/mock/reset"}), 204, "")
	expect(t, do(t, s, req{path: a + "/api/v4/users?username=only_a", token: rootToken}), 200, "[]")
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/reset"}), 204, "")
	if got := do(t, s, req{path: b + "/api/v4/users/1", token: rootToken}).Code; got != 502 {
		t.Fatalf("root reset touched b: %d", got)
	}
}

func TestSessionFixturesScenarioListAndEnd(t *testing.T) {
	s := newTestServer(t, Options{})
	custom := newSession(t, s, `{"fixtures":{"users":[{"username":"solo","name":"Solo","email":"solo@x.io","admin":true,"personal_access_tokens":[{"token":"solo-token","scopes":["api"]}]}]}}`)
	users := decode[[]map[string]any](t, do(t, s, req{path: custom + "/api/v4/users", token: "solo-token"}))
	if len(users) != 1 || users[0]["username"] != "solo" {
		t.Fatalf("custom fixtures: %v", users)
	}
	expect(t, do(t, s, req{path: custom + "/api/v4/user", token: rootToken}), 401, bodyUnauthorized)

	down := newSession(t, s, `{"scenario":"gitlab-down"}`)
	if got := do(t, s, req{path: down + "/api/v4/user", token: rootToken}).Code; got != 503 {
		t.Fatalf("gitlab-down session: %d", got)
	}
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/sessions", body: `{"scenario":"nope"}`}), 404, "")
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/sessions", body: `{"fixtures":"users: [{username: x}]"}`}), 400, "")

	list := decode[[]map[string]any](t, do(t, s, req{path: "/-/mock/sessions"}))
	if len(list) != 2 || "/-/sessions/"+list[0]["id"].(string) != custom {
		t.Fatalf("sessions: %v", list)
	}
	expect(t, do(t, s, req{method: "DELETE", path: "/-/mock/sessions/" + list[0]["id"].(string)}), 204, "")
	expect(t, do(t, s, req{path: custom + "/api/v4/users", token: "solo-token"}), 404, `{"message":"404 Session Not Found"}`)
	expect(t, do(t, s, req{method: "DELETE", path: "/-/mock/sessions/" + list[0]["id"].(string)}), 404, `{"message":"404 Session Not Found"}`)
	// A session has no sessions of its own.
	expect(t, do(t, s, req{method: "POST", path: down + "/-/mock/sessions"}), 404, "")
}

func TestSessionCapAndIdleExpiry(t *testing.T) {
	s := newTestServer(t, Options{MaxSessions: 2})
	newSession(t, s, "")
	newSession(t, s, "")
	rec := do(t, s, req{method: "POST", path: "/-/mock/sessions"})
	expect(t, rec, 429, `{"message":"429 Too Many Requests - the mock serves at most 2 live sessions; end one with DELETE /-/mock/sessions/{id}"}`)

	short := newTestServer(t, Options{SessionTTL: 1}) // 1ns: idle at once
	sess := newSession(t, short, "")
	expect(t, do(t, short, req{path: sess + "/api/v4/users/1", token: rootToken}), 404, `{"message":"404 Session Not Found"}`)
	if n := len(short.Sessions()); n != 0 {
		t.Fatalf("%d sessions after expiry", n)
	}
}

func TestSessionControlNeedsTheControlToken(t *testing.T) {
	s := newTestServer(t, Options{ControlToken: "sekret"})
	expect(t, do(t, s, req{method: "POST", path: "/-/mock/sessions"}), 401, "")
	rec := do(t, s, req{method: "POST", path: "/-/mock/sessions", header: map[string]string{ControlTokenHeader: "sekret"}})
	expect(t, rec, 201, "")
	sess := "/-/sessions/" + decode[map[string]any](t, rec)["id"].(string)
	expect(t, do(t, s, req{method: "POST", path: sess + "/-/mock/reset"}), 401, "")
	expect(t, do(t, s, req{method: "POST", path: sess + "/-/mock/reset", header: map[string]string{ControlTokenHeader: "sekret"}}), 204, "")
}

func TestSessionGoAPI(t *testing.T) {
	s := newTestServer(t, Options{})
	info, err := s.CreateSession(SessionOptions{})
	if err != nil || info.URL != "/-/sessions/"+info.ID {
		t.Fatalf("CreateSession: %v %v", info, err)
	}
	sess, ok := s.Session(info.ID)
	if !ok {
		t.Fatal("Session not found")
	}
	if _, err := sess.AddFault(Fault{Match: FaultMatch{Path: "/api/v4/user"}, Error: "forbidden"}); err != nil {
		t.Fatal(err)
	}
	expect(t, do(t, s, req{path: info.URL + "/api/v4/user", token: johnToken}), 403, "")
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 200, "")
	if !s.EndSession(info.ID) || s.EndSession(info.ID) {
		t.Fatal("EndSession")
	}
	if _, err := s.CreateSession(SessionOptions{Scenario: "nope"}); err == nil {
		t.Fatal("unknown scenario accepted")
	}
	for i := 0; i < 3; i++ {
		if _, err := s.CreateSession(SessionOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(len(s.Sessions())); got != "3" {
		t.Fatalf("sessions %s", got)
	}
}

// A request checks only its own session's idle time; creating and listing
// sessions sweep them all.
func TestSessionGetChecksOnlyItsOwnSession(t *testing.T) {
	s := newTestServer(t, Options{SessionTTL: time.Hour})
	a, _ := s.CreateSession(SessionOptions{})
	b, _ := s.CreateSession(SessionOptions{})
	c, _ := s.CreateSession(SessionOptions{})
	long := time.Now().Add(-2 * time.Hour)
	s.sessions.byID[b.ID].touch(long)
	s.sessions.byID[c.ID].touch(long)
	if _, ok := s.Session(a.ID); !ok {
		t.Fatal("a ended")
	}
	if len(s.sessions.byID) != 3 {
		t.Fatal("a request to a swept the other sessions")
	}
	expect(t, do(t, s, req{path: b.URL + "/api/v4/version"}), 404, `{"message":"404 Session Not Found"}`)
	if _, ok := s.sessions.byID[b.ID]; ok || len(s.sessions.byID) != 2 {
		t.Fatal("b did not end")
	}
	if got := s.Sessions(); len(got) != 1 || got[0].ID != a.ID {
		t.Fatalf("Sessions() = %+v", got)
	}
}
