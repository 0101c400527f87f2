package client_test

// The users API as gitlab.com/gitlab-org/api/client-go sees it. Kept
// structurally parallel to xanzy_users_test.go.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	cgitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// ---- helpers ----

func cIDs(users []*cgitlab.User) []int64 {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

func cFind(users []*cgitlab.User, id int64) *cgitlab.User {
	for _, u := range users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func cIdentityMap(u *cgitlab.User) map[string]string {
	m := map[string]string{}
	for _, id := range u.Identities {
		m[id.Provider] = id.ExternUID
	}
	return m
}

// cWantError asserts an API error: resp.StatusCode is status and the
// *ErrorResponse's flattened message contains msg.
func cWantError(t *testing.T, resp *cgitlab.Response, err error, status int, msg string) *cgitlab.ErrorResponse {
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
	var er *cgitlab.ErrorResponse
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

// cWantNotFound asserts go-gitlab's 404 handling: the ErrNotFound sentinel.
func cWantNotFound(t *testing.T, resp *cgitlab.Response, err error) {
	t.Helper()
	if !errors.Is(err, cgitlab.ErrNotFound) {
		t.Fatalf("error %v, want ErrNotFound", err)
	}
	if resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("response %v, want 404", resp)
	}
}

func cIsoDate(d *cgitlab.ISOTime) string {
	if d == nil {
		return "<nil>"
	}
	return time.Time(*d).Format("2006-01-02")
}

// ---- GET /users ----

func TestCListUsersAdminSeesEveryoneNewestFirstWithAdminFields(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := cClient(t, url, rootToken)

	users, resp, err := c.Users.ListUsers(&cgitlab.ListUsersOptions{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !sameIDs(cIDs(users), allUserIDs) {
		t.Fatalf("ids %v, want %v", cIDs(users), allUserIDs)
	}
	if resp.TotalItems != 10 || resp.TotalPages != 1 || resp.CurrentPage != 1 || resp.ItemsPerPage != 20 || resp.NextPage != 0 {
		t.Fatalf("pagination: total %d pages %d page %d per %d next %d", resp.TotalItems, resp.TotalPages, resp.CurrentPage, resp.ItemsPerPage, resp.NextPage)
	}

	john := cFind(users, johnID)
	if john.Username != "john_smith" || john.Name != "John Smith" || john.Email != "john@example.com" {
		t.Errorf("john = %q %q %q", john.Username, john.Name, john.Email)
	}
	if john.IsAdmin || !john.TwoFactorEnabled || john.State != "active" {
		t.Errorf("john admin=%v 2fa=%v state=%q", john.IsAdmin, john.TwoFactorEnabled, john.State)
	}
	if got := cIdentityMap(john); fmt.Sprint(got) != fmt.Sprint(johnIdentities) {
		t.Errorf("john identities %v, want %v", got, johnIdentities)
	}
	if john.CreatedAt == nil || !john.CreatedAt.Equal(johnCreatedAt) {
		t.Errorf("john created_at %v", john.CreatedAt)
	}
	root := cFind(users, rootID)
	if !root.IsAdmin || root.Email != "admin@example.com" || root.Name != "Administrator" {
		t.Errorf("root admin=%v email=%q name=%q", root.IsAdmin, root.Email, root.Name)
	}
	for id, state := range map[int64]string{jackID: "blocked", ldapID: "ldap_blocked", dormantID: "deactivated", pendingID: "blocked_pending_approval", janeID: "active"} {
		if u := cFind(users, id); u.State != state {
			t.Errorf("user %d state %q, want %q", id, u.State, state)
		}
	}
}

func TestCListUsersNonAdminGetsBasicEntityWithoutForbiddenStates(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := cClient(t, url, johnToken)

	users, resp, err := c.Users.ListUsers(&cgitlab.ListUsersOptions{})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if !sameIDs(cIDs(users), visibleUserIDs) {
		t.Fatalf("ids %v, want %v (no blocked or ldap_blocked users)", cIDs(users), visibleUserIDs)
	}
	if resp.TotalItems != int64(len(visibleUserIDs)) {
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

func TestCListUsersAnonymousNeedsUsername(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := cClient(t, url, anonymous)

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
			users, resp, err := c.Users.ListUsers(&cgitlab.ListUsersOptions{Username: cgitlab.Ptr(tc.username)})
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if resp.StatusCode != http.StatusOK || !sameIDs(cIDs(users), tc.want) {
				t.Fatalf("status %d ids %v, want 200 %v", resp.StatusCode, cIDs(users), tc.want)
			}
			for _, u := range users {
				if u.Username != "john_smith" || u.Name != "John Smith" || u.Email != "" || u.IsAdmin {
					t.Fatalf("anonymous view %+v", u)
				}
			}
		})
	}
	t.Run("without username is 403", func(t *testing.T) {
		users, resp, err := c.Users.ListUsers(&cgitlab.ListUsersOptions{})
		cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden - Not authorized to access /api/v4/users")
		if users != nil {
			t.Fatalf("users %v on error", users)
		}
	})
}

func TestCListUsersFilters(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	user := cClient(t, url, johnToken)
	before := johnCreatedAt.Add(time.Second)

	for _, tc := range []struct {
		name string
		c    *cgitlab.Client
		opt  cgitlab.ListUsersOptions
		want []int64
	}{
		{"active", admin, cgitlab.ListUsersOptions{Active: cgitlab.Ptr(true)}, []int64{janeID, user3ID, user2ID, user1ID, rootID, johnID}},
		{"blocked includes ldap_blocked", admin, cgitlab.ListUsersOptions{Blocked: cgitlab.Ptr(true)}, []int64{ldapID, jackID}},
		{"blocked is empty for non-admins", user, cgitlab.ListUsersOptions{Blocked: cgitlab.Ptr(true)}, []int64{}},
		{"search name fragment", admin, cgitlab.ListUsersOptions{Search: cgitlab.Ptr("smith")}, []int64{jackID, johnID}},
		{"search full email (admin)", admin, cgitlab.ListUsersOptions{Search: cgitlab.Ptr("john@example.com")}, []int64{johnID}},
		{"username as admin finds blocked users", admin, cgitlab.ListUsersOptions{Username: cgitlab.Ptr("jack_smith")}, []int64{jackID}},
		{"extern_uid and provider (github)", admin, cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr("2435223452345"), Provider: cgitlab.Ptr("github")}, []int64{johnID}},
		{"extern_uid and provider (bitbucket)", admin, cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr("john.smith"), Provider: cgitlab.Ptr("bitbucket")}, []int64{johnID}},
		{"extern_uid of another provider", admin, cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr("john.smith"), Provider: cgitlab.Ptr("github")}, []int64{}},
		{"order_by id asc", admin, cgitlab.ListUsersOptions{OrderBy: cgitlab.Ptr("id"), Sort: cgitlab.Ptr("asc")}, sortedAsc(allUserIDs)},
		{"order_by name asc", admin, cgitlab.ListUsersOptions{OrderBy: cgitlab.Ptr("name"), Sort: cgitlab.Ptr("asc"), Active: cgitlab.Ptr(true)}, []int64{rootID, janeID, johnID, user1ID, user3ID, user2ID}},
		{"order_by username asc", admin, cgitlab.ListUsersOptions{OrderBy: cgitlab.Ptr("username"), Sort: cgitlab.Ptr("asc")}, []int64{dormantID, jackID, janeID, johnID, ldapID, pendingID, rootID, user1ID, user2ID, user3ID}},
		{"order_by username desc", admin, cgitlab.ListUsersOptions{OrderBy: cgitlab.Ptr("username"), Sort: cgitlab.Ptr("desc"), Active: cgitlab.Ptr(true)}, []int64{user3ID, user2ID, user1ID, rootID, johnID, janeID}},
		{"two_factor enabled", admin, cgitlab.ListUsersOptions{TwoFactor: cgitlab.Ptr("enabled")}, []int64{jackID, johnID}},
		{"two_factor disabled", admin, cgitlab.ListUsersOptions{TwoFactor: cgitlab.Ptr("disabled"), Active: cgitlab.Ptr(true)}, []int64{janeID, user3ID, user2ID, user1ID, rootID}},
		{"two_factor is ignored for non-admins", user, cgitlab.ListUsersOptions{TwoFactor: cgitlab.Ptr("enabled"), Username: cgitlab.Ptr("user2")}, []int64{user2ID}},
		{"created_before", admin, cgitlab.ListUsersOptions{CreatedBefore: &before}, []int64{rootID, johnID}},
		{"admins", admin, cgitlab.ListUsersOptions{Admins: cgitlab.Ptr(true)}, []int64{rootID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			users, resp, err := tc.c.Users.ListUsers(&opt)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if !sameIDs(cIDs(users), tc.want) {
				t.Fatalf("ids %v, want %v", cIDs(users), tc.want)
			}
			if resp.TotalItems != int64(len(tc.want)) {
				t.Fatalf("X-Total %d, want %d", resp.TotalItems, len(tc.want))
			}
		})
	}
}

