package mocktest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock"
	"github.com/gitlab-mock/gitlab-mock/mock/mocktest"
)

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Private-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStart(t *testing.T) {
	srv := mocktest.Start(t)
	if srv.AdminToken != "9koXpg98eAheJpvBs5tK" {
		t.Fatalf("AdminToken = %q", srv.AdminToken)
	}
	if code, body := get(t, srv.URL+"/api/v4/user", srv.AdminToken); code != 200 || !strings.Contains(body, `"username":"root"`) {
		t.Fatalf("%d %s", code, body)
	}
	if got := srv.Requests(mock.RequestFilter{Path: "/api/v4/user"}); len(got) != 1 || got[0].User != "root" {
		t.Fatalf("%+v", got)
	}
}

// Servers in one process share nothing.
func TestManyServersAreIsolated(t *testing.T) {
	a, b := mocktest.Start(t), mocktest.Start(t, mocktest.WithScenario("gitlab-down"))
	a.AddFault(mock.Fault{Error: mock.FaultForbidden})
	if code, _ := get(t, a.URL+"/api/v4/user", a.AdminToken); code != 403 {
		t.Fatalf("a: %d", code)
	}
	if code, _ := get(t, b.URL+"/api/v4/user", b.AdminToken); code != 503 {
		t.Fatalf("b: %d", code)
	}
	if len(b.Faults()) != 1 || len(a.Requests(mock.RequestFilter{})) != 1 || len(b.Requests(mock.RequestFilter{})) != 1 {
		t.Fatal("state leaked between servers")
	}
}

func TestStartOptions(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := mocktest.Start(t,
		mocktest.WithFixtures([]byte("users:\n  - {username: boss, name: Boss, email: b@example.com, admin: true,\n     personal_access_tokens: [{name: t, token: glpat-boss-token-0001, scopes: [api]}]}\n")),
		mocktest.WithNow(at), mocktest.WithControlToken("ctl"), mocktest.WithJournalSize(2))
	if srv.AdminToken != "glpat-boss-token-0001" || !srv.Now().Equal(at) {
		t.Fatalf("%q %v", srv.AdminToken, srv.Now())
	}
	if code, _ := get(t, srv.URL+"/-/mock/clock", ""); code != 401 {
		t.Fatalf("control without token: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v4/users", nil)
		req.Header.Set("Private-Token", srv.AdminToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	if got, err := srv.WaitFor(ctx, mock.RequestFilter{Path: "/api/v4/users"}, 1); err != nil || got[0].Status != 200 {
		t.Fatalf("%v %+v", err, got)
	}
}

// WithNow freezes the clock: the control API says so, and it stays at the
// instant until the test moves it.
func TestWithNowFreezesTheClock(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := mocktest.Start(t, mocktest.WithNow(at))
	if code, body := get(t, srv.URL+"/-/mock/clock", ""); code != 200 || body != `{"now":"2030-01-01T00:00:00Z","frozen":true}` {
		t.Fatalf("%d %s", code, body)
	}
	if got := srv.Clock().Advance(time.Hour); !got.Equal(at.Add(time.Hour)) || !srv.Now().Equal(at.Add(time.Hour)) {
		t.Fatalf("advanced to %v, now %v", got, srv.Now())
	}
	srv.Reset()
	if !srv.Now().Equal(at) {
		t.Fatalf("after reset: %v", srv.Now())
	}
}
