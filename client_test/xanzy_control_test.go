package client_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	xgitlab "github.com/xanzy/go-gitlab"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// X's retry path survives two injected 502s, then gets the user: the fault
// fired twice and the journal shows all three attempts.
func TestXRetrySurvivesTwoBadGateways(t *testing.T) {
	s, url := newMock(t)
	id, err := s.AddFault(mock.Fault{Match: mock.FaultMatch{Method: "GET", Path: "/api/v4/users/*"}, Error: mock.FaultBadGateway, Times: 2})
	if err != nil {
		t.Fatal(err)
	}
	u, resp, err := xClient(t, url, rootToken).Users.GetUser(johnID, xgitlab.GetUsersOptions{})
	if err != nil || resp.StatusCode != http.StatusOK || u.Username != "john_smith" {
		t.Fatalf("GetUser: %v %v", err, u)
	}
	f := s.Faults()[0]
	if f.ID != id || f.Hits != 2 || f.Remaining == nil || *f.Remaining != 0 {
		t.Fatalf("fault %+v, want 2 hits and 0 remaining", f)
	}
	calls := s.Requests(mock.RequestFilter{Method: "GET", Path: "/api/v4/users/1"})
	if len(calls) != 3 || calls[0].Status != 502 || calls[1].Status != 502 || calls[2].Status != 200 ||
		*calls[0].FaultID != id || calls[2].FaultID != nil || calls[2].User != "root" {
		t.Fatalf("journal %+v", calls)
	}
}

// Every attempt fails while GitLab is down: X gives up after its 6 attempts
// and reports the proxy's 503.
func TestXGitLabDownScenario(t *testing.T) {
	s, url := newMock(t)
	if err := s.ApplyScenario("gitlab-down"); err != nil {
		t.Fatal(err)
	}
	_, resp, err := xClient(t, url, rootToken).Users.CurrentUser()
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("CurrentUser: %v %v", err, resp)
	}
	if n := len(s.Requests(mock.RequestFilter{Path: "/api/v4/user"})); n != 6 {
		t.Fatalf("%d attempts journaled, want 6", n)
	}
}

// The ldap_blocked preset answers block and unblock with GitLab's 403, which
// X turns into its LDAP sentinels.
func TestXLDAPBlockedPreset(t *testing.T) {
	s, url := newMock(t)
	s.AddFault(mock.Fault{Match: mock.FaultMatch{Method: "POST", Path: "/api/v4/users/*/block"}, Error: mock.FaultLDAPBlocked})
	s.AddFault(mock.Fault{Match: mock.FaultMatch{Method: "POST", Path: "/api/v4/users/*/unblock"}, Error: mock.FaultLDAPBlocked})
	c := xClient(t, url, rootToken)
	if err := c.Users.BlockUser(johnID); !errors.Is(err, xgitlab.ErrUserBlockPrevented) {
		t.Fatalf("BlockUser: %v, want ErrUserBlockPrevented", err)
	}
	if err := c.Users.UnblockUser(jackID); !errors.Is(err, xgitlab.ErrUserUnblockPrevented) {
		t.Fatalf("UnblockUser: %v, want ErrUserUnblockPrevented", err)
	}
	// Nothing changed: john is still active.
	u, _, err := c.Users.GetUser(johnID, xgitlab.GetUsersOptions{})
	if err != nil || u.State != "active" {
		t.Fatalf("GetUser: %v %v", err, u)
	}
	// The same through the shipped scenario.
	if err := s.ApplyScenario("ldap-blocked"); err != nil {
		t.Fatal(err)
	}
	if err := c.Users.BlockUser(user1ID); !errors.Is(err, xgitlab.ErrUserBlockPrevented) {
		t.Fatalf("BlockUser under ldap-blocked: %v", err)
	}
}

// A 429 with GitLab's throttle headers is retried; RateLimit-Limit is large
// enough that X's own limiter does not slow the test down.
func TestXRateLimitedThenServed(t *testing.T) {
	s, url := newMock(t)
	s.AddFault(mock.Fault{Error: mock.FaultRateLimited, Times: 1})
	c := xClient(t, url, rootToken)
	for range 20 {
		if _, _, err := c.Users.CurrentUser(); err != nil {
			t.Fatalf("CurrentUser: %v", err)
		}
	}
	if f := s.Faults()[0]; f.Hits != 1 {
		t.Fatalf("%+v", f)
	}
	if n := len(s.Requests(mock.RequestFilter{Path: "/api/v4/user"})); n != 21 {
		t.Fatalf("%d requests, want 21", n)
	}
}

// WaitFor returns when a goroutine makes the call.
func TestXWaitForCallFromGoroutine(t *testing.T) {
	s, url := newMock(t)
	c := xClient(t, url, rootToken)
	errc := make(chan error, 1)
	go func() { errc <- c.Users.BlockUser(user2ID) }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := s.WaitFor(ctx, mock.RequestFilter{Method: "POST", Path: "/api/v4/users/*/block"}, 1)
	if err != nil || len(got) != 1 || got[0].Path != "/api/v4/users/8/block" || got[0].User != "root" {
		t.Fatalf("WaitFor: %v %+v", err, got)
	}
	if err := <-errc; err != nil {
		t.Fatalf("BlockUser: %v", err)
	}
}

// Reset and the clock through a client's eyes: an expired token works again
// after the clock goes back, and a reset undoes a delete.
func TestXClockAndReset(t *testing.T) {
	s, url := newMock(t)
	c := xClient(t, url, rootToken)
	if _, err := c.Users.DeleteUser(user3ID); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	if _, _, err := c.Users.GetUser(user3ID, xgitlab.GetUsersOptions{}); err != nil {
		t.Fatalf("GetUser after reset: %v", err)
	}
	if err := s.ApplyScenario("expired-tokens"); err != nil {
		t.Fatal(err)
	}
	_, resp, err := c.Users.CurrentUser()
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("CurrentUser with an expired token: %v", err)
	}
	s.Clock().Set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if _, _, err := c.Users.CurrentUser(); err != nil {
		t.Fatalf("CurrentUser once the clock is back: %v", err)
	}
}