func TestCListUsersParameterErrors(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	user := cClient(t, url, johnToken)

	for _, tc := range []struct {
		name   string
		c      *cgitlab.Client
		opt    cgitlab.ListUsersOptions
		status int
		msg    string
	}{
		{"order_by outside the list", admin, cgitlab.ListUsersOptions{OrderBy: cgitlab.Ptr("magic")}, 400, "{error: order_by does not have a valid value}"},
		{"sort outside the list", admin, cgitlab.ListUsersOptions{Sort: cgitlab.Ptr("up")}, 400, "{error: sort does not have a valid value}"},
		{"extern_uid without provider", admin, cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr("john.smith")}, 400, "{error: extern_uid, provider provide all or none of parameters}"},
		{"two_factor outside the list", admin, cgitlab.ListUsersOptions{TwoFactor: cgitlab.Ptr("maybe")}, 400, "{error: two_factor does not have a valid value}"},
		{"extern_uid lookup is admin-only", user, cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr("john.smith"), Provider: cgitlab.Ptr("bitbucket")}, 403, "{message: 403 Forbidden}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			_, resp, err := tc.c.Users.ListUsers(&opt)
			cWantError(t, resp, err, tc.status, tc.msg)
		})
	}
}

func TestCListUsersOffsetPaginationVisitsEveryPage(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := cClient(t, url, rootToken)

	// lister is a Scan2 request function over per_page=2 that records every
	// response, so that the pagination headers of each page can be checked.
	lister := func(resps *[]*cgitlab.Response) func(p cgitlab.PaginationOptionFunc) ([]*cgitlab.User, *cgitlab.Response, error) {
		opt := &cgitlab.ListUsersOptions{ListOptions: cgitlab.ListOptions{PerPage: 2}}
		return func(p cgitlab.PaginationOptionFunc) ([]*cgitlab.User, *cgitlab.Response, error) {
			if len(*resps) >= 10 {
				return nil, nil, errors.New("still paging after 10 pages")
			}
			users, resp, err := c.Users.ListUsers(opt, p)
			*resps = append(*resps, resp)
			return users, resp, err
		}
	}
	checkPages := func(t *testing.T, resps []*cgitlab.Response) {
		t.Helper()
		if len(resps) != 5 {
			t.Fatalf("%d requests, want 5", len(resps))
		}
		for i, resp := range resps {
			page := int64(i + 1)
			if resp.CurrentPage != page || resp.TotalItems != 10 || resp.TotalPages != 5 || resp.ItemsPerPage != 2 || resp.PreviousPage != page-1 {
				t.Errorf("page %d headers: page %d total %d pages %d per %d prev %d", page, resp.CurrentPage, resp.TotalItems, resp.TotalPages, resp.ItemsPerPage, resp.PreviousPage)
			}
			switch {
			case page < 5 && (resp.NextPage != page+1 || resp.NextLink == ""):
				t.Errorf("page %d: next %d link %q", page, resp.NextPage, resp.NextLink)
			case page == 5 && (resp.NextPage != 0 || resp.NextLink != ""):
				t.Errorf("last page: next %d link %q", resp.NextPage, resp.NextLink)
			}
		}
	}
	checkIDs := func(t *testing.T, got []int64) {
		t.Helper()
		seen := map[int64]bool{}
		for _, id := range got {
			if seen[id] {
				t.Fatalf("user %d seen twice in %v", id, got)
			}
			seen[id] = true
		}
		if !sameIDs(got, allUserIDs) {
			t.Fatalf("collected %v, want %v", got, allUserIDs)
		}
	}

	t.Run("Scan2", func(t *testing.T) {
		var resps []*cgitlab.Response
		var got []int64
		for u, err := range cgitlab.Scan2(lister(&resps)) {
			if err != nil {
				t.Fatalf("Scan2: %v", err)
			}
			got = append(got, u.ID)
		}
		checkIDs(t, got)
		checkPages(t, resps)
	})
	t.Run("ScanAndCollect", func(t *testing.T) {
		var resps []*cgitlab.Response
		users, err := cgitlab.ScanAndCollect(lister(&resps))
		if err != nil {
			t.Fatalf("ScanAndCollect: %v", err)
		}
		checkIDs(t, cIDs(users))
		checkPages(t, resps)
	})
	t.Run("WithNext loop", func(t *testing.T) {
		var resps []*cgitlab.Response
		list := lister(&resps)
		var got []int64
		var next cgitlab.RequestOptionFunc
		for {
			users, resp, err := list(next)
			if err != nil {
				t.Fatalf("request %d: %v", len(resps), err)
			}
			if len(users) != 2 {
				t.Fatalf("request %d: %d users", len(resps), len(users))
			}
			got = append(got, cIDs(users)...)
			n, ok := cgitlab.WithNext(resp)
			if !ok {
				break
			}
			next = n
		}
		checkIDs(t, got)
		checkPages(t, resps)
	})
	t.Run("a page past the end is 200 and empty", func(t *testing.T) {
		users, resp, err := c.Users.ListUsers(&cgitlab.ListUsersOptions{ListOptions: cgitlab.ListOptions{PerPage: 2, Page: 9}})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if len(users) != 0 || resp.StatusCode != http.StatusOK || resp.NextPage != 0 || resp.TotalItems != 10 {
			t.Fatalf("users %v status %d next %d total %d", cIDs(users), resp.StatusCode, resp.NextPage, resp.TotalItems)
		}
		if _, ok := cgitlab.WithNext(resp); ok {
			t.Fatalf("WithNext offers a page after the end")
		}
	})
}

