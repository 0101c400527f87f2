package client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	xgitlab "github.com/xanzy/go-gitlab"
	cgitlab "gitlab.com/gitlab-org/api/client-go"
)

// startSession creates a session through the sidecar's control API and
// returns its URL: the base URL a client uses.
func startSession(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Post(base+"/-/mock/sessions", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info struct{ ID, URL string }
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /-/mock/sessions: %d %v", resp.StatusCode, err)
	}
	if info.URL != base+"/-/sessions/"+info.ID {
		t.Fatalf("session url %q", info.URL)
	}
	return info.URL
}

// Two test processes sharing one sidecar: each works in its own session,
// with a client whose base URL is the session URL, and never sees the other.
func TestXSessionsIsolateTwoClientsOnOneSidecar(t *testing.T) {
	t.Parallel()
	_, base := newMock(t)
	a, b := xClient(t, startSession(t, base), rootToken), xClient(t, startSession(t, base), rootToken)
	root := xClient(t, base, rootToken)

	created, _, err := a.Users.CreateUser(&xgitlab.CreateUserOptions{
		Email: xgitlab.Ptr("sess@x.io"), Name: xgitlab.Ptr("Sess"), Username: xgitlab.Ptr("in_a"), ResetPassword: xgitlab.Ptr(true)})
	if err != nil || created.ID != 43 {
		t.Fatalf("create in a: %v %v", created, err)
	}
	if _, _, err := a.Users.GetUser(43, xgitlab.GetUsersOptions{}); err != nil {
		t.Fatalf("a cannot see its user: %v", err)
	}
	for name, c := range map[string]*xgitlab.Client{"b": b, "root": root} {
		if _, resp, err := c.Users.GetUser(43, xgitlab.GetUsersOptions{}); !errors.Is(err, xgitlab.ErrNotFound) || resp.StatusCode != 404 {
			t.Fatalf("%s sees a's user: %v", name, err)
		}
	}
	if err := b.Users.BlockUser(1); err != nil {
		t.Fatalf("block in b: %v", err)
	}
	for name, c := range map[string]*xgitlab.Client{"a": a, "root": root} {
		u, _, err := c.Users.GetUser(1, xgitlab.GetUsersOptions{})
		if err != nil || u.State != "active" {
			t.Fatalf("%s sees b's block: %v %v", name, u, err)
		}
	}
	// Offset pagination through all pages stays inside the session.
	var seen int
	opt := &xgitlab.ListUsersOptions{ListOptions: xgitlab.ListOptions{PerPage: 3}}
	for {
		users, resp, err := a.Users.ListUsers(opt)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(users)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if seen != 11 {
		t.Fatalf("a lists %d users, want 11", seen)
	}
}

func TestCSessionsIsolateTwoClientsOnOneSidecar(t *testing.T) {
	t.Parallel()
	_, base := newMock(t)
	a, b := cClient(t, startSession(t, base), rootToken), cClient(t, startSession(t, base), rootToken)
	root := cClient(t, base, rootToken)

	created, _, err := a.Users.CreateUser(&cgitlab.CreateUserOptions{
		Email: cgitlab.Ptr("sess@x.io"), Name: cgitlab.Ptr("Sess"), Username: cgitlab.Ptr("in_a"), ResetPassword: cgitlab.Ptr(true)})
	if err != nil || created.ID != 43 {
		t.Fatalf("create in a: %v %v", created, err)
	}
	for name, c := range map[string]*cgitlab.Client{"b": b, "root": root} {
		if _, resp, err := c.Users.GetUser(43, cgitlab.GetUsersOptions{}); !errors.Is(err, cgitlab.ErrNotFound) || resp.StatusCode != 404 {
			t.Fatalf("%s sees a's user: %v", name, err)
		}
	}
	if err := b.Users.BlockUser(1); err != nil {
		t.Fatalf("block in b: %v", err)
	}
	for name, c := range map[string]*cgitlab.Client{"a": a, "root": root} {
		u, _, err := c.Users.GetUser(1, cgitlab.GetUsersOptions{})
		if err != nil || u.State != "active" {
			t.Fatalf("%s sees b's block: %v %v", name, u, err)
		}
	}
	// client-go's own pager follows the session's Link headers.
	users, err := cgitlab.ScanAndCollect(func(p cgitlab.PaginationOptionFunc) ([]*cgitlab.User, *cgitlab.Response, error) {
		return a.Users.ListUsers(&cgitlab.ListUsersOptions{ListOptions: cgitlab.ListOptions{PerPage: 3}}, p)
	})
	if err != nil || len(users) != 11 {
		t.Fatalf("a lists %d users (%v), want 11", len(users), err)
	}
}
