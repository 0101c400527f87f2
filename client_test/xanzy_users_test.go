package client_test

// The users API as github.com/xanzy/go-gitlab v0.115.0 sees it. Kept
// structurally parallel to clientgo_users_test.go.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	xgitlab "github.com/xanzy/go-gitlab"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// ---- helpers ----

func xIDs(users []*xgitlab.User) []int {
	ids := make([]int, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

func xFind(users []*xgitlab.User, id int) *xgitlab.User {
	for _, u := range users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func xIdentityMap(u *xgitlab.User) map[string]string {
	m := map[string]string{}
	for _, id := range u.Identities {
		m[id.Provider] = id.ExternUID
	}
	return m
}

// xWantError asserts an API error: resp.StatusCode is status and the
// *ErrorResponse's flattened message contains msg.
func xWantError(t *testing.T, resp *xgitlab.Response, err error, status int, msg string) *xgitlab.ErrorResponse {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %d %q", status, msg)
	}
	if resp == nil {
		t.Fatalf("error %v without a response; want %d", err, status)
	}
	if resp.StatusCode != status {
		t.Fatalf("status %d (%v), want %d %q", resp.StatusCode, err, status, msg)
	}
	var er *xgitlab.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("error %T %v is not an *ErrorResponse", err, err)
	}
	if er.Response.StatusCode != status {
		t.Fatalf("ErrorResponse status %d, want %d", er.Response.StatusCode, status)
	}
	if !strings.Contains(er.Message, msg) {
		t.Fatalf("message %q does not contain %q", er.Message, msg)
	}
	return er
}

// xWantNotFound asserts go-gitlab's 404 handling: the ErrNotFound sentinel.
func xWantNotFound(t *testing.T, resp *xgitlab.Response, err error) {
	t.Helper()
	if !errors.Is(err, xgitlab.ErrNotFound) {
		t.Fatalf("error %v, want ErrNotFound", err)
	}
	if resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("response %v, want 404", resp)
	}
}

func xIsoDate(d *xgitlab.ISOTime) string {
	if d == nil {
		return "<nil>"
	}
	return time.Time(*d).Format("2006-01-02")
}

// ---- GET /users ----