func TestCListUsersKeysetPagination(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := cClient(t, url, rootToken)

	for _, tc := range []struct {
		orderBy, sort string
		want          []int64
	}{
		{"id", "asc", sortedAsc(allUserIDs)},
		{"id", "desc", allUserIDs},
		{"username", "asc", []int64{dormantID, jackID, janeID, johnID, ldapID, pendingID, rootID, user1ID, user2ID, user3ID}},
	} {
		opt := func() *cgitlab.ListUsersOptions {
			return &cgitlab.ListUsersOptions{ListOptions: cgitlab.ListOptions{Pagination: "keyset", OrderBy: tc.orderBy, Sort: tc.sort, PerPage: 3}}
		}
		t.Run(tc.orderBy+" "+tc.sort+" with WithKeysetPaginationParameters", func(t *testing.T) {
			opt := opt()
			var got []int64
			var next []cgitlab.RequestOptionFunc
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
				got = append(got, cIDs(users)...)
				if resp.NextLink == "" {
					break
				}
				if len(users) != 3 {
					t.Fatalf("request %d: %d users before the last page", requests, len(users))
				}
				next = []cgitlab.RequestOptionFunc{cgitlab.WithKeysetPaginationParameters(resp.NextLink)}
			}
			if requests != 4 {
				t.Errorf("%d requests, want 4 (3+3+3+1)", requests)
			}
			if !sameIDs(got, tc.want) {
				t.Fatalf("collected %v, want %v", got, tc.want)
			}
		})
		t.Run(tc.orderBy+" "+tc.sort+" with ScanAndCollect", func(t *testing.T) {
			opt := opt()
			requests := 0
			users, err := cgitlab.ScanAndCollect(func(p cgitlab.PaginationOptionFunc) ([]*cgitlab.User, *cgitlab.Response, error) {
				if requests++; requests > 10 {
					return nil, nil, errors.New("still paging after 10 requests")
				}
				return c.Users.ListUsers(opt, p)
			})
			if err != nil {
				t.Fatalf("ScanAndCollect: %v", err)
			}
			if requests != 4 || !sameIDs(cIDs(users), tc.want) {
				t.Fatalf("%d requests collected %v, want 4 requests %v", requests, cIDs(users), tc.want)
			}
		})
	}
}

