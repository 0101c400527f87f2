package client_test

// The legacy /api/v3 layer (mock.Options.CompatV3) through go-gitlab
// (xanzy). Neither client takes a base URL ending in /api/v3: setBaseURL
// appends "api/v4/" to any path that does not already end with it, so
// WithBaseURL(".../api/v3") gives ".../api/v3/api/v4/" (pinned below). The
// clients' own hook for that is a request option: rebaseOntoV3, installed on
// the whole client with WithRequestOptions, moves every request from
// /api/v4/ onto /api/v3/, so the typed UsersService methods and the generic
// NewRequest/Do talk to the v3 layer. The byte-level v3 answers (curl-like raw
// HTTP) are pinned in mock/v3_test.go.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashicorp/go-retryablehttp"
	xgitlab "github.com/xanzy/go-gitlab"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// rebaseOntoV3 is a request option of both clients: /api/v4/... -> /api/v3/...
func rebaseOntoV3(r *retryablehttp.Request) error {
	r.URL.Path = strings.Replace(r.URL.Path, "/api/v4/", "/api/v3/", 1)
	if r.URL.RawPath != "" {
		r.URL.RawPath = strings.Replace(r.URL.RawPath, "/api/v4/", "/api/v3/", 1)
	}
	return nil
}

// newV3Mock serves a fresh mock with the legacy /api/v3 layer.
func newV3Mock(t *testing.T) string {
	t.Helper()
	s, err := mock.New(mock.Options{CompatV3: true})
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

// xV3 is a go-gitlab client whose every request goes to /api/v3.
func xV3(t *testing.T, url, token string) *xgitlab.Client {
	return xClient(t, url, token, xgitlab.WithRequestOptions(rebaseOntoV3))
}

func TestX_V3BaseURLIsImpossible_ClientAppendsAPIv4(t *testing.T) {
	url := newV3Mock(t)
	c := xClient(t, url+"/api/v3", rootToken)
	if got := c.BaseURL().Path; got != "/api/v3/api/v4/" {
		t.Fatalf("base path = %q; if the client now keeps /api/v3, test the typed methods on it directly", got)
	}
	_, resp, err := c.Users.CurrentUser()
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("CurrentUser on /api/v3/api/v4/user: %v, %v; want a 404", resp, err)
	}
}