func TestXListUsersAdminSeesEveryoneNewestFirstWithAdminFields(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := xClient(t, url, rootToken)

	users, resp, err := c.Users.ListUsers(&xgitlab.ListUsersOptions{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !sameIDs(xIDs(users), allUserIDs) {
		t.Fatalf("ids %v, want %v", xIDs(users), allUserIDs)
	}
	if resp.TotalItems != 10 || resp.TotalPages != 1 || resp.CurrentPage != 1 || resp.ItemsPerPage != 20 || resp.NextPage != 0 {
		t.Fatalf("pagination: total %d pages %d page %d per %d next %d", resp.TotalItems, resp.TotalPages, resp.CurrentPage, resp.ItemsPerPage, resp.NextPage)
	}

	john := xFind(users, johnID)
	if john.Username != "john_smith" || john.Name != "John Smith" || john.Email != "john@example.com" {
		t.Errorf("john = %q %q %q", john.Username, john.Name, john.Email)
	}
	if john.IsAdmin || !john.TwoFactorEnabled || john.State != "active" {
		t.Errorf("john admin=%v 2fa=%v state=%q", john.IsAdmin, john.TwoFactorEnabled, john.State)
	}
	if got := xIdentityMap(john); fmt.Sprint(got) != fmt.Sprint(johnIdentities) {
		t.Errorf("john identities %v, want %v", got, johnIdentities)
	}
	if john.CreatedAt == nil || !john.CreatedAt.Equal(johnCreatedAt) {
		t.Errorf("john created_at %v", john.CreatedAt)
	}
	root := xFind(users, rootID)
	if !root.IsAdmin || root.Email != "admin@example.com" || root.Name != "Administrator" {
		t.Errorf("root admin=%v email=%q name=%q", root.IsAdmin, root.Email, root.Name)
	}
	for id, state := range map[int]string{jackID: "blocked", ldapID: "ldap_blocked", dormantID: "deactivated", pendingID: "blocked_pending_approval", janeID: "active"} {
		if u := xFind(users, id); u.State != state {
			t.Errorf("user %d state %q, want %q", id, u.State, state)
		}
	}
}

func TestXListUsersNonAdminGetsBasicEntityWithoutForbiddenStates(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := xClient(t, url, johnToken)

	users, resp, err := c.Users.ListUsers(&xgitlab.ListUsersOptions{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if !sameIDs(xIDs(users), visibleUserIDs) {
		t.Fatalf("ids %v, want %v (no blocked or ldap_blocked users)", xIDs(users), visibleUserIDs)
	}
	if resp.TotalItems != len(visibleUserIDs) {
		t.Fatalf("X-Total %d, want %d", resp.TotalItems, len(visibleUserIDs))
	}
	for _, u := range users {
		if u.Email != "" || u.IsAdmin || u.Identities != nil || u.TwoFactorEnabled {
			t.Errorf("user %d leaks admin fields: email=%q admin=%v identities=%v 2fa=%v", u.ID, u.Email, u.IsAdmin, u.Identities, u.TwoFactorEnabled)
		}
		if u.Username == "" || u.State == "" || u.WebURL != url+"/"+u.Username {
			t.Errorf("user %d basic fields: username=%q state=%q web_url=%q", u.ID, u.Username, u.State, u.WebURL)
		}
	}
}

func TestXListUsersAnonymousNeedsUsername(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := xClient(t, url, anonymous)

	for _, tc := range []struct {
		name     string
		username string
		want     []int64
	}{
		{"exact username", "john_smith", []int64{johnID}},
		{"username is case-insensitive", "JOHN_SMITH", []int64{johnID}},
		{"blocked users are invisible", "jack_smith", []int64{}},
		{"unknown username", "nobody", []int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			users, resp, err := c.Users.ListUsers(&xgitlab.ListUsersOptions{Username: xgitlab.Ptr(tc.username)})
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if resp.StatusCode != http.StatusOK || !sameIDs(xIDs(users), tc.want) {
				t.Fatalf("status %d ids %v, want 200 %v", resp.StatusCode, xIDs(users), tc.want)
			}
			for _, u := range users {
				if u.Username != "john_smith" || u.Name != "John Smith" || u.Email != "" || u.IsAdmin {
					t.Fatalf("anonymous view %+v", u)
				}
			}
		})
	}
	t.Run("without username is 403", func(t *testing.T) {
		users, resp, err := c.Users.ListUsers(&xgitlab.ListUsersOptions{})
		xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden - Not authorized to access /api/v4/users")
		if users != nil {
			t.Fatalf("users %v on error", users)
		}
	})
}

func TestXListUsersFilters(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	user := xClient(t, url, johnToken)
	before := johnCreatedAt.Add(time.Second)

	for _, tc := range []struct {
		name string
		c    *xgitlab.Client
		opt  xgitlab.ListUsersOptions
		want []int64
	}{
		{"active", admin, xgitlab.ListUsersOptions{Active: xgitlab.Ptr(true)}, []int64{janeID, user3ID, user2ID, user1ID, rootID, johnID}},
		{"blocked includes ldap_blocked", admin, xgitlab.ListUsersOptions{Blocked: xgitlab.Ptr(true)}, []int64{ldapID, jackID}},
		{"blocked is empty for non-admins", user, xgitlab.ListUsersOptions{Blocked: xgitlab.Ptr(true)}, []int64{}},
		{"search name fragment", admin, xgitlab.ListUsersOptions{Search: xgitlab.Ptr("smith")}, []int64{jackID, johnID}},
		{"search full email (admin)", admin, xgitlab.ListUsersOptions{Search: xgitlab.Ptr("john@example.com")}, []int64{johnID}},
		{"username as admin finds blocked users", admin, xgitlab.ListUsersOptions{Username: xgitlab.Ptr("jack_smith")}, []int64{jackID}},
		{"extern_uid and provider (github)", admin, xgitlab.ListUsersOptions{ExternalUID: xgitlab.Ptr("2435223452345"), Provider: xgitlab.Ptr("github")}, []int64{johnID}},
		{"extern_uid and provider (bitbucket)", admin, xgitlab.ListUsersOptions{ExternalUID: xgitlab.Ptr("john.smith"), Provider: xgitlab.Ptr("bitbucket")}, []int64{johnID}},
		{"extern_uid of another provider", admin, xgitlab.ListUsersOptions{ExternalUID: xgitlab.Ptr("john.smith"), Provider: xgitlab.Ptr("github")}, []int64{}},
		{"order_by id asc", admin, xgitlab.ListUsersOptions{OrderBy: xgitlab.Ptr("id"), Sort: xgitlab.Ptr("asc")}, sortedAsc(allUserIDs)},
		{"order_by name asc", admin, xgitlab.ListUsersOptions{OrderBy: xgitlab.Ptr("name"), Sort: xgitlab.Ptr("asc"), Active: xgitlab.Ptr(true)}, []int64{rootID, janeID, johnID, user1ID, user3ID, user2ID}},
		{"order_by username asc", admin, xgitlab.ListUsersOptions{OrderBy: xgitlab.Ptr("username"), Sort: xgitlab.Ptr("asc")}, []int64{dormantID, jackID, janeID, johnID, ldapID, pendingID, rootID, user1ID, user2ID, user3ID}},
		{"order_by username desc", admin, xgitlab.ListUsersOptions{OrderBy: xgitlab.Ptr("username"), Sort: xgitlab.Ptr("desc"), Active: xgitlab.Ptr(true)}, []int64{user3ID, user2ID, user1ID, rootID, johnID, janeID}},
		{"two_factor enabled", admin, xgitlab.ListUsersOptions{TwoFactor: xgitlab.Ptr("enabled")}, []int64{jackID, johnID}},
		{"two_factor disabled", admin, xgitlab.ListUsersOptions{TwoFactor: xgitlab.Ptr("disabled"), Active: xgitlab.Ptr(true)}, []int64{janeID, user3ID, user2ID, user1ID, rootID}},
		{"two_factor is ignored for non-admins", user, xgitlab.ListUsersOptions{TwoFactor: xgitlab.Ptr("enabled"), Username: xgitlab.Ptr("user2")}, []int64{user2ID}},
		{"created_before", admin, xgitlab.ListUsersOptions{CreatedBefore: &before}, []int64{rootID, johnID}},
		{"admins", admin, xgitlab.ListUsersOptions{Admins: xgitlab.Ptr(true)}, []int64{rootID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			users, resp, err := tc.c.Users.ListUsers(&opt)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if !sameIDs(xIDs(users), tc.want) {
				t.Fatalf("ids %v, want %v", xIDs(users), tc.want)
			}
			if resp.TotalItems != len(tc.want) {
				t.Fatalf("X-Total %d, want %d", resp.TotalItems, len(tc.want))
			}
		})
	}
}

func TestXListUsersParameterErrors(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	user := xClient(t, url, johnToken)

	for _, tc := range []struct {
		name   string
		c      *xgitlab.Client
		opt    xgitlab.ListUsersOptions
		status int
		msg    string
	}{
		{"order_by outside the list", admin, xgitlab.ListUsersOptions{OrderBy: xgitlab.Ptr("magic")}, 400, "{error: order_by does not have a valid value}"},
		{"sort outside the list", admin, xgitlab.ListUsersOptions{Sort: xgitlab.Ptr("up")}, 400, "{error: sort does not have a valid value}"},
		{"extern_uid without provider", admin, xgitlab.ListUsersOptions{ExternalUID: xgitlab.Ptr("john.smith")}, 400, "{error: extern_uid, provider provide all or none of parameters}"},
		{"two_factor outside the list", admin, xgitlab.ListUsersOptions{TwoFactor: xgitlab.Ptr("maybe")}, 400, "{error: two_factor does not have a valid value}"},
		{"extern_uid lookup is admin-only", user, xgitlab.ListUsersOptions{ExternalUID: xgitlab.Ptr("john.smith"), Provider: xgitlab.Ptr("bitbucket")}, 403, "{message: 403 Forbidden}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			_, resp, err := tc.c.Users.ListUsers(&opt)
			xWantError(t, resp, err, tc.status, tc.msg)
		})
	}
}

func TestXListUsersOffsetPaginationVisitsEveryPage(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := xClient(t, url, rootToken)

	opt := &xgitlab.ListUsersOptions{ListOptions: xgitlab.ListOptions{PerPage: 2}}
	var got []int
	seen := map[int]bool{}
	for page := 1; ; page++ {
		if page > 10 {
			t.Fatalf("still paging after %d pages", page-1)
		}
		users, resp, err := c.Users.ListUsers(opt)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if resp.CurrentPage != page || resp.TotalItems != 10 || resp.TotalPages != 5 || resp.ItemsPerPage != 2 {
			t.Fatalf("page %d headers: page %d total %d pages %d per %d", page, resp.CurrentPage, resp.TotalItems, resp.TotalPages, resp.ItemsPerPage)
		}
		if wantPrev := page - 1; resp.PreviousPage != wantPrev {
			t.Fatalf("page %d: prev %d, want %d", page, resp.PreviousPage, wantPrev)
		}
		if len(users) != 2 {
			t.Fatalf("page %d: %d users", page, len(users))
		}
		for _, u := range users {
			if seen[u.ID] {
				t.Fatalf("user %d seen twice", u.ID)
			}
			seen[u.ID] = true
			got = append(got, u.ID)
		}
		if resp.NextPage == 0 {
			if page != 5 {
				t.Fatalf("stopped after page %d, want 5", page)
			}
			if resp.NextLink != "" {
				t.Fatalf("last page has rel=next %q", resp.NextLink)
			}
			break
		}
		if resp.NextPage != page+1 || resp.NextLink == "" {
			t.Fatalf("page %d: next %d link %q", page, resp.NextPage, resp.NextLink)
		}
		opt.Page = resp.NextPage
	}
	if !sameIDs(got, allUserIDs) {
		t.Fatalf("collected %v, want %v", got, allUserIDs)
	}

	t.Run("a page past the end is 200 and empty", func(t *testing.T) {
		users, resp, err := c.Users.ListUsers(&xgitlab.ListUsersOptions{ListOptions: xgitlab.ListOptions{PerPage: 2, Page: 9}})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if len(users) != 0 || resp.StatusCode != http.StatusOK || resp.NextPage != 0 || resp.TotalItems != 10 {
			t.Fatalf("users %v status %d next %d total %d", xIDs(users), resp.StatusCode, resp.NextPage, resp.TotalItems)
		}
	})
}

func TestXListUsersKeysetPagination(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := xClient(t, url, rootToken)

	for _, tc := range []struct {
		orderBy, sort string
		want          []int64
	}{
		{"id", "asc", sortedAsc(allUserIDs)},
		{"id", "desc", allUserIDs},
		{"username", "asc", []int64{dormantID, jackID, janeID, johnID, ldapID, pendingID, rootID, user1ID, user2ID, user3ID}},
	} {
		t.Run(tc.orderBy+" "+tc.sort, func(t *testing.T) {
			opt := &xgitlab.ListUsersOptions{ListOptions: xgitlab.ListOptions{Pagination: "keyset", OrderBy: tc.orderBy, Sort: tc.sort, PerPage: 3}}
			var got []int
			var next []xgitlab.RequestOptionFunc
			requests := 0
			for {
				requests++
				if requests > 10 {
					t.Fatalf("still paging after 10 requests")
				}
				users, resp, err := c.Users.ListUsers(opt, next...)
				if err != nil {
					t.Fatalf("request %d: %v", requests, err)
				}
				if resp.TotalItems != 0 || resp.NextPage != 0 {
					t.Errorf("keyset response carries offset headers: total %d next %d", resp.TotalItems, resp.NextPage)
				}
				got = append(got, xIDs(users)...)
				if resp.NextLink == "" {
					break
				}
				if len(users) != 3 {
					t.Fatalf("request %d: %d users before the last page", requests, len(users))
				}
				next = []xgitlab.RequestOptionFunc{xgitlab.WithKeysetPaginationParameters(resp.NextLink)}
			}
			if requests != 4 {
				t.Errorf("%d requests, want 4 (3+3+3+1)", requests)
			}
			if !sameIDs(got, tc.want) {
				t.Fatalf("collected %v, want %v", got, tc.want)
			}
		})
	}
}

// ---- GET /users/:id ----

func TestXGetUser(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	user := xClient(t, url, johnToken)

	t.Run("admin sees UserDetailsWithAdmin", func(t *testing.T) {
		u, resp, err := admin.Users.GetUser(johnID, xgitlab.GetUsersOptions{})
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GetUser: %v %v", resp, err)
		}
		if u.ID != johnID || u.Username != "john_smith" || u.Name != "John Smith" || u.Email != "john@example.com" {
			t.Errorf("john = %d %q %q %q", u.ID, u.Username, u.Name, u.Email)
		}
		if u.IsAdmin || !u.TwoFactorEnabled || u.State != "active" {
			t.Errorf("admin=%v 2fa=%v state=%q", u.IsAdmin, u.TwoFactorEnabled, u.State)
		}
		if got := xIdentityMap(u); fmt.Sprint(got) != fmt.Sprint(johnIdentities) {
			t.Errorf("identities %v, want %v", got, johnIdentities)
		}
		if got := xIsoDate(u.LastActivityOn); got != johnLastActivity {
			t.Errorf("last_activity_on %s, want %s", got, johnLastActivity)
		}
		if u.CreatedAt == nil || !u.CreatedAt.Equal(johnCreatedAt) {
			t.Errorf("created_at %v, want %v", u.CreatedAt, johnCreatedAt)
		}
		if u.WebURL != url+"/john_smith" {
			t.Errorf("web_url %q", u.WebURL)
		}
	})
	t.Run("admin sees is_admin", func(t *testing.T) {
		u, _, err := admin.Users.GetUser(rootID, xgitlab.GetUsersOptions{})
		if err != nil || !u.IsAdmin || u.Email != "admin@example.com" {
			t.Fatalf("root: %+v %v", u, err)
		}
	})
	for _, id := range []int{rootID, johnID} {
		t.Run(fmt.Sprintf("user sees the User entity of %d", id), func(t *testing.T) {
			u, resp, err := user.Users.GetUser(id, xgitlab.GetUsersOptions{})
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GetUser: %v", err)
			}
			if u.ID != id || u.Username == "" || u.CreatedAt == nil {
				t.Errorf("user = %+v", u)
			}
			if u.Email != "" || u.IsAdmin || u.Identities != nil || u.LastActivityOn != nil {
				t.Errorf("non-admin view leaks: email=%q admin=%v identities=%v last_activity_on=%v", u.Email, u.IsAdmin, u.Identities, u.LastActivityOn)
			}
		})
	}
	t.Run("missing user is ErrNotFound", func(t *testing.T) {
		u, resp, err := admin.Users.GetUser(missingID, xgitlab.GetUsersOptions{})
		xWantNotFound(t, resp, err)
		if u != nil {
			t.Fatalf("user %+v on 404", u)
		}
	})
	t.Run("anonymous is 403 Not authorized!", func(t *testing.T) {
		_, resp, err := xClient(t, url, anonymous).Users.GetUser(johnID, xgitlab.GetUsersOptions{})
		xWantError(t, resp, err, http.StatusForbidden, "{message: 403 Forbidden - Not authorized!}")
	})
}