// ---- GET /users/:id ----

func TestCGetUser(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	user := cClient(t, url, johnToken)

	t.Run("admin sees UserDetailsWithAdmin", func(t *testing.T) {
		u, resp, err := admin.Users.GetUser(johnID, cgitlab.GetUsersOptions{})
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GetUser: %v %v", resp, err)
		}
		if u.ID != johnID || u.Username != "john_smith" || u.Name != "John Smith" || u.Email != "john@example.com" {
			t.Errorf("john = %d %q %q %q", u.ID, u.Username, u.Name, u.Email)
		}
		if u.IsAdmin || !u.TwoFactorEnabled || u.State != "active" {
			t.Errorf("admin=%v 2fa=%v state=%q", u.IsAdmin, u.TwoFactorEnabled, u.State)
		}
		if got := cIdentityMap(u); fmt.Sprint(got) != fmt.Sprint(johnIdentities) {
			t.Errorf("identities %v, want %v", got, johnIdentities)
		}
		if got := cIsoDate(u.LastActivityOn); got != johnLastActivity {
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
		u, _, err := admin.Users.GetUser(rootID, cgitlab.GetUsersOptions{})
		if err != nil || !u.IsAdmin || u.Email != "admin@example.com" {
			t.Fatalf("root: %+v %v", u, err)
		}
	})
	for _, id := range []int64{rootID, johnID} {
		t.Run(fmt.Sprintf("user sees the User entity of %d", id), func(t *testing.T) {
			u, resp, err := user.Users.GetUser(id, cgitlab.GetUsersOptions{})
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
		u, resp, err := admin.Users.GetUser(missingID, cgitlab.GetUsersOptions{})
		cWantNotFound(t, resp, err)
		if u != nil {
			t.Fatalf("user %+v on 404", u)
		}
	})
	t.Run("anonymous is 403 Not authorized!", func(t *testing.T) {
		_, resp, err := cClient(t, url, anonymous).Users.GetUser(johnID, cgitlab.GetUsersOptions{})
		cWantError(t, resp, err, http.StatusForbidden, "{message: 403 Forbidden - Not authorized!}")
	})
}

// ---- GET /user ----

func TestCCurrentUser(t *testing.T) {
	t.Parallel()
	s, url := newMock(t)

	for _, tc := range []struct {
		name, token string
		opts        []cgitlab.RequestOptionFunc
		wantID      int64
		wantEmail   string
		wantAdmin   bool
	}{
		{"john", johnToken, nil, johnID, "john@example.com", false},
		{"john with read_user", johnReadUser, nil, johnID, "john@example.com", false},
		{"john with read_api", johnReadAPIToken, nil, johnID, "john@example.com", false},
		{"root", rootToken, nil, rootID, "admin@example.com", true},
		{"sudo by username", rootToken, []cgitlab.RequestOptionFunc{cgitlab.WithSudo("john_smith")}, johnID, "john@example.com", false},
		{"sudo by username, any case", rootToken, []cgitlab.RequestOptionFunc{cgitlab.WithSudo("John_Smith")}, johnID, "john@example.com", false},
		{"sudo by id", rootToken, []cgitlab.RequestOptionFunc{cgitlab.WithSudo(johnID)}, johnID, "john@example.com", false},
		{"sudo to oneself", rootToken, []cgitlab.RequestOptionFunc{cgitlab.WithSudo("root")}, rootID, "admin@example.com", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, resp, err := cClient(t, url, tc.token).Users.CurrentUser(tc.opts...)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("CurrentUser: %v", err)
			}
			if u.ID != tc.wantID || u.Email != tc.wantEmail || u.IsAdmin != tc.wantAdmin {
				t.Fatalf("got id=%d email=%q admin=%v, want %d %q %v", u.ID, u.Email, u.IsAdmin, tc.wantID, tc.wantEmail, tc.wantAdmin)
			}
			if tc.wantID == johnID {
				if got := cIdentityMap(u); fmt.Sprint(got) != fmt.Sprint(johnIdentities) {
					t.Errorf("identities %v, want %v", got, johnIdentities)
				}
				// john's first request shows the fixture date; API use then
				// records today's (by the mock clock), as GitLab's ActivityService does.
				if d := cIsoDate(u.LastActivityOn); !u.TwoFactorEnabled || (d != johnLastActivity && d != s.Now().Format("2006-01-02")) {
					t.Errorf("2fa=%v last_activity_on=%s", u.TwoFactorEnabled, cIsoDate(u.LastActivityOn))
				}
			}
		})
	}
}

