package mock

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// addFault posts a rule over HTTP and returns its id.
func addFault(t *testing.T, s *Server, rule string) int {
	t.Helper()
	rec := do(t, s, req{method: http.MethodPost, path: "/-/mock/faults", body: rule})
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /-/mock/faults %s: %d %s", rule, rec.Code, rec.Body.String())
	}
	return int(decode[map[string]any](t, rec)["id"].(float64))
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"/api/v4/users/*/block", "/api/v4/users/1/block", true},
		{"/api/v4/users/*/block", "/api/v4/users/block", false},
		{"/api/v4/users/*/block", "/api/v4/users/1/2/block", false},
		{"/api/v4/users/*", "/api/v4/users/", true}, // an empty segment is a segment
		{"/api/v4/**", "/api/v4", true},
		{"/api/v4/**", "/api/v4/users/1/keys/2", true},
		{"/api/v4/**/keys", "/api/v4/users/1/keys", true},
		{"/api/v4/**/keys", "/api/v4/keys", true},
		{"/api/v4/**/keys", "/api/v4/users/1/emails", false},
		{"/**", "/anything/at/all", true},
		{"/api/v4/users/1*", "/api/v4/users/12", true},
		{"/api/v4/users", "/api/v4/users/1", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.glob, tt.path); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
}

// A faulted request gets the scripted answer, never reaches the handler and
// changes nothing; the rule's counters say so.
func TestFaultRespondNeverReachesHandler(t *testing.T) {
	s := newTestServer(t, Options{})
	id := addFault(t, s, `{"name":"no deletes","match":{"method":"DELETE","path":"/api/v4/users/*"},
		"respond":{"status":409,"body":{"message":"scripted"},"headers":{"X-Scripted":"yes"}},"times":1}`)
	rec := do(t, s, req{method: http.MethodDelete, path: "/api/v4/users/7", token: rootToken})
	expect(t, rec, http.StatusConflict, `{"message":"scripted"}`)
	if rec.Header().Get("X-Scripted") != "yes" {
		t.Errorf("X-Scripted = %q", rec.Header().Get("X-Scripted"))
	}
	expect(t, do(t, s, req{path: "/api/v4/users/7", token: rootToken}), http.StatusOK, "")
	// times: 1 is used up: the next delete is real.
	expect(t, do(t, s, req{method: http.MethodDelete, path: "/api/v4/users/7", token: rootToken}), http.StatusNoContent, "")

	list := s.Faults()
	if len(list) != 1 || list[0].ID != id || list[0].Hits != 1 || list[0].Matched != 2 || list[0].Remaining == nil || *list[0].Remaining != 0 {
		t.Fatalf("Faults() = %+v", list)
	}
	rec = do(t, s, req{path: "/-/mock/faults"})
	expect(t, rec, http.StatusOK, `[{"id":1,"name":"no deletes","match":{"method":"DELETE","path":"/api/v4/users/*"},"respond":{"status":409,"body":{"message":"scripted"},"headers":{"X-Scripted":"yes"}},"times":1,"hits":1,"matched":2,"remaining":0}]`)
}