// ---- GET /user ----

func TestXCurrentUser(t *testing.T) {
	t.Parallel()
	s, url := newMock(t)

	for _, tc := range []struct {
		name, token string
		opts        []xgitlab.RequestOptionFunc
		wantID      int
		wantEmail   string
		wantAdmin   bool
	}{
		{"john", johnToken, nil, johnID, "john@example.com", false},
		{"john with read_user", johnReadUser, nil, johnID, "john@example.com", false},
		{"john with read_api", johnReadAPIToken, nil, johnID, "john@example.com", false},
		{"root", rootToken, nil, rootID, "admin@example.com", true},
		{"sudo by username", rootToken, []xgitlab.RequestOptionFunc{xgitlab.WithSudo("john_smith")}, johnID, "john@example.com", false},
		{"sudo by username, any case", rootToken, []xgitlab.RequestOptionFunc{xgitlab.WithSudo("John_Smith")}, johnID, "john@example.com", false},
		{"sudo by id", rootToken, []xgitlab.RequestOptionFunc{xgitlab.WithSudo(johnID)}, johnID, "john@example.com", false},
		{"sudo to oneself", rootToken, []xgitlab.RequestOptionFunc{xgitlab.WithSudo("root")}, rootID, "admin@example.com", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, resp, err := xClient(t, url, tc.token).Users.CurrentUser(tc.opts...)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("CurrentUser: %v", err)
			}
			if u.ID != tc.wantID || u.Email != tc.wantEmail || u.IsAdmin != tc.wantAdmin {
				t.Fatalf("got id=%d email=%q admin=%v, want %d %q %v", u.ID, u.Email, u.IsAdmin, tc.wantID, tc.wantEmail, tc.wantAdmin)
			}
			if tc.wantID == johnID {
				if got := xIdentityMap(u); fmt.Sprint(got) != fmt.Sprint(johnIdentities) {
					t.Errorf("identities %v, want %v", got, johnIdentities)
				}
				// john's first request shows the fixture date; API use then
				// records today's (by the mock clock), as GitLab's ActivityService does.
				if d := xIsoDate(u.LastActivityOn); !u.TwoFactorEnabled || (d != johnLastActivity && d != s.Now().Format("2006-01-02")) {
					t.Errorf("2fa=%v last_activity_on=%s", u.TwoFactorEnabled, xIsoDate(u.LastActivityOn))
				}
			}
		})
	}
}

