package mock_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// rootToken is the administrator's token in the default fixtures.
const rootToken = "9koXpg98eAheJpvBs5tK"

// get requests url as root and returns the status.
func get(url string) int {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("PRIVATE-TOKEN", rootToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Two 502s, then the real answer: what a client's retry path must survive.
func ExampleServer_AddFault() {
	m, _ := mock.New(mock.Options{})
	srv := httptest.NewServer(m)
	defer srv.Close()

	id, _ := m.AddFault(mock.Fault{
		Match: mock.FaultMatch{Method: "GET", Path: "/api/v4/users/*"},
		Error: mock.FaultBadGateway, // the proxy's 502 page
		Times: 2,
	})
	for range 3 {
		fmt.Println(get(srv.URL + "/api/v4/users/1"))
	}
	f := m.Faults()[0]
	fmt.Printf("fault %d: hits %d, remaining %d\n", id, f.Hits, *f.Remaining)
	// Output:
	// 502
	// 502
	// 200
	// fault 1: hits 2, remaining 0
}

// The request journal records every API call (never control calls), with
// tokens and passwords redacted.
func ExampleServer_Requests() {
	m, _ := mock.New(mock.Options{})
	srv := httptest.NewServer(m)
	defer srv.Close()

	get(srv.URL + "/api/v4/users/1")
	get(srv.URL + "/api/v4/users/999999")
	get(srv.URL + "/api/v4/users?search=john&private_token=" + rootToken)
	for _, r := range m.Requests(mock.RequestFilter{Path: "/api/v4/users/**"}) {
		fmt.Println(r.ID, r.Method, r.Path, r.Query, r.User, r.Status)
	}
	// Output:
	// 1 GET /api/v4/users/1  root 200
	// 2 GET /api/v4/users/999999  root 404
	// 3 GET /api/v4/users search=john&private_token=%5BFILTERED%5D root 200
}

// WaitFor returns once the code under test has made the call, even from
// another goroutine.
func ExampleServer_WaitFor() {
	m, _ := mock.New(mock.Options{})
	srv := httptest.NewServer(m)
	defer srv.Close()

	go func() { // the code under test
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v4/users/7/block", nil)
		req.Header.Set("PRIVATE-TOKEN", rootToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := m.WaitFor(ctx, mock.RequestFilter{Method: "POST", Path: "/api/v4/users/*/block"}, 1)
	fmt.Println(err, len(got), got[0].Path, got[0].Status)
	// Output:
	// <nil> 1 /api/v4/users/7/block 201
}

// Reset returns to the fixtures in O(1): state, ids, clock, faults, journal.
func ExampleServer_Reset() {
	m, _ := mock.New(mock.Options{})
	srv := httptest.NewServer(m)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/api/v4/users/7", nil)
	req.Header.Set("PRIVATE-TOKEN", rootToken)
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	fmt.Println(get(srv.URL + "/api/v4/users/7"))
	m.Reset()
	fmt.Println(get(srv.URL + "/api/v4/users/7"))
	// Output:
	// 404
	// 200
}

// A scenario scripts a whole situation; Reset ends it.
func ExampleServer_ApplyScenario() {
	m, _ := mock.New(mock.Options{})
	srv := httptest.NewServer(m)
	defer srv.Close()

	m.ApplyScenario("gitlab-down")
	fmt.Println(get(srv.URL + "/api/v4/user"))
	m.Reset()
	fmt.Println(get(srv.URL + "/api/v4/user"))
	// Output:
	// 503
	// 200
}

// The mock clock drives token expiry.
func ExampleClock() {
	m, _ := mock.New(mock.Options{Fixtures: []byte(`
now: 2030-01-01T00:00:00Z
users:
  - username: root
    name: Administrator
    email: admin@example.com
    admin: true
    personal_access_tokens:
      - {name: ci, token: 9koXpg98eAheJpvBs5tK, scopes: [api], expires_at: 2030-01-02}
`)})
	srv := httptest.NewServer(m)
	defer srv.Close()

	fmt.Println(m.Clock().Now().Format(time.DateOnly), get(srv.URL+"/api/v4/user"))
	m.Clock().Advance(48 * time.Hour)
	fmt.Println(m.Clock().Now().Format(time.DateOnly), get(srv.URL+"/api/v4/user"))
	// Output:
	// 2030-01-01 200
	// 2030-01-03 401
}

// The same control API over HTTP, for a sidecar: what curl would send.
func Example_controlAPI() {
	m, _ := mock.New(mock.Options{ControlToken: "ctl"})
	srv := httptest.NewServer(m)
	defer srv.Close()

	control := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("X-Gitlab-Mock-Token", "ctl")
		resp, _ := http.DefaultClient.Do(req)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%d %s", resp.StatusCode, b)))
	}
	control("POST", "/-/mock/faults", `{"match":{"method":"POST","path":"/api/v4/users/*/block"},"error":"ldap_blocked"}`)
	control("PUT", "/-/mock/clock", `{"now":"2030-01-01T00:00:00Z"}`)
	control("POST", "/-/mock/clock/advance", `{"by":"48h"}`)
	control("POST", "/-/mock/reset", "")
	control("GET", "/-/mock/faults", "")
	// Output:
	// 201 {"id":1,"match":{"method":"POST","path":"/api/v4/users/*/block"},"error":"ldap_blocked","hits":0,"matched":0,"remaining":null}
	// 200 {"now":"2030-01-01T00:00:00Z","frozen":true}
	// 200 {"now":"2030-01-03T00:00:00Z","frozen":true}
	// 204
	// 200 []
}