func TestFaultPresets(t *testing.T) {
	const html502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	tests := []struct {
		preset, method, path string
		status               int
		body, ctype          string
	}{
		{"unauthorized", "GET", "/api/v4/user", 401, `{"message":"401 Unauthorized"}`, "application/json"},
		{"forbidden", "GET", "/api/v4/users", 403, `{"message":"403 Forbidden"}`, "application/json"},
		{"not_found", "GET", "/api/v4/users/1", 404, `{"message":"404 Not Found"}`, "application/json"},
		{"ldap_blocked", "POST", "/api/v4/users/1/block", 403, `{"message":"403 Forbidden - LDAP blocked users cannot be modified by the API"}`, "application/json"},
		{"ldap_blocked", "POST", "/api/v4/users/1/unblock", 403, `{"message":"403 Forbidden - LDAP blocked users cannot be unblocked by the API"}`, "application/json"},
		{"rate_limited", "GET", "/api/v4/users", 429, `{"message":"429 Too Many Requests"}`, "application/json"},
		{"server_error", "GET", "/api/v4/users", 500, `{"message":"500 Internal Server Error"}`, "application/json"},
		{"bad_gateway", "GET", "/api/v4/users", 502, html502, "text/html"},
		{"service_unavailable", "GET", "/api/v4/users", 503, strings.ReplaceAll(strings.ReplaceAll(html502, "502", "503"), "Bad Gateway", "Service Temporarily Unavailable"), "text/html"},
		{"gateway_timeout", "GET", "/api/v4/users", 504, strings.ReplaceAll(strings.ReplaceAll(html502, "502", "504"), "Bad Gateway", "Gateway Time-out"), "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.preset+tt.path, func(t *testing.T) {
			s := newTestServer(t, Options{})
			if _, err := s.AddFault(Fault{Match: FaultMatch{Path: "/api/v4/**"}, Error: tt.preset}); err != nil {
				t.Fatal(err)
			}
			rec := do(t, s, req{method: tt.method, path: tt.path, token: rootToken})
			if rec.Code != tt.status || rec.Body.String() != tt.body || rec.Header().Get("Content-Type") != tt.ctype {
				t.Fatalf("got %d %q %q\nwant %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), tt.status, tt.ctype, tt.body)
			}
		})
	}
}

// rate_limited answers with GitLab's throttle headers; RateLimit-Limit stays
// large because clients derive their own limiter from it.
func TestFaultRateLimitedHeaders(t *testing.T) {
	s := newTestServer(t, Options{})
	if _, err := s.AddFault(Fault{Error: FaultRateLimited}); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Truncate(time.Second)
	rec := do(t, s, req{path: "/api/v4/users", token: rootToken})
	h := rec.Header()
	if rec.Code != 429 || h.Get("Retry-After") != "60" || h.Get("RateLimit-Limit") != "2000" ||
		h.Get("RateLimit-Remaining") != "0" || h.Get("RateLimit-Observed") != "2001" || h.Get("RateLimit-Name") != "throttle_authenticated_api" {
		t.Fatalf("%d %v", rec.Code, h)
	}
	reset, err := strconv.ParseInt(h.Get("RateLimit-Reset"), 10, 64)
	if err != nil || reset < before.Add(60*time.Second).Unix() {
		t.Fatalf("RateLimit-Reset = %q", h.Get("RateLimit-Reset"))
	}
	rt, err := http.ParseTime(h.Get("RateLimit-ResetTime"))
	if err != nil || rt.Unix() != reset {
		t.Fatalf("RateLimit-ResetTime = %q, want the time of RateLimit-Reset", h.Get("RateLimit-ResetTime"))
	}

	// respond.headers override the preset's; Reset follows Retry-After.
	s2 := newTestServer(t, Options{})
	addFault(t, s2, `{error: rate_limited, respond: {headers: {Retry-After: "2"}}}`)
	rec = do(t, s2, req{path: "/api/v4/users"})
	if rec.Header().Get("Retry-After") != "2" || rec.Header().Get("RateLimit-Limit") != "2000" {
		t.Fatalf("%v", rec.Header())
	}
}