func TestXAuthenticationFailures(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)

	for _, tc := range []struct {
		name, token string
		opts        []xgitlab.RequestOptionFunc
		status      int
		msg         string
	}{
		{"no token", anonymous, nil, 401, "{message: 401 Unauthorized}"},
		{"unknown token", unknownToken, nil, 401, "{message: 401 Unauthorized}"},
		{"expired token", johnExpiredToken, nil, 401, "{error: invalid_token}, {error_description: Token is expired. You can either do re-authorization or token refresh.}"},
		{"revoked token", johnRevokedToken, nil, 401, "{error: invalid_token}, {error_description: Token was revoked. You have to re-authorize from the user.}"},
		{"blocked user", jackBlockedToken, nil, 403, "{message: 403 Forbidden - Your account has been blocked.}"},
		{"ldap_blocked user", ldapBlockedToken, nil, 403, "{message: 403 Forbidden - Your account has been blocked.}"},
		{"deactivated user", deactivatedToken, nil, 403, "{message: 403 Forbidden - Your account has been deactivated by your administrator."},
		{"user pending approval", pendingToken, nil, 403, "{message: 403 Forbidden - Your account is pending approval from your administrator and hence blocked.}"},
		{"sudo by a non-admin", johnToken, []xgitlab.RequestOptionFunc{xgitlab.WithSudo("root")}, 403, "{message: 403 Forbidden - Must be admin to use sudo}"},
		{"sudo without the sudo scope", rootAPIOnlyToken, []xgitlab.RequestOptionFunc{xgitlab.WithSudo("john_smith")}, 403, "{error: insufficient_scope}"},
		{"sudo without a token", anonymous, []xgitlab.RequestOptionFunc{xgitlab.WithSudo("john_smith")}, 401, "{message: 401 Unauthorized}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, resp, err := xClient(t, url, tc.token).Users.CurrentUser(tc.opts...)
			er := xWantError(t, resp, err, tc.status, tc.msg)
			if u != nil {
				t.Fatalf("user %+v on error", u)
			}
			if strings.Contains(tc.msg, "insufficient_scope") && !strings.Contains(er.Message, "{scope: sudo}") {
				t.Fatalf("insufficient_scope for sudo should name the sudo scope: %q", er.Message)
			}
		})
	}
	t.Run("sudo to a missing user is 404", func(t *testing.T) {
		_, resp, err := xClient(t, url, rootToken).Users.CurrentUser(xgitlab.WithSudo("no_such_user"))
		xWantNotFound(t, resp, err)
	})
}