func TestCAuthenticationFailures(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)

	for _, tc := range []struct {
		name, token string
		opts        []cgitlab.RequestOptionFunc
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
		{"sudo by a non-admin", johnToken, []cgitlab.RequestOptionFunc{cgitlab.WithSudo("root")}, 403, "{message: 403 Forbidden - Must be admin to use sudo}"},
		{"sudo without the sudo scope", rootAPIOnlyToken, []cgitlab.RequestOptionFunc{cgitlab.WithSudo("john_smith")}, 403, "{error: insufficient_scope}"},
		{"sudo without a token", anonymous, []cgitlab.RequestOptionFunc{cgitlab.WithSudo("john_smith")}, 401, "{message: 401 Unauthorized}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, resp, err := cClient(t, url, tc.token).Users.CurrentUser(tc.opts...)
			er := cWantError(t, resp, err, tc.status, tc.msg)
			if u != nil {
				t.Fatalf("user %+v on error", u)
			}
			if strings.Contains(tc.msg, "insufficient_scope") && !strings.Contains(er.Message, "{scope: sudo}") {
				t.Fatalf("insufficient_scope for sudo should name the sudo scope: %q", er.Message)
			}
		})
	}
	t.Run("sudo to a missing user is 404", func(t *testing.T) {
		_, resp, err := cClient(t, url, rootToken).Users.CurrentUser(cgitlab.WithSudo("no_such_user"))
		cWantNotFound(t, resp, err)
	})
}

// ---- POST /users ----

func TestCCreateUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		opt   cgitlab.CreateUserOptions
		check func(t *testing.T, u *cgitlab.User)
	}{
		{"with password", cgitlab.CreateUserOptions{Password: cgitlab.Ptr(strongPassword)}, func(t *testing.T, u *cgitlab.User) {
			if u.IsAdmin || u.State != "active" || u.Identities == nil || len(u.Identities) != 0 {
				t.Errorf("admin=%v state=%q identities=%v", u.IsAdmin, u.State, u.Identities)
			}
		}},
		{"with reset_password", cgitlab.CreateUserOptions{ResetPassword: cgitlab.Ptr(true)}, func(t *testing.T, u *cgitlab.User) {
			if u.IsAdmin || u.State != "active" {
				t.Errorf("admin=%v state=%q", u.IsAdmin, u.State)
			}
		}},
		{"with force_random_password", cgitlab.CreateUserOptions{ForceRandomPassword: cgitlab.Ptr(true)}, func(t *testing.T, u *cgitlab.User) {
			if u.State != "active" {
				t.Errorf("state=%q", u.State)
			}
		}},
		{"with extern_uid and provider", cgitlab.CreateUserOptions{ResetPassword: cgitlab.Ptr(true), ExternUID: cgitlab.Ptr("ext-777"), Provider: cgitlab.Ptr("github")}, func(t *testing.T, u *cgitlab.User) {
			if got := cIdentityMap(u); len(got) != 1 || got["github"] != "ext-777" {
				t.Errorf("identities %v", got)
			}
		}},
		{"with skip_confirmation", cgitlab.CreateUserOptions{Password: cgitlab.Ptr(strongPassword), SkipConfirmation: cgitlab.Ptr(true)}, func(t *testing.T, u *cgitlab.User) {
			if u.ConfirmedAt == nil {
				t.Errorf("confirmed_at is null after skip_confirmation")
			}
		}},
		{"as admin", cgitlab.CreateUserOptions{ResetPassword: cgitlab.Ptr(true), Admin: cgitlab.Ptr(true)}, func(t *testing.T, u *cgitlab.User) {
			if !u.IsAdmin {
				t.Errorf("is_admin false")
			}
		}},
		{"with profile attributes", cgitlab.CreateUserOptions{
			ResetPassword: cgitlab.Ptr(true), Bio: cgitlab.Ptr("Hello"), Location: cgitlab.Ptr("Utrecht"),
			Organization: cgitlab.Ptr("ACME"), JobTitle: cgitlab.Ptr("Engineer"), Note: cgitlab.Ptr("admin note"),
			ProjectsLimit: cgitlab.Ptr[int64](7), CanCreateGroup: cgitlab.Ptr(false), External: cgitlab.Ptr(true),
			PrivateProfile: cgitlab.Ptr(true), WebsiteURL: cgitlab.Ptr("https://example.com"),
		}, func(t *testing.T, u *cgitlab.User) {
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
			c := cClient(t, url, rootToken)
			opt := tc.opt
			opt.Username, opt.Email, opt.Name = cgitlab.Ptr("new_person"), cgitlab.Ptr("new.person@example.com"), cgitlab.Ptr("New Person")

			u, resp, err := c.Users.CreateUser(&opt)
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status %d, want 201", resp.StatusCode)
			}
			if u.ID == 0 || slices.Contains(allUserIDs, u.ID) {
				t.Fatalf("new id %d", u.ID)
			}
			if u.Username != "new_person" || u.Email != "new.person@example.com" || u.Name != "New Person" {
				t.Fatalf("created %q %q %q", u.Username, u.Email, u.Name)
			}
			if u.CreatedAt == nil || u.WebURL != url+"/new_person" {
				t.Errorf("created_at %v web_url %q", u.CreatedAt, u.WebURL)
			}
			tc.check(t, u)

			got, _, err := c.Users.GetUser(u.ID, cgitlab.GetUsersOptions{})
			if err != nil {
				t.Fatalf("GetUser(%d): %v", u.ID, err)
			}
			if got.Username != "new_person" || got.Email != "new.person@example.com" || got.IsAdmin != u.IsAdmin {
				t.Fatalf("GetUser after create: %+v", got)
			}
			tc.check(t, got)
			found, _, err := c.Users.ListUsers(&cgitlab.ListUsersOptions{Username: cgitlab.Ptr("new_person")})
			if err != nil || len(found) != 1 || found[0].ID != u.ID {
				t.Fatalf("ListUsers(username) after create: %v %v", cIDs(found), err)
			}
		})
	}
}