func TestFaultMatching(t *testing.T) {
	tests := []struct {
		name  string
		match FaultMatch
		r     req
		fires bool
	}{
		{"method", FaultMatch{Method: "post"}, req{method: "POST", path: "/api/v4/users"}, true},
		{"other method", FaultMatch{Method: "POST"}, req{path: "/api/v4/users"}, false},
		{"method list", FaultMatch{Method: "PUT|POST"}, req{method: "POST", path: "/api/v4/users"}, true},
		{"path", FaultMatch{Path: "/api/v4/users/*"}, req{path: "/api/v4/users/1"}, true},
		{"other path", FaultMatch{Path: "/api/v4/users/*"}, req{path: "/api/v4/user"}, false},
		{"unknown route", FaultMatch{Path: "/api/v4/**"}, req{path: "/api/v4/nope/nope"}, true},
		{"user by header", FaultMatch{User: "John_Smith"}, req{path: "/api/v4/user", token: johnToken}, true},
		{"user by bearer", FaultMatch{User: "john_smith"}, req{path: "/api/v4/user", header: map[string]string{"Authorization": "Bearer " + johnToken}}, true},
		{"user by query", FaultMatch{User: "john_smith"}, req{path: "/api/v4/user?private_token=" + johnToken}, true},
		{"other user", FaultMatch{User: "john_smith"}, req{path: "/api/v4/user", token: rootToken}, false},
		{"anonymous", FaultMatch{User: "john_smith"}, req{path: "/api/v4/user"}, false},
		{"expired token is nobody", FaultMatch{User: "john_smith"}, req{path: "/api/v4/user", token: johnExpired}, false},
		{"query", FaultMatch{Query: map[string]string{"search": "john"}}, req{path: "/api/v4/users?search=john"}, true},
		{"query other value", FaultMatch{Query: map[string]string{"search": "john"}}, req{path: "/api/v4/users?search=jack"}, false},
		{"query present", FaultMatch{Query: map[string]string{"search": "*"}}, req{path: "/api/v4/users?search="}, true},
		{"query absent", FaultMatch{Query: map[string]string{"search": "*"}}, req{path: "/api/v4/users"}, false},
		{"control calls never", FaultMatch{}, req{path: "/-/mock/clock"}, false},
		{"health never", FaultMatch{}, req{path: "/-/health"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Options{})
			if _, err := s.AddFault(Fault{Match: tt.match, Respond: &FaultResponse{Status: 418}}); err != nil {
				t.Fatal(err)
			}
			rec := do(t, s, tt.r)
			if fired := rec.Code == 418; fired != tt.fires {
				t.Fatalf("fired = %v (status %d), want %v", fired, rec.Code, tt.fires)
			}
		})
	}
}

// Matching on the caller does not touch the token's last_used_at.
func TestFaultUserMatchHasNoSideEffects(t *testing.T) {
	s := newTestServer(t, Options{})
	addFault(t, s, `{match: {user: john_smith}, error: forbidden}`)
	expect(t, do(t, s, req{path: "/api/v4/user", token: johnToken}), 403, `{"message":"403 Forbidden"}`)
	if tok := s.store.TokenByValue(johnToken); tok.LastUsedAt != nil {
		t.Fatalf("last_used_at = %v, want untouched", tok.LastUsedAt)
	}
}