// ---- POST /users ----

func TestXCreateUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		opt   xgitlab.CreateUserOptions
		check func(t *testing.T, u *xgitlab.User)
	}{
		{"with password", xgitlab.CreateUserOptions{Password: xgitlab.Ptr(strongPassword)}, func(t *testing.T, u *xgitlab.User) {
			if u.IsAdmin || u.State != "active" || u.Identities == nil || len(u.Identities) != 0 {
				t.Errorf("admin=%v state=%q identities=%v", u.IsAdmin, u.State, u.Identities)
			}
		}},
		{"with reset_password", xgitlab.CreateUserOptions{ResetPassword: xgitlab.Ptr(true)}, func(t *testing.T, u *xgitlab.User) {
			if u.IsAdmin || u.State != "active" {
				t.Errorf("admin=%v state=%q", u.IsAdmin, u.State)
			}
		}},
		{"with force_random_password", xgitlab.CreateUserOptions{ForceRandomPassword: xgitlab.Ptr(true)}, func(t *testing.T, u *xgitlab.User) {
			if u.State != "active" {
				t.Errorf("state=%q", u.State)
			}
		}},
		{"with extern_uid and provider", xgitlab.CreateUserOptions{ResetPassword: xgitlab.Ptr(true), ExternUID: xgitlab.Ptr("ext-777"), Provider: xgitlab.Ptr("github")}, func(t *testing.T, u *xgitlab.User) {
			if got := xIdentityMap(u); len(got) != 1 || got["github"] != "ext-777" {
				t.Errorf("identities %v", got)
			}
		}},
		{"with skip_confirmation", xgitlab.CreateUserOptions{Password: xgitlab.Ptr(strongPassword), SkipConfirmation: xgitlab.Ptr(true)}, func(t *testing.T, u *xgitlab.User) {
			if u.ConfirmedAt == nil {
				t.Errorf("confirmed_at is null after skip_confirmation")
			}
		}},
		{"as admin", xgitlab.CreateUserOptions{ResetPassword: xgitlab.Ptr(true), Admin: xgitlab.Ptr(true)}, func(t *testing.T, u *xgitlab.User) {
			if !u.IsAdmin {
				t.Errorf("is_admin false")
			}
		}},
		{"with profile attributes", xgitlab.CreateUserOptions{
			ResetPassword: xgitlab.Ptr(true), Bio: xgitlab.Ptr("Hello"), Location: xgitlab.Ptr("Utrecht"),
			Organization: xgitlab.Ptr("ACME"), JobTitle: xgitlab.Ptr("Engineer"), Note: xgitlab.Ptr("admin note"),
			ProjectsLimit: xgitlab.Ptr(7), CanCreateGroup: xgitlab.Ptr(false), External: xgitlab.Ptr(true),
			PrivateProfile: xgitlab.Ptr(true), WebsiteURL: xgitlab.Ptr("https://example.com"),
		}, func(t *testing.T, u *xgitlab.User) {
			if u.Bio != "Hello" || u.Location != "Utrecht" || u.Organization != "ACME" || u.JobTitle != "Engineer" ||
				u.Note != "admin note" || u.ProjectsLimit != 7 || u.CanCreateGroup || !u.External || !u.PrivateProfile ||
				u.WebsiteURL != "https://example.com" {
				t.Errorf("attributes not stored: %+v", u)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, url := newMock(t)
			c := xClient(t, url, rootToken)
			opt := tc.opt
			opt.Username, opt.Email, opt.Name = xgitlab.Ptr("new_person"), xgitlab.Ptr("new.person@example.com"), xgitlab.Ptr("New Person")

			u, resp, err := c.Users.CreateUser(&opt)
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status %d, want 201", resp.StatusCode)
			}
			if u.ID == 0 || slices.Contains(allUserIDs, int64(u.ID)) {
				t.Fatalf("new id %d", u.ID)
			}
			if u.Username != "new_person" || u.Email != "new.person@example.com" || u.Name != "New Person" {
				t.Fatalf("created %q %q %q", u.Username, u.Email, u.Name)
			}
			if u.CreatedAt == nil || u.WebURL != url+"/new_person" {
				t.Errorf("created_at %v web_url %q", u.CreatedAt, u.WebURL)
			}
			tc.check(t, u)

			got, _, err := c.Users.GetUser(u.ID, xgitlab.GetUsersOptions{})
			if err != nil {
				t.Fatalf("GetUser(%d): %v", u.ID, err)
			}
			if got.Username != "new_person" || got.Email != "new.person@example.com" || got.IsAdmin != u.IsAdmin {
				t.Fatalf("GetUser after create: %+v", got)
			}
			tc.check(t, got)
			found, _, err := c.Users.ListUsers(&xgitlab.ListUsersOptions{Username: xgitlab.Ptr("new_person")})
			if err != nil || len(found) != 1 || found[0].ID != u.ID {
				t.Fatalf("ListUsers(username) after create: %v %v", xIDs(found), err)
			}
		})
	}
}

