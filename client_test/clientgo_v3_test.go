package client_test

// The legacy /api/v3 layer through gitlab.com/gitlab-org/api/client-go. As
// with go-gitlab, WithBaseURL(".../api/v3") ends in /api/v3/api/v4/, so the
// typed methods run with rebaseOntoV3 (see xanzy_v3_test.go); client-go
// also reaches an explicit /api/v3 URL of its host with NewRequestToURL.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	cgitlab "gitlab.com/gitlab-org/api/client-go"
)

// cV3 is a client-go client whose every request goes to /api/v3.
func cV3(t *testing.T, base, token string) *cgitlab.Client {
	return cClient(t, base, token, cgitlab.WithRequestOptions(rebaseOntoV3))
}

func TestC_V3BaseURLIsImpossible_ClientAppendsAPIv4(t *testing.T) {
	base := newV3Mock(t)
	c := cClient(t, base+"/api/v3", rootToken)
	if got := c.BaseURL().Path; got != "/api/v3/api/v4/" {
		t.Fatalf("base path = %q; if the client now keeps /api/v3, test the typed methods on it directly", got)
	}
	_, resp, err := c.Users.CurrentUser()
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("CurrentUser on /api/v3/api/v4/user: %v, %v; want a 404", resp, err)
	}
}

func TestC_V3ReadUsers_RebasedPerRequest(t *testing.T) {
	base := newV3Mock(t)
	admin, john := cV3(t, base, rootToken), cV3(t, base, johnToken)

	// Seed 003: flat "extern_uid"/"provider" and "is_admin".
	u, resp, err := admin.Users.GetUser(johnID, cgitlab.GetUsersOptions{})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if resp.Request.URL.Path != "/api/v3/users/1" {
		t.Fatalf("request went to %s", resp.Request.URL.Path)
	}
	if u.Username != "john_smith" || u.ExternUID != johnIdentities["github"] || u.Provider != "github" ||
		u.IsAdmin || !u.CreatedAt.Equal(johnCreatedAt) || u.ProjectsLimit != 100 || !u.TwoFactorEnabled {
		t.Fatalf("GetUser: %+v", u)
	}
	root, _, err := john.Users.GetUser(rootID, cgitlab.GetUsersOptions{})
	if err != nil || !root.IsAdmin {
		t.Fatalf("GetUser(root) as john: %+v, %v", root, err)
	}

	// Seed 002 "For normal users": blocked users listed too.
	list, resp, err := john.Users.ListUsers(&cgitlab.ListUsersOptions{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	var ids []int64
	for _, u := range list {
		ids = append(ids, int64(u.ID))
	}
	if !sameIDs(ids, sortedAsc(allUserIDs)) || resp.TotalItems != int64(len(allUserIDs)) {
		t.Fatalf("ListUsers ids %v, total %d", ids, resp.TotalItems)
	}
	found, _, err := admin.Users.ListUsers(&cgitlab.ListUsersOptions{Search: cgitlab.Ptr("John")})
	if err != nil || len(found) != 1 || found[0].ID != johnID {
		t.Fatalf("ListUsers(search=John): %v, %v", found, err)
	}

	me, _, err := admin.Users.CurrentUser()
	if err != nil || me.Username != "root" || !me.IsAdmin {
		t.Fatalf("CurrentUser: %+v, %v", me, err)
	}
}

func TestC_V3WriteUsers_NewRequestToURL(t *testing.T) {
	base := newV3Mock(t)
	admin := cClient(t, base, rootToken) // a plain v4 client
	v3 := func(path string) *url.URL {
		u, err := url.Parse(base + "/api/v3/" + path)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	// Seed: "PUT /users/:uid/block" / "PUT /users/:uid/unblock" -> 200.
	for _, step := range []struct {
		path string
		want bool
	}{{"users/1/block", true}, {"users/1/unblock", true}, {"users/1/unblock", false}} {
		req, err := admin.NewRequestToURL(http.MethodPut, v3(step.path), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		resp, err := admin.Do(req, &ok)
		if err != nil || resp.StatusCode != http.StatusOK || ok != step.want {
			t.Fatalf("PUT %s: %v, %v, %v; want 200 %v", step.path, resp, ok, err, step.want)
		}
	}
	req, _ := admin.NewRequestToURL(http.MethodPut, v3("users/4/block"), nil, nil)
	if resp, err := admin.Do(req, nil); err == nil || resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(err.Error(), "LDAP blocked users cannot be modified by the API") {
		t.Fatalf("block ldap_user: %v, %v", resp, err)
	}

	// Seed: DELETE returns the deleted user; for a missing id still 200.
	req, _ = admin.NewRequestToURL(http.MethodDelete, v3("users/42"), nil, nil)
	var deleted cgitlab.User
	if resp, err := admin.Do(req, &deleted); err != nil || resp.StatusCode != http.StatusOK || deleted.ID != janeID || deleted.Email == "" {
		t.Fatalf("DELETE users/42: %v, %+v, %v", resp, deleted, err)
	}
	if resp, err := cV3(t, base, rootToken).Users.DeleteUser(janeID); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("DeleteUser again: %v, %v", resp, err)
	}

	// Typed create and modify on the rebased client.
	c := cV3(t, base, rootToken)
	created, resp, err := c.Users.CreateUser(&cgitlab.CreateUserOptions{
		Email: cgitlab.Ptr("legacy@example.com"), Password: cgitlab.Ptr(strongPassword),
		Username: cgitlab.Ptr("legacy"), Name: cgitlab.Ptr("Legacy Client"),
		ExternUID: cgitlab.Ptr("legacy.uid"), Provider: cgitlab.Ptr("ldapmain"),
	})
	if err != nil || resp.StatusCode != http.StatusCreated || created.ExternUID != "legacy.uid" || created.Provider != "ldapmain" {
		t.Fatalf("CreateUser: %+v, %v, %v", created, resp, err)
	}
	mod, _, err := c.Users.ModifyUser(created.ID, &cgitlab.ModifyUserOptions{ExternUID: cgitlab.Ptr("x.uid"), Provider: cgitlab.Ptr("github")})
	if err != nil || mod.ExternUID != "x.uid" || mod.Provider != "github" {
		t.Fatalf("ModifyUser: %+v, %v", mod, err)
	}
	// A non-admin: 403.
	if _, resp, err := cV3(t, base, johnToken).Users.ModifyUser(johnID, &cgitlab.ModifyUserOptions{Name: cgitlab.Ptr("x")}); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("ModifyUser as john: %v, %v", resp, err)
	}
}

func TestC_V3DeleteKeysAndEmails_RebasedPerRequest(t *testing.T) {
	base := newV3Mock(t)
	admin, john := cV3(t, base, rootToken), cV3(t, base, johnToken)
	// Seed: DELETE of keys and emails -> 200 (with the deleted object).
	for name, call := range map[string]func() (*cgitlab.Response, error){
		"DeleteSSHKey(1)":              func() (*cgitlab.Response, error) { return john.Users.DeleteSSHKey(1) },
		"DeleteSSHKeyForUser(john, 3)": func() (*cgitlab.Response, error) { return admin.Users.DeleteSSHKeyForUser(johnID, 3) },
		"DeleteEmail(1)":               func() (*cgitlab.Response, error) { return john.Users.DeleteEmail(1) },
		"DeleteEmailForUser(john, 3)":  func() (*cgitlab.Response, error) { return admin.Users.DeleteEmailForUser(johnID, 3) },
	} {
		if resp, err := call(); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %v, %v; want 200", name, resp, err)
		}
	}
	// The idempotent current-user delete: 200 again.
	if resp, err := john.Users.DeleteSSHKey(1); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("DeleteSSHKey(1) again: %v, %v; want 200", resp, err)
	}
	emails, _, err := cClient(t, base, rootToken).Users.ListEmailsForUser(johnID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range emails {
		if e.ID != 0 {
			t.Errorf("secondary email %d left after the v3 deletes", e.ID)
		}
	}
}