func TestFaultTimesAfter(t *testing.T) {
	s := newTestServer(t, Options{})
	if _, err := s.AddFault(Fault{Match: FaultMatch{Path: "/api/v4/version"}, Error: FaultServerError, After: 1, Times: 2}); err != nil {
		t.Fatal(err)
	}
	var got []int
	for range 5 {
		got = append(got, do(t, s, req{path: "/api/v4/version", token: rootToken}).Code)
	}
	if want := []int{200, 500, 500, 200, 200}; !equalInts(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
	st := s.Faults()[0]
	if st.Hits != 2 || st.Matched != 5 || *st.Remaining != 0 {
		t.Fatalf("%+v", st)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// probability with a seed fires on the same requests in every run and
// after every reset.
func TestFaultProbabilityIsSeeded(t *testing.T) {
	run := func(s *Server) []int {
		var got []int
		for range 40 {
			got = append(got, do(t, s, req{path: "/api/v4/version"}).Code)
		}
		return got
	}
	rule := Fault{Match: FaultMatch{Path: "/api/v4/version"}, Error: FaultBadGateway, Probability: 0.3, Seed: 42}
	a := newTestServer(t, Options{})
	a.AddFault(rule)
	first := run(a)
	a.Reset()
	a.AddFault(rule)
	second := run(a)
	b := newTestServer(t, Options{})
	b.AddFault(rule)
	third := run(b)
	if !equalInts(first, second) || !equalInts(first, third) {
		t.Fatalf("sequences differ:\n%v\n%v\n%v", first, second, third)
	}
	fired := 0
	for _, c := range first {
		if c == 502 {
			fired++
		}
	}
	if fired == 0 || fired == 40 {
		t.Fatalf("fired %d of 40 at p=0.3", fired)
	}
	if st := a.Faults()[0]; st.Hits != fired || st.Matched != 40 || st.Remaining != nil {
		t.Fatalf("%+v, want hits %d", st, fired)
	}
}

// A delay-only rule lets the request through to the handler afterwards.
func TestFaultDelayThenHandler(t *testing.T) {
	s := newTestServer(t, Options{})
	addFault(t, s, `{match: {path: /api/v4/version}, delay: 1ms}`)
	expect(t, do(t, s, req{path: "/api/v4/version", token: rootToken}), http.StatusOK, "")
	got := s.Requests(RequestFilter{})
	if len(got) != 1 || got[0].FaultID == nil || *got[0].FaultID != 1 || got[0].Status != 200 {
		t.Fatalf("journal %+v", got)
	}
}

// drop closes the connection with no answer.
func TestFaultDrop(t *testing.T) {
	s := newTestServer(t, Options{})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	addFault(t, s, `{match: {method: POST, path: /api/v4/users}, drop: true, times: 1}`)
	resp, err := http.Post(srv.URL+"/api/v4/users", "application/json", strings.NewReader(`{}`))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got %s, want a closed connection", resp.Status)
	}
	if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("err = %v", err)
	}
	got := s.Requests(RequestFilter{})
	if len(got) != 1 || got[0].Status != 0 || got[0].FaultID == nil {
		t.Fatalf("journal %+v", got)
	}
	if s.Faults()[0].Hits != 1 {
		t.Fatalf("%+v", s.Faults())
	}
}

func TestBadFaultRules(t *testing.T) {
	tests := []struct{ rule, want string }{
		{`{match: {path: /x}, error: teapot}`, `{"message":"line 1: error: unknown preset \"teapot\" (want one of unauthorized, forbidden, not_found, ldap_blocked, rate_limited, server_error, bad_gateway, service_unavailable, gateway_timeout)"}`},
		{`{match: {path: x}, error: forbidden}`, `{"message":"line 1: match.path: \"x\" must start with /"}`},
		{`{match: {path: /x}}`, `{"message":"line 1: the rule does nothing: give respond, error, delay or drop"}`},
		{"match: {path: /x}\nerror: forbidden\ncolour: red", `{"message":"line 3: colour: unknown key (want one of name, match, respond, error, delay, drop, times, after, probability, seed)"}`},
		{"match:\n  pth: /x\nerror: forbidden", `{"message":"line 2: match.pth: unknown key (want one of method, path, user, query)"}`},
		{`{respond: {status: 99}}`, `{"message":"line 1: respond.status: 99 is not an HTTP status (100-599)"}`},
		{`{respond: {status: "x"}}`, "{\"message\":\"line 1: cannot unmarshal !!str `x` into int\"}"},
		{`{error: forbidden, respond: {status: 500}}`, `{"message":"line 1: give either respond (status, body) or error, not both"}`},
		{`{drop: true, error: forbidden}`, `{"message":"line 1: drop closes the connection: it cannot also respond"}`},
		{"error: forbidden\ndelay: soon", `{"message":"line 2: delay: \"soon\" is not a duration (like 250ms, 48h or 3d)"}`},
		{`{error: forbidden, probability: 1.5}`, `{"message":"line 1: probability: 1.5 is not in (0, 1]"}`},
		{`{error: forbidden, times: -1}`, `{"message":"line 1: times: must not be negative"}`},
		{`{match: {method: "GET!"}, error: forbidden}`, `{"message":"line 1: match.method: \"GET!\" is not an HTTP method"}`},
		{`[1, 2]`, `{"message":"line 1: a fault rule must be a mapping"}`},
		{``, `{"message":"the body is empty: send a fault rule"}`},
		{`{"error": "forbidden",`, `{"message":"line 1: did not find expected node content"}`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			s := newTestServer(t, Options{})
			rec := do(t, s, req{method: http.MethodPost, path: "/-/mock/faults", body: tt.rule})
			expect(t, rec, http.StatusBadRequest, tt.want)
			if len(s.Faults()) != 0 {
				t.Fatal("a bad rule was added")
			}
		})
	}
	// The Go API validates the same way.
	s := newTestServer(t, Options{})
	if _, err := s.AddFault(Fault{Error: "teapot"}); err == nil || !strings.Contains(err.Error(), "unknown preset") {
		t.Fatalf("AddFault: %v", err)
	}
}