func TestXCreateUserErrors(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	opt := func(username, email string) *xgitlab.CreateUserOptions {
		o := &xgitlab.CreateUserOptions{Name: xgitlab.Ptr("Someone New"), Password: xgitlab.Ptr(strongPassword)}
		if username != "" {
			o.Username = xgitlab.Ptr(username)
		}
		if email != "" {
			o.Email = xgitlab.Ptr(email)
		}
		return o
	}
	for _, tc := range []struct {
		name, token string
		opt         *xgitlab.CreateUserOptions
		status      int
		msg         string
	}{
		{"email taken", rootToken, opt("someone_new", "john@example.com"), 409, "{message: Email has already been taken}"},
		{"email taken, other case", rootToken, opt("someone_new", "John@Example.COM"), 409, "{message: Email has already been taken}"},
		{"email is a confirmed secondary email", rootToken, opt("someone_new", "email2@example.com"), 409, "{message: Email has already been taken}"},
		{"email is an unconfirmed secondary email", rootToken, opt("someone_new", "email@example.com"), 400, "{message: {email: [has already been taken]}}"},
		{"username taken", rootToken, opt("john_smith", "someone.new@example.com"), 409, "{message: Username has already been taken}"},
		{"username taken, other case", rootToken, opt("John_Smith", "someone.new@example.com"), 409, "{message: Username has already been taken}"},
		{"email is checked before username", rootToken, opt("john_smith", "john@example.com"), 409, "{message: Email has already been taken}"},
		{"non-admin", johnToken, opt("someone_new", "someone.new@example.com"), 403, "{message: 403 Forbidden}"},
		{"read_user token cannot write", johnReadUser, opt("someone_new", "someone.new@example.com"), 403, "{error: insufficient_scope}"},
		{"anonymous", anonymous, opt("someone_new", "someone.new@example.com"), 401, "{message: 401 Unauthorized}"},
		{"username missing", rootToken, opt("", "someone.new@example.com"), 400, "{error: username is missing}"},
		{"email missing", rootToken, opt("someone_new", ""), 400, "{error: email is missing}"},
		{"params are validated before the admin check", johnToken, opt("", "someone.new@example.com"), 400, "{error: username is missing}"},
		{"no password option", rootToken, &xgitlab.CreateUserOptions{Name: xgitlab.Ptr("N"), Username: xgitlab.Ptr("someone_new"), Email: xgitlab.Ptr("someone.new@example.com")}, 400,
			"{error: password, reset_password, force_random_password are missing, at least one parameter must be provided}"},
		{"extern_uid without provider", rootToken, &xgitlab.CreateUserOptions{Name: xgitlab.Ptr("N"), Username: xgitlab.Ptr("someone_new"), Email: xgitlab.Ptr("someone.new@example.com"), ResetPassword: xgitlab.Ptr(true), ExternUID: xgitlab.Ptr("x1")}, 400,
			"{error: extern_uid, provider provide all or none of parameters}"},
		{"invalid email", rootToken, opt("someone_new", "not-an-email"), 400, "{message: {email: [is invalid]}}"},
		{"password too short", rootToken, &xgitlab.CreateUserOptions{Name: xgitlab.Ptr("N"), Username: xgitlab.Ptr("someone_new"), Email: xgitlab.Ptr("someone.new@example.com"), Password: xgitlab.Ptr("Xy1!")}, 400,
			"{message: {password: [is too short (minimum is 8 characters)]}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, resp, err := xClient(t, url, tc.token).Users.CreateUser(tc.opt)
			xWantError(t, resp, err, tc.status, tc.msg)
			if u != nil {
				t.Fatalf("user %+v on error", u)
			}
		})
	}
	// Nothing was created by the failed requests.
	users, resp, err := xClient(t, url, rootToken).Users.ListUsers(&xgitlab.ListUsersOptions{})
	if err != nil || resp.TotalItems != len(allUserIDs) || !sameIDs(xIDs(users), allUserIDs) {
		t.Fatalf("after failed creates: %v total %v err %v", xIDs(users), resp, err)
	}
}

