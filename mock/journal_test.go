package mock

import (
	"context"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Every API request is journaled with its caller, status and redacted
// secrets; control calls and health probes never are.
func TestJournalRecordsRequests(t *testing.T) {
	s := newTestServer(t, Options{})
	do(t, s, req{path: "/api/v4/users/1?private_token=" + johnToken + "&with_custom_attributes=true"})
	do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken,
		body: `{"username":"x","password":"hunter2hunter2","reset_password":true,"nested":{"token":"abc"}}`})
	do(t, s, req{method: "POST", path: "/api/v4/users", token: rootToken, contentType: "application/x-www-form-urlencoded",
		body: "username=y&password=hunter2hunter2&name=Y"})
	do(t, s, req{path: "/api/v4/nowhere"})
	do(t, s, req{path: "/-/mock/requests"})
	do(t, s, req{path: "/-/health"})

	got := s.Requests(RequestFilter{})
	if len(got) != 4 {
		t.Fatalf("%d entries: %+v", len(got), got)
	}
	first := got[0]
	if first.ID != 1 || first.Method != "GET" || first.Path != "/api/v4/users/1" || first.User != "john_smith" ||
		first.Status != 200 || first.FaultID != nil || first.Time.IsZero() {
		t.Errorf("entry 1: %+v", first)
	}
	if first.Query != "private_token=%5BFILTERED%5D&with_custom_attributes=true" {
		t.Errorf("query %q", first.Query)
	}
	if got[1].Body != `{"nested":{"token":"[FILTERED]"},"password":"[FILTERED]","reset_password":true,"username":"x"}` || got[1].User != "root" {
		t.Errorf("entry 2: %+v", got[1])
	}
	if got[2].Body != "username=y&password=%5BFILTERED%5D&name=Y" {
		t.Errorf("form body %q", got[2].Body)
	}
	if got[3].Status != 404 || got[3].User != "" {
		t.Errorf("entry 4: %+v", got[3])
	}
	for _, r := range got {
		if strings.Contains(r.Query+r.Body, "hunter2") || strings.Contains(r.Query+r.Body, johnToken) {
			t.Errorf("secret journaled: %+v", r)
		}
	}

	// The same over HTTP.
	rec := do(t, s, req{path: "/-/mock/requests?method=get&status=200"})
	list := decode[[]map[string]any](t, rec)
	if rec.Code != 200 || len(list) != 1 || list[0]["path"] != "/api/v4/users/1" {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	for _, k := range []string{"id", "time", "method", "path", "query", "user", "status", "duration_ms", "fault_id"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("entry has no %q: %v", k, list[0])
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, list[0]["time"].(string)); err != nil {
		t.Errorf("time: %v", err)
	}
}

func TestJournalBodyIsCapped(t *testing.T) {
	s := newTestServer(t, Options{})
	long := strings.Repeat("a", 10000)
	do(t, s, req{method: "PUT", path: "/api/v4/users/1", token: rootToken, body: `{"bio":"` + long + `"}`})
	r := s.Requests(RequestFilter{})[0]
	if len(r.Body) != maxJournalBody || !r.BodyTruncated {
		t.Fatalf("body %d bytes, truncated %v", len(r.Body), r.BodyTruncated)
	}
}

func TestJournalFilters(t *testing.T) {
	s := newTestServer(t, Options{})
	do(t, s, req{path: "/api/v4/users/1", token: rootToken})
	mid := time.Now()
	do(t, s, req{method: "DELETE", path: "/api/v4/users/999", token: rootToken})
	do(t, s, req{path: "/api/v4/user", token: johnToken})
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"/api/v4/users/1", "/api/v4/users/999", "/api/v4/user"}},
		{"method=DELETE", []string{"/api/v4/users/999"}},
		{"path=/api/v4/users/*", []string{"/api/v4/users/1", "/api/v4/users/999"}},
		{"path=/api/v4/**", []string{"/api/v4/users/1", "/api/v4/users/999", "/api/v4/user"}},
		{"status=404", []string{"/api/v4/users/999"}},
		{"user=john_smith", []string{"/api/v4/user"}},
		{"since=" + url.QueryEscape(mid.Format(time.RFC3339Nano)), []string{"/api/v4/users/999", "/api/v4/user"}},
	}
	for _, tt := range tests {
		rec := do(t, s, req{path: "/-/mock/requests?" + tt.query})
		var paths []string
		for _, r := range decode[[]Request](t, rec) {
			paths = append(paths, r.Path)
		}
		if strings.Join(paths, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: %v, want %v", tt.query, paths, tt.want)
		}
	}
	expect(t, do(t, s, req{path: "/-/mock/requests?status=abc"}), 400, `{"message":"status: \"abc\" is not an HTTP status"}`)
	expect(t, do(t, s, req{path: "/-/mock/requests?since=yesterday"}), 400, `{"message":"since: \"yesterday\" is not an RFC 3339 time"}`)
	expect(t, do(t, s, req{path: "/-/mock/requests?path=users"}), 400, `{"message":"path: \"users\" must start with /"}`)

	expect(t, do(t, s, req{method: "DELETE", path: "/-/mock/requests"}), 204, "")
	expect(t, do(t, s, req{path: "/-/mock/requests"}), 200, `[]`)
	do(t, s, req{path: "/api/v4/version"})
	if got := s.Requests(RequestFilter{}); len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("after clear: %+v", got)
	}
	s.ClearRequests()
	if len(s.Requests(RequestFilter{})) != 0 {
		t.Fatal("ClearRequests")
	}
}