func TestFaultListAndDelete(t *testing.T) {
	s := newTestServer(t, Options{})
	expect(t, do(t, s, req{path: "/-/mock/faults"}), 200, `[]`)
	one := addFault(t, s, `{error: forbidden}`)
	two := addFault(t, s, "name: slow\nmatch: {path: /api/v4/users}\ndelay: 250ms\n")
	if one != 1 || two != 2 {
		t.Fatalf("ids %d %d", one, two)
	}
	expect(t, do(t, s, req{path: "/-/mock/faults"}), 200, `[{"id":1,"match":{},"error":"forbidden","hits":0,"matched":0,"remaining":null},{"id":2,"name":"slow","match":{"path":"/api/v4/users"},"delay":"250ms","hits":0,"matched":0,"remaining":null}]`)
	expect(t, do(t, s, req{method: "DELETE", path: "/-/mock/faults/1"}), 204, "")
	expect(t, do(t, s, req{method: "DELETE", path: "/-/mock/faults/1"}), 404, `{"message":"404 Fault 1 Not Found"}`)
	if got := s.Faults(); len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("%+v", got)
	}
	expect(t, do(t, s, req{method: "DELETE", path: "/-/mock/faults"}), 204, "")
	if len(s.Faults()) != 0 {
		t.Fatal("not cleared")
	}
	// Go API
	id, _ := s.AddFault(Fault{Error: FaultForbidden})
	if !s.RemoveFault(id) || s.RemoveFault(id) {
		t.Fatal("RemoveFault")
	}
	s.AddFault(Fault{Error: FaultForbidden})
	s.ClearFaults()
	if len(s.Faults()) != 0 {
		t.Fatal("ClearFaults")
	}
}

// A POST answered by a fault changes nothing, even with a valid body.
func TestFaultedWriteChangesNothing(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddFault(Fault{Match: FaultMatch{Method: "POST", Path: "/api/v4/users"}, Error: FaultServerError})
	before := s.store.UserCount()
	rec := do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken,
		body: `{"email":"new@example.com","username":"newbie","name":"New","password":"Vq7#Lm2!Rt9zKw4$"}`})
	expect(t, rec, 500, `{"message":"500 Internal Server Error"}`)
	if s.store.UserCount() != before || s.store.UserByUsername("newbie") != nil {
		t.Fatal("the faulted request created a user")
	}
}

// Faults hands out copies: neither the caller's maps given to AddFault nor
// those of a listed rule are shared with the live rule, so changing them
// while requests fire changes no answer (and does not race; go test -race).
func TestFaultsShareNoMapsWithLiveRules(t *testing.T) {
	s := newTestServer(t, Options{})
	body := map[string]any{"message": "scripted", "list": []any{"a"}}
	headers := map[string]string{"X-Scripted": "yes"}
	query := map[string]string{"page": "*"}
	if _, err := s.AddFault(Fault{Match: FaultMatch{Query: query},
		Respond: &FaultResponse{Status: 409, Body: body, Headers: headers}}); err != nil {
		t.Fatal(err)
	}
	body["message"], headers["X-Scripted"], query["other"] = "changed", "changed", "*"

	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			st := s.Faults()[0]
			st.Respond.Body.(map[string]any)["message"] = "listed"
			st.Respond.Body.(map[string]any)["list"].([]any)[0] = "b"
			st.Respond.Headers["X-Scripted"] = "listed"
			st.Match.Query["more"] = "*"
		}
	}()
	for range 50 {
		rec := do(t, s, req{path: "/api/v4/version?page=1"})
		expect(t, rec, 409, `{"list":["a"],"message":"scripted"}`)
		if got := rec.Header().Get("X-Scripted"); got != "yes" {
			t.Fatalf("X-Scripted = %q", got)
		}
	}
	<-done
}