// ---- PUT /users/:id ----

func TestXModifyUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		id    int
		opt   xgitlab.ModifyUserOptions
		check func(t *testing.T, u *xgitlab.User)
	}{
		{"name, bio and admin", janeID, xgitlab.ModifyUserOptions{Name: xgitlab.Ptr("Jane Q. Doe"), Bio: xgitlab.Ptr("Writes tests"), Admin: xgitlab.Ptr(true)}, func(t *testing.T, u *xgitlab.User) {
			if u.Name != "Jane Q. Doe" || u.Bio != "Writes tests" || !u.IsAdmin || u.Username != "jane_doe" {
				t.Errorf("name=%q bio=%q admin=%v username=%q", u.Name, u.Bio, u.IsAdmin, u.Username)
			}
		}},
		{"revoke admin", rootID, xgitlab.ModifyUserOptions{Admin: xgitlab.Ptr(false)}, func(t *testing.T, u *xgitlab.User) {
			if u.IsAdmin {
				t.Errorf("still admin")
			}
		}},
		{"re-sending own email, username and name", johnID, xgitlab.ModifyUserOptions{Email: xgitlab.Ptr("john@example.com"), Username: xgitlab.Ptr("john_smith"), Name: xgitlab.Ptr("John Smith")}, func(t *testing.T, u *xgitlab.User) {
			if u.Email != "john@example.com" || u.Username != "john_smith" || u.Name != "John Smith" {
				t.Errorf("changed: %q %q %q", u.Email, u.Username, u.Name)
			}
		}},
		{"rename", johnID, xgitlab.ModifyUserOptions{Username: xgitlab.Ptr("john_renamed")}, func(t *testing.T, u *xgitlab.User) {
			if u.Username != "john_renamed" || u.WebURL == "" || !strings.HasSuffix(u.WebURL, "/john_renamed") {
				t.Errorf("username=%q web_url=%q", u.Username, u.WebURL)
			}
		}},
		{"email with skip_reconfirmation", johnID, xgitlab.ModifyUserOptions{Email: xgitlab.Ptr("john.new@example.com"), SkipReconfirmation: xgitlab.Ptr(true)}, func(t *testing.T, u *xgitlab.User) {
			if u.Email != "john.new@example.com" {
				t.Errorf("email %q", u.Email)
			}
		}},
		{"email without skip_reconfirmation waits for confirmation", johnID, xgitlab.ModifyUserOptions{Email: xgitlab.Ptr("john.new@example.com")}, func(t *testing.T, u *xgitlab.User) {
			if u.Email != "john@example.com" {
				t.Errorf("email %q changed before confirmation", u.Email)
			}
		}},
		{"profile fields", user1ID, xgitlab.ModifyUserOptions{Location: xgitlab.Ptr("Gent"), Organization: xgitlab.Ptr("ACME"), JobTitle: xgitlab.Ptr("QA"), ProjectsLimit: xgitlab.Ptr(3), External: xgitlab.Ptr(true)}, func(t *testing.T, u *xgitlab.User) {
			if u.Location != "Gent" || u.Organization != "ACME" || u.JobTitle != "QA" || u.ProjectsLimit != 3 || !u.External {
				t.Errorf("attributes not stored: %+v", u)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, url := newMock(t)
			c := xClient(t, url, rootToken)
			opt := tc.opt
			u, resp, err := c.Users.ModifyUser(tc.id, &opt)
			if err != nil {
				t.Fatalf("ModifyUser: %v", err)
			}
			if resp.StatusCode != http.StatusOK || u.ID != tc.id {
				t.Fatalf("status %d id %d", resp.StatusCode, u.ID)
			}
			tc.check(t, u)
			got, _, err := c.Users.GetUser(tc.id, xgitlab.GetUsersOptions{})
			if err != nil {
				t.Fatalf("GetUser: %v", err)
			}
			tc.check(t, got)
		})
	}
}

func TestXModifyUserErrors(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	for _, tc := range []struct {
		name, token string
		id          int
		opt         xgitlab.ModifyUserOptions
		status      int
		msg         string
	}{
		{"username taken", rootToken, johnID, xgitlab.ModifyUserOptions{Username: xgitlab.Ptr("jack_smith")}, 409, "{message: Username has already been taken}"},
		{"username taken, other case", rootToken, johnID, xgitlab.ModifyUserOptions{Username: xgitlab.Ptr("JACK_SMITH")}, 409, "{message: Username has already been taken}"},
		{"email taken", rootToken, johnID, xgitlab.ModifyUserOptions{Email: xgitlab.Ptr("admin@example.com")}, 409, "{message: Email has already been taken}"},
		{"non-admin", johnToken, johnID, xgitlab.ModifyUserOptions{Name: xgitlab.Ptr("Johnny")}, 403, "{message: 403 Forbidden}"},
		{"anonymous", anonymous, johnID, xgitlab.ModifyUserOptions{Name: xgitlab.Ptr("Johnny")}, 401, "{message: 401 Unauthorized}"},
		{"invalid theme", rootToken, johnID, xgitlab.ModifyUserOptions{ThemeID: xgitlab.Ptr(50)}, 400, "{message: {theme_id: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			_, resp, err := xClient(t, url, tc.token).Users.ModifyUser(tc.id, &opt)
			xWantError(t, resp, err, tc.status, tc.msg)
		})
	}
	t.Run("missing user is ErrNotFound", func(t *testing.T) {
		_, resp, err := xClient(t, url, rootToken).Users.ModifyUser(missingID, &xgitlab.ModifyUserOptions{Name: xgitlab.Ptr("Ghost")})
		xWantNotFound(t, resp, err)
	})
	// The failed updates left john alone.
	u, _, err := xClient(t, url, rootToken).Users.GetUser(johnID, xgitlab.GetUsersOptions{})
	if err != nil || u.Username != "john_smith" || u.Email != "john@example.com" || u.Name != "John Smith" {
		t.Fatalf("john after failed updates: %+v %v", u, err)
	}
}