func TestCCreateUserErrors(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	opt := func(username, email string) *cgitlab.CreateUserOptions {
		o := &cgitlab.CreateUserOptions{Name: cgitlab.Ptr("Someone New"), Password: cgitlab.Ptr(strongPassword)}
		if username != "" {
			o.Username = cgitlab.Ptr(username)
		}
		if email != "" {
			o.Email = cgitlab.Ptr(email)
		}
		return o
	}
	for _, tc := range []struct {
		name, token string
		opt         *cgitlab.CreateUserOptions
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
		{"no password option", rootToken, &cgitlab.CreateUserOptions{Name: cgitlab.Ptr("N"), Username: cgitlab.Ptr("someone_new"), Email: cgitlab.Ptr("someone.new@example.com")}, 400,
			"{error: password, reset_password, force_random_password are missing, at least one parameter must be provided}"},
		{"extern_uid without provider", rootToken, &cgitlab.CreateUserOptions{Name: cgitlab.Ptr("N"), Username: cgitlab.Ptr("someone_new"), Email: cgitlab.Ptr("someone.new@example.com"), ResetPassword: cgitlab.Ptr(true), ExternUID: cgitlab.Ptr("x1")}, 400,
			"{error: extern_uid, provider provide all or none of parameters}"},
		{"invalid email", rootToken, opt("someone_new", "not-an-email"), 400, "{message: {email: [is invalid]}}"},
		{"password too short", rootToken, &cgitlab.CreateUserOptions{Name: cgitlab.Ptr("N"), Username: cgitlab.Ptr("someone_new"), Email: cgitlab.Ptr("someone.new@example.com"), Password: cgitlab.Ptr("Xy1!")}, 400,
			"{message: {password: [is too short (minimum is 8 characters)]}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, resp, err := cClient(t, url, tc.token).Users.CreateUser(tc.opt)
			cWantError(t, resp, err, tc.status, tc.msg)
			if u != nil {
				t.Fatalf("user %+v on error", u)
			}
		})
	}
	// Nothing was created by the failed requests.
	users, resp, err := cClient(t, url, rootToken).Users.ListUsers(&cgitlab.ListUsersOptions{})
	if err != nil || resp.TotalItems != int64(len(allUserIDs)) || !sameIDs(cIDs(users), allUserIDs) {
		t.Fatalf("after failed creates: %v total %v err %v", cIDs(users), resp, err)
	}
}

// ---- PUT /users/:id ----

func TestCModifyUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		id    int64
		opt   cgitlab.ModifyUserOptions
		check func(t *testing.T, u *cgitlab.User)
	}{
		{"name, bio and admin", janeID, cgitlab.ModifyUserOptions{Name: cgitlab.Ptr("Jane Q. Doe"), Bio: cgitlab.Ptr("Writes tests"), Admin: cgitlab.Ptr(true)}, func(t *testing.T, u *cgitlab.User) {
			if u.Name != "Jane Q. Doe" || u.Bio != "Writes tests" || !u.IsAdmin || u.Username != "jane_doe" {
				t.Errorf("name=%q bio=%q admin=%v username=%q", u.Name, u.Bio, u.IsAdmin, u.Username)
			}
		}},
		{"revoke admin", rootID, cgitlab.ModifyUserOptions{Admin: cgitlab.Ptr(false)}, func(t *testing.T, u *cgitlab.User) {
			if u.IsAdmin {
				t.Errorf("still admin")
			}
		}},
		{"re-sending own email, username and name", johnID, cgitlab.ModifyUserOptions{Email: cgitlab.Ptr("john@example.com"), Username: cgitlab.Ptr("john_smith"), Name: cgitlab.Ptr("John Smith")}, func(t *testing.T, u *cgitlab.User) {
			if u.Email != "john@example.com" || u.Username != "john_smith" || u.Name != "John Smith" {
				t.Errorf("changed: %q %q %q", u.Email, u.Username, u.Name)
			}
		}},
		{"rename", johnID, cgitlab.ModifyUserOptions{Username: cgitlab.Ptr("john_renamed")}, func(t *testing.T, u *cgitlab.User) {
			if u.Username != "john_renamed" || u.WebURL == "" || !strings.HasSuffix(u.WebURL, "/john_renamed") {
				t.Errorf("username=%q web_url=%q", u.Username, u.WebURL)
			}
		}},
		{"email with skip_reconfirmation", johnID, cgitlab.ModifyUserOptions{Email: cgitlab.Ptr("john.new@example.com"), SkipReconfirmation: cgitlab.Ptr(true)}, func(t *testing.T, u *cgitlab.User) {
			if u.Email != "john.new@example.com" {
				t.Errorf("email %q", u.Email)
			}
		}},
		{"email without skip_reconfirmation waits for confirmation", johnID, cgitlab.ModifyUserOptions{Email: cgitlab.Ptr("john.new@example.com")}, func(t *testing.T, u *cgitlab.User) {
			if u.Email != "john@example.com" {
				t.Errorf("email %q changed before confirmation", u.Email)
			}
		}},
		{"profile fields", user1ID, cgitlab.ModifyUserOptions{Location: cgitlab.Ptr("Gent"), Organization: cgitlab.Ptr("ACME"), JobTitle: cgitlab.Ptr("QA"), ProjectsLimit: cgitlab.Ptr[int64](3), External: cgitlab.Ptr(true)}, func(t *testing.T, u *cgitlab.User) {
			if u.Location != "Gent" || u.Organization != "ACME" || u.JobTitle != "QA" || u.ProjectsLimit != 3 || !u.External {
				t.Errorf("attributes not stored: %+v", u)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, url := newMock(t)
			c := cClient(t, url, rootToken)
			opt := tc.opt
			u, resp, err := c.Users.ModifyUser(tc.id, &opt)
			if err != nil {
				t.Fatalf("ModifyUser: %v", err)
			}
			if resp.StatusCode != http.StatusOK || u.ID != tc.id {
				t.Fatalf("status %d id %d", resp.StatusCode, u.ID)
			}
			tc.check(t, u)
			got, _, err := c.Users.GetUser(tc.id, cgitlab.GetUsersOptions{})
			if err != nil {
				t.Fatalf("GetUser: %v", err)
			}
			tc.check(t, got)
		})
	}
}

func TestCModifyUserErrors(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	for _, tc := range []struct {
		name, token string
		id          int64
		opt         cgitlab.ModifyUserOptions
		status      int
		msg         string
	}{
		{"username taken", rootToken, johnID, cgitlab.ModifyUserOptions{Username: cgitlab.Ptr("jack_smith")}, 409, "{message: Username has already been taken}"},
		{"username taken, other case", rootToken, johnID, cgitlab.ModifyUserOptions{Username: cgitlab.Ptr("JACK_SMITH")}, 409, "{message: Username has already been taken}"},
		{"email taken", rootToken, johnID, cgitlab.ModifyUserOptions{Email: cgitlab.Ptr("admin@example.com")}, 409, "{message: Email has already been taken}"},
		{"non-admin", johnToken, johnID, cgitlab.ModifyUserOptions{Name: cgitlab.Ptr("Johnny")}, 403, "{message: 403 Forbidden}"},
		{"anonymous", anonymous, johnID, cgitlab.ModifyUserOptions{Name: cgitlab.Ptr("Johnny")}, 401, "{message: 401 Unauthorized}"},
		{"invalid theme", rootToken, johnID, cgitlab.ModifyUserOptions{ThemeID: cgitlab.Ptr[int64](50)}, 400, "{message: {theme_id: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			_, resp, err := cClient(t, url, tc.token).Users.ModifyUser(tc.id, &opt)
			cWantError(t, resp, err, tc.status, tc.msg)
		})
	}
	t.Run("missing user is ErrNotFound", func(t *testing.T) {
		_, resp, err := cClient(t, url, rootToken).Users.ModifyUser(missingID, &cgitlab.ModifyUserOptions{Name: cgitlab.Ptr("Ghost")})
		cWantNotFound(t, resp, err)
	})
	// The failed updates left john alone.
	u, _, err := cClient(t, url, rootToken).Users.GetUser(johnID, cgitlab.GetUsersOptions{})
	if err != nil || u.Username != "john_smith" || u.Email != "john@example.com" || u.Name != "John Smith" {
		t.Fatalf("john after failed updates: %+v %v", u, err)
	}
}