func TestX_V3ReadUsers_RebasedPerRequest(t *testing.T) {
	url := newV3Mock(t)
	admin, john := xV3(t, url, rootToken), xV3(t, url, johnToken)

	// Seed 003: "extern_uid": "john.smith", "provider": "provider_name",
	// "is_admin": false: the flat pair decodes into User.ExternUID/Provider.
	u, resp, err := admin.Users.GetUser(johnID, xgitlab.GetUsersOptions{})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if resp.Request.URL.Path != "/api/v3/users/1" {
		t.Fatalf("request went to %s", resp.Request.URL.Path)
	}
	if u.Username != "john_smith" || u.Email != "john@example.com" || u.ExternUID != johnIdentities["github"] ||
		u.Provider != "github" || u.IsAdmin || !u.CreatedAt.Equal(johnCreatedAt) || u.ThemeID != 1 || u.ColorSchemeID != 2 {
		t.Fatalf("GetUser: %+v", u)
	}

	// Seed 002 "For user": is_admin for everyone.
	root, _, err := john.Users.GetUser(rootID, xgitlab.GetUsersOptions{})
	if err != nil || !root.IsAdmin || root.Email != "" {
		t.Fatalf("GetUser(root) as john: %+v, %v", root, err)
	}

	// Seed 002 "For normal users" lists jack_smith "blocked": every user,
	// ascending ids.
	list, _, err := john.Users.ListUsers(&xgitlab.ListUsersOptions{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	var ids []int
	for _, u := range list {
		ids = append(ids, u.ID)
	}
	if !sameIDs(ids, sortedAsc(allUserIDs)) || list[1].State != "blocked" {
		t.Fatalf("ListUsers ids %v", ids)
	}
	jack, _, err := admin.Users.ListUsers(&xgitlab.ListUsersOptions{Username: xgitlab.Ptr("jack_smith")})
	if err != nil || len(jack) != 1 || jack[0].ID != jackID {
		t.Fatalf("ListUsers(username=jack_smith): %v, %v", jack, err)
	}

	me, _, err := john.Users.CurrentUser()
	if err != nil || me.ID != johnID || me.Email != "john@example.com" {
		t.Fatalf("CurrentUser: %+v, %v", me, err)
	}
	if _, resp, err := xV3(t, url, anonymous).Users.CurrentUser(); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous CurrentUser: %v, %v; want 401", resp, err)
	}
}

func TestX_V3WriteUsers_RebasedPerRequest(t *testing.T) {
	url := newV3Mock(t)
	admin := xV3(t, url, rootToken)

	created, resp, err := admin.Users.CreateUser(&xgitlab.CreateUserOptions{
		Email: xgitlab.Ptr("legacy@example.com"), Password: xgitlab.Ptr(strongPassword),
		Username: xgitlab.Ptr("legacy"), Name: xgitlab.Ptr("Legacy Client"),
		ExternUID: xgitlab.Ptr("legacy.uid"), Provider: xgitlab.Ptr("ldapmain"),
	})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("CreateUser: %v, %v", resp, err)
	}
	if created.ExternUID != "legacy.uid" || created.Provider != "ldapmain" {
		t.Fatalf("CreateUser: %+v", created)
	}

	mod, _, err := admin.Users.ModifyUser(created.ID, &xgitlab.ModifyUserOptions{Name: xgitlab.Ptr("Renamed")})
	if err != nil || mod.Name != "Renamed" {
		t.Fatalf("ModifyUser: %+v, %v", mod, err)
	}

	// Seed: "PUT /users/:uid/block" "Will return 200 OK on success". The
	// typed BlockUser sends POST (v4), so the generic request path is used.
	for _, step := range []struct {
		path string
		want bool
	}{{"users/1/block", true}, {"users/1/block", false}, {"users/1/unblock", true}} {
		req, err := admin.NewRequest(http.MethodPut, step.path, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		resp, err := admin.Do(req, &ok)
		if err != nil || resp.StatusCode != http.StatusOK || ok != step.want {
			t.Fatalf("PUT %s: %v, %v, %v; want 200 %v", step.path, resp, ok, err, step.want)
		}
	}
	req, _ := admin.NewRequest(http.MethodPut, "users/4/unblock", nil, nil)
	if resp, err := admin.Do(req, nil); err == nil || resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(err.Error(), "LDAP blocked users cannot be unblocked by the API") {
		t.Fatalf("unblock ldap_user: %v, %v", resp, err)
	}

	// Seed: DELETE "In the former the user is returned".
	req, _ = admin.NewRequest(http.MethodDelete, "users/42", nil, nil)
	var deleted xgitlab.User
	if resp, err := admin.Do(req, &deleted); err != nil || resp.StatusCode != http.StatusOK || deleted.Username != "jane_doe" {
		t.Fatalf("DELETE users/42: %v, %+v, %v", resp, deleted, err)
	}
	// The typed DeleteUser accepts the 200 too (idempotent in v3).
	if resp, err := admin.Users.DeleteUser(janeID); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("DeleteUser again: %v, %v", resp, err)
	}
	if _, resp, err := admin.Users.GetUser(janeID, xgitlab.GetUsersOptions{}); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GetUser after delete: %v, %v", resp, err)
	}
}

func TestX_V3DeleteKeysAndEmails_RebasedPerRequest(t *testing.T) {
	url := newV3Mock(t)
	admin, john := xV3(t, url, rootToken), xV3(t, url, johnToken)
	// Seed: DELETE of keys and emails -> 200 (with the deleted object).
	for name, call := range map[string]func() (*xgitlab.Response, error){
		"DeleteSSHKey(1)":              func() (*xgitlab.Response, error) { return john.Users.DeleteSSHKey(1) },
		"DeleteSSHKeyForUser(john, 3)": func() (*xgitlab.Response, error) { return admin.Users.DeleteSSHKeyForUser(johnID, 3) },
		"DeleteEmail(1)":               func() (*xgitlab.Response, error) { return john.Users.DeleteEmail(1) },
		"DeleteEmailForUser(john, 3)":  func() (*xgitlab.Response, error) { return admin.Users.DeleteEmailForUser(johnID, 3) },
	} {
		if resp, err := call(); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %v, %v; want 200", name, resp, err)
		}
	}
	req, _ := admin.NewRequest(http.MethodDelete, "users/1/keys/3", nil, nil)
	if resp, err := admin.Do(req, nil); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleting key 3 again: %v, %v; want 404 Key Not Found", resp, err)
	}
	keys, _, err := xClient(t, url, rootToken).Users.ListSSHKeysForUser(johnID, nil)
	if err != nil || len(keys) != 0 {
		t.Errorf("v4 keys after the v3 deletes: %v, %v", keys, err)
	}
}