// ---- DELETE /users/:id ----

func TestXDeleteUser(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)

	resp, err := admin.Users.DeleteUser(janeID)
	if err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d, want 204", resp.StatusCode)
	}
	_, resp, err = admin.Users.GetUser(janeID, xgitlab.GetUsersOptions{})
	xWantNotFound(t, resp, err)
	users, resp, err := admin.Users.ListUsers(&xgitlab.ListUsersOptions{})
	if err != nil || resp.TotalItems != len(allUserIDs)-1 || slices.Contains(xIDs(users), janeID) {
		t.Fatalf("after delete: %v total %d err %v", xIDs(users), resp.TotalItems, err)
	}

	t.Run("again is ErrNotFound", func(t *testing.T) {
		resp, err := admin.Users.DeleteUser(janeID)
		xWantNotFound(t, resp, err)
	})
	t.Run("missing user is ErrNotFound", func(t *testing.T) {
		resp, err := admin.Users.DeleteUser(missingID)
		xWantNotFound(t, resp, err)
	})
	t.Run("non-admin is 403", func(t *testing.T) {
		resp, err := xClient(t, url, johnToken).Users.DeleteUser(user1ID)
		xWantError(t, resp, err, http.StatusForbidden, "{message: 403 Forbidden}")
	})
	t.Run("anonymous is 401", func(t *testing.T) {
		resp, err := xClient(t, url, anonymous).Users.DeleteUser(user1ID)
		xWantError(t, resp, err, http.StatusUnauthorized, "{message: 401 Unauthorized}")
	})
}

// ---- /version and /metadata ----

func TestXVersionAndMetadata(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := xClient(t, url, johnToken)

	v, resp, err := c.Version.GetVersion()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GetVersion: %v", err)
	}
	if v.Version != mock.DefaultGitLabVersion || v.Revision == "" {
		t.Fatalf("version %q revision %q, want %q", v.Version, v.Revision, mock.DefaultGitLabVersion)
	}
	m, resp, err := c.Metadata.GetMetadata()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GetMetadata: %v", err)
	}
	if m.Version != mock.DefaultGitLabVersion || m.Revision != v.Revision || m.Enterprise {
		t.Fatalf("metadata %+v", m)
	}
	t.Run("anonymous is 401", func(t *testing.T) {
		_, resp, err := xClient(t, url, anonymous).Version.GetVersion()
		xWantError(t, resp, err, http.StatusUnauthorized, "{message: 401 Unauthorized}")
	})
}

// ---- how errors surface through the client ----

func TestXErrorResponseCarriesFlattenedGitLabBody(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := xClient(t, url, rootToken)

	for _, tc := range []struct {
		name    string
		opt     *xgitlab.CreateUserOptions
		status  int
		body    string // GitLab's JSON body
		message string // go-gitlab's flattening of it
	}{
		{"409 message string",
			&xgitlab.CreateUserOptions{Username: xgitlab.Ptr("other"), Email: xgitlab.Ptr("john@example.com"), Name: xgitlab.Ptr("Other"), ResetPassword: xgitlab.Ptr(true)},
			409, `{"message":"Email has already been taken"}`, "{message: Email has already been taken}"},
		{"400 Grape error",
			&xgitlab.CreateUserOptions{Email: xgitlab.Ptr("other@example.com"), Name: xgitlab.Ptr("Other"), ResetPassword: xgitlab.Ptr(true)},
			400, `{"error":"username is missing"}`, "{error: username is missing}"},
		{"400 validation hash",
			&xgitlab.CreateUserOptions{Username: xgitlab.Ptr("other"), Email: xgitlab.Ptr("nope"), Name: xgitlab.Ptr("Other"), ResetPassword: xgitlab.Ptr(true)},
			400, `{"message":{"email":["is invalid"]}}`, "{message: {email: [is invalid]}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := c.Users.CreateUser(tc.opt)
			er := xWantError(t, resp, err, tc.status, tc.message)
			if er.Message != tc.message {
				t.Errorf("Message %q, want exactly %q", er.Message, tc.message)
			}
			var got, want any
			if json.Unmarshal(er.Body, &got) != nil || json.Unmarshal([]byte(tc.body), &want) != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Body %s, want %s", er.Body, tc.body)
			}
			if wantErr := fmt.Sprintf("POST %s/api/v4/users: %d %s", url, tc.status, tc.message); er.Error() != wantErr {
				t.Errorf("Error() %q, want %q", er.Error(), wantErr)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}