// The journal is a ring: the oldest entries go first.
func TestJournalIsBounded(t *testing.T) {
	s := newTestServer(t, Options{JournalSize: 3})
	for range 5 {
		do(t, s, req{path: "/api/v4/version"})
	}
	got := s.Requests(RequestFilter{})
	if len(got) != 3 || got[0].ID != 3 || got[2].ID != 5 {
		t.Fatalf("%+v", got)
	}
}

// wait returns once the request a goroutine makes is journaled.
func TestWaitForGoroutine(t *testing.T) {
	s := newTestServer(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := make(chan struct{})
	go func() {
		<-start
		do(t, s, req{method: "POST", path: "/api/v4/users/7/block", token: rootToken})
	}()
	done := make(chan []Request)
	go func() {
		got, _ := s.WaitFor(ctx, RequestFilter{Method: "POST", Path: "/api/v4/users/*/block"}, 1)
		done <- got
	}()
	close(start)
	got := <-done
	if len(got) != 1 || got[0].Path != "/api/v4/users/7/block" {
		t.Fatalf("%+v", got)
	}
}

// WaitFor counts what is already in the journal, and reports what it saw
// when the context ends first.
func TestWaitForCountsJournalAndTimesOut(t *testing.T) {
	s := newTestServer(t, Options{})
	do(t, s, req{path: "/api/v4/version"})
	got, err := s.WaitFor(context.Background(), RequestFilter{Path: "/api/v4/version"}, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %+v", err, got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err = s.WaitFor(ctx, RequestFilter{Path: "/api/v4/version"}, 2)
	if err != context.Canceled || len(got) != 1 {
		t.Fatalf("%v %+v", err, got)
	}
}

func TestWaitOverHTTP(t *testing.T) {
	s := newTestServer(t, Options{})
	do(t, s, req{path: "/api/v4/version"})
	rec := do(t, s, req{path: "/-/mock/requests/wait?path=/api/v4/version&count=2&timeout=10ms"})
	if rec.Code != http.StatusRequestTimeout {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	body := decode[waitTimeout](t, rec)
	if len(body.Requests) != 1 || body.Message != "408 Request Timeout - saw 1 of 2 matching requests in 10ms" {
		t.Fatalf("%+v", body)
	}

	var wg sync.WaitGroup
	wg.Add(1)
	var waited []Request
	var code int
	go func() {
		defer wg.Done()
		rec := do(t, s, req{path: "/-/mock/requests/wait?method=GET&path=/api/v4/version&count=2&timeout=10s"})
		code = rec.Code
		waited = decode[[]Request](t, rec)
	}()
	do(t, s, req{path: "/api/v4/version"})
	wg.Wait()
	if code != 200 || len(waited) != 2 {
		t.Fatalf("%d %+v", code, waited)
	}
	expect(t, do(t, s, req{path: "/-/mock/requests/wait?count=0"}), 400, `{"message":"count: \"0\" is not a positive number"}`)
	expect(t, do(t, s, req{path: "/-/mock/requests/wait?timeout=-1s"}), 400, `{"message":"timeout: \"-1s\" is not a positive duration (like 5s)"}`)
}

func TestRedaction(t *testing.T) {
	tests := []struct{ ctype, body, want string }{
		{"application/json", `{"token":"t","password":"p","private_token":"x","scopes":["api"]}`, `{"password":"[FILTERED]","private_token":"[FILTERED]","scopes":["api"],"token":"[FILTERED]"}`},
		{"", `{"password":"p"}`, `{"password":"[FILTERED]"}`},
		{"application/x-www-form-urlencoded", "a=1&new_password=p&b", "a=1&new_password=%5BFILTERED%5D&b"},
		{"text/plain", "password=hunter2", "[unparsable body not journaled]"},
		{"text/plain", "hello", "hello"},
		{"multipart/form-data; boundary=x", "--x...", "[multipart body not journaled]"},
	}
	for _, tt := range tests {
		if got, _ := redactBody(tt.ctype, []byte(tt.body)); got != tt.want {
			t.Errorf("redactBody(%q, %q) = %q, want %q", tt.ctype, tt.body, got, tt.want)
		}
	}
	// Bodies and queries naming no secret are kept as they are, unparsed;
	// escapes and non-ASCII names that could spell one are parsed.
	fast := []struct{ ctype, body, want string }{
		{"application/json", `{"b":1, "a":"x"}`, `{"b":1, "a":"x"}`},
		{"application/json; charset=utf-8", `{"name":"José"}`, `{"name":"José"}`},
		{"application/json", `{"reset_password":true, "b":1}`, `{"reset_password":true, "b":1}`},
		{"application/json", `{"p\u0061ssword":"p"}`, `{"password":"[FILTERED]"}`},
		{"application/json", `{"to\u212Aen":"p"}`, "{\"to\u212Aen\":\"[FILTERED]\"}"},
		{"application/json", "{\"to\u212Aen\":\"p\"}", "{\"to\u212Aen\":\"[FILTERED]\"}"},
		{"application/x-www-form-urlencoded", "pass%77ord=p&a=1", "pass%77ord=%5BFILTERED%5D&a=1"},
		{"Application/X-WWW-Form-Urlencoded", "a=1&b=2", "a=1&b=2"},
		{"text/plain", "h\u00e9llo", "h\u00e9llo"},
	}
	for _, tt := range fast {
		if got, _ := redactBody(tt.ctype, []byte(tt.body)); got != tt.want {
			t.Errorf("redactBody(%q, %q) = %q, want %q", tt.ctype, tt.body, got, tt.want)
		}
	}
	if got := redactQuery("page=2&per_page=20"); got != "page=2&per_page=20" {
		t.Errorf("redactQuery: %q", got)
	}
	if got := redactQuery("access_token=abc&page=2&Private_Token=x"); got != "access_token=%5BFILTERED%5D&page=2&Private_Token=%5BFILTERED%5D" {
		t.Errorf("redactQuery: %q", got)
	}
}

// Fault rules and the journal see paths relative to the instance's mount
// point (a session's), and skip the instance's own /-/ paths.
func TestPathsAreRelativeToTheMount(t *testing.T) {
	root := newTestServer(t, Options{})
	info, err := root.CreateSession(SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := root.Session(info.ID)
	s.AddFault(Fault{Match: FaultMatch{Path: "/api/v4/version"}, Respond: &FaultResponse{Status: 418}})
	if rec := do(t, root, req{path: info.URL + "/api/v4/version"}); rec.Code != 418 {
		t.Fatalf("%d", rec.Code)
	}
	do(t, root, req{path: info.URL + "/-/mock/requests"})
	got := s.Requests(RequestFilter{})
	if len(got) != 1 || got[0].Path != "/api/v4/version" {
		t.Fatalf("%+v", got)
	}
}

// A wait counts every matching request journaled while it waits, even the
// ones a small journal has already dropped when it looks.
func TestWaitForCountsRequestsThatLeftTheRing(t *testing.T) {
	s := newTestServer(t, Options{JournalSize: 2})
	do(t, s, req{path: "/api/v4/version"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan []Request)
	go func() {
		got, _ := s.WaitFor(ctx, RequestFilter{Path: "/api/v4/version"}, 5)
		done <- got
	}()
	waiting := func() bool {
		s.journal.mu.Lock()
		defer s.journal.mu.Unlock()
		return len(s.journal.waiters) == 1
	}
	for !waiting() {
		runtime.Gosched()
	}
	for range 6 {
		do(t, s, req{path: "/api/v4/version"})
		do(t, s, req{path: "/api/v4/user"})
	}
	got := <-done
	if len(got) != 5 {
		t.Fatalf("%d requests: %+v", len(got), got)
	}
	for i, id := range []int64{1, 2, 4, 6, 8} {
		if r := got[i]; r.ID != id || r.Path != "/api/v4/version" {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
	if len(s.Requests(RequestFilter{})) != 2 {
		t.Fatal("the journal is not bounded")
	}
}