// ---- DELETE /users/:id ----

func TestCDeleteUser(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)

	resp, err := admin.Users.DeleteUser(janeID)
	if err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d, want 204", resp.StatusCode)
	}
	_, resp, err = admin.Users.GetUser(janeID, cgitlab.GetUsersOptions{})
	cWantNotFound(t, resp, err)
	users, resp, err := admin.Users.ListUsers(&cgitlab.ListUsersOptions{})
	if err != nil || resp.TotalItems != int64(len(allUserIDs))-1 || slices.Contains(cIDs(users), janeID) {
		t.Fatalf("after delete: %v total %d err %v", cIDs(users), resp.TotalItems, err)
	}

	t.Run("again is ErrNotFound", func(t *testing.T) {
		resp, err := admin.Users.DeleteUser(janeID)
		cWantNotFound(t, resp, err)
	})
	t.Run("missing user is ErrNotFound", func(t *testing.T) {
		resp, err := admin.Users.DeleteUser(missingID)
		cWantNotFound(t, resp, err)
	})
	t.Run("non-admin is 403", func(t *testing.T) {
		resp, err := cClient(t, url, johnToken).Users.DeleteUser(user1ID)
		cWantError(t, resp, err, http.StatusForbidden, "{message: 403 Forbidden}")
	})
	t.Run("anonymous is 401", func(t *testing.T) {
		resp, err := cClient(t, url, anonymous).Users.DeleteUser(user1ID)
		cWantError(t, resp, err, http.StatusUnauthorized, "{message: 401 Unauthorized}")
	})
}

// ---- DELETE /users/:id/identities/:provider (client-go only) ----

func TestCDeleteUserIdentity(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)

	resp, err := admin.Users.DeleteUserIdentity(johnID, "github")
	if err != nil {
		t.Fatalf("DeleteUserIdentity: %v", err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d, want 204", resp.StatusCode)
	}
	u, _, err := admin.Users.GetUser(johnID, cgitlab.GetUsersOptions{})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	want := map[string]string{"bitbucket": johnIdentities["bitbucket"], "google_oauth2": johnIdentities["google_oauth2"]}
	if got := cIdentityMap(u); len(u.Identities) != 2 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("identities %v, want %v", got, want)
	}
	users, _, err := admin.Users.ListUsers(&cgitlab.ListUsersOptions{ExternalUID: cgitlab.Ptr(johnIdentities["github"]), Provider: cgitlab.Ptr("github")})
	if err != nil || len(users) != 0 {
		t.Fatalf("extern_uid lookup after delete: %v %v", cIDs(users), err)
	}

	t.Run("again is ErrNotFound", func(t *testing.T) {
		resp, err := admin.Users.DeleteUserIdentity(johnID, "github")
		cWantNotFound(t, resp, err)
	})
	t.Run("missing user is ErrNotFound", func(t *testing.T) {
		resp, err := admin.Users.DeleteUserIdentity(missingID, "github")
		cWantNotFound(t, resp, err)
	})
	t.Run("non-admin is 403", func(t *testing.T) {
		resp, err := cClient(t, url, johnToken).Users.DeleteUserIdentity(johnID, "bitbucket")
		cWantError(t, resp, err, http.StatusForbidden, "{message: 403 Forbidden}")
	})
}

// ---- /version and /metadata ----

func TestCVersionAndMetadata(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := cClient(t, url, johnToken)

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
		_, resp, err := cClient(t, url, anonymous).Version.GetVersion()
		cWantError(t, resp, err, http.StatusUnauthorized, "{message: 401 Unauthorized}")
	})
}

// ---- how errors surface through the client ----

func TestCErrorResponseCarriesFlattenedGitLabBody(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c := cClient(t, url, rootToken)

	for _, tc := range []struct {
		name    string
		opt     *cgitlab.CreateUserOptions
		status  int
		body    string // GitLab's JSON body
		message string // go-gitlab's flattening of it
	}{
		{"409 message string",
			&cgitlab.CreateUserOptions{Username: cgitlab.Ptr("other"), Email: cgitlab.Ptr("john@example.com"), Name: cgitlab.Ptr("Other"), ResetPassword: cgitlab.Ptr(true)},
			409, `{"message":"Email has already been taken"}`, "{message: Email has already been taken}"},
		{"400 Grape error",
			&cgitlab.CreateUserOptions{Email: cgitlab.Ptr("other@example.com"), Name: cgitlab.Ptr("Other"), ResetPassword: cgitlab.Ptr(true)},
			400, `{"error":"username is missing"}`, "{error: username is missing}"},
		{"400 validation hash",
			&cgitlab.CreateUserOptions{Username: cgitlab.Ptr("other"), Email: cgitlab.Ptr("nope"), Name: cgitlab.Ptr("Other"), ResetPassword: cgitlab.Ptr(true)},
			400, `{"message":{"email":["is invalid"]}}`, "{message: {email: [is invalid]}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := c.Users.CreateUser(tc.opt)
			er := cWantError(t, resp, err, tc.status, tc.message)
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
