package client_test

// The rest of the user surface through gitlab.com/gitlab-org/api/client-go:
// status, associations count, activities, memberships, runners, service
// accounts, avatar, contribution events and custom attributes.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	cgitlab "gitlab.com/gitlab-org/api/client-go"
)

func TestCUserStatus(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	john := cClient(t, url, johnToken)
	st, _, err := john.Users.CurrentUserStatus()
	if err != nil || st.Emoji != "" || st.Message != "" {
		t.Fatalf("CurrentUserStatus before any: %+v %v", st, err)
	}
	st, _, err = john.Users.SetUserStatus(&cgitlab.UserStatusOptions{
		Message: cgitlab.Ptr("Out sick"), Availability: cgitlab.Ptr(cgitlab.Busy),
	})
	if err != nil || st.Emoji != "speech_balloon" || st.Message != "Out sick" || st.Availability != cgitlab.Busy || st.MessageHTML != "Out sick" {
		t.Fatalf("SetUserStatus: %+v %v", st, err)
	}
	got, _, err := cClient(t, url, anonymous).Users.GetUserStatus(johnID)
	if err != nil || *got != *st {
		t.Fatalf("GetUserStatus: %+v %v", got, err)
	}
	if st, _, err = john.Users.CurrentUserStatus(); err != nil || st.Message != "Out sick" {
		t.Fatalf("CurrentUserStatus: %+v %v", st, err)
	}
	_, resp, err := cClient(t, url, rootToken).Users.GetUserStatus(missingID)
	cWantNotFound(t, resp, err)
	_, resp, err = john.Users.SetUserStatus(&cgitlab.UserStatusOptions{Emoji: cgitlab.Ptr("NOT AN EMOJI")})
	cWantError(t, resp, err, http.StatusBadRequest, "{message: {emoji: [does not exist]}}")
}

func TestCGetUserAssociationsCount(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c, _, err := cClient(t, url, johnToken).Users.GetUserAssociationsCount(johnID)
	if err != nil || c.GroupsCount != 0 || c.ProjectsCount != 0 || c.IssuesCount != 0 || c.MergeRequestsCount != 0 {
		t.Fatalf("GetUserAssociationsCount: %+v %v", c, err)
	}
	if _, _, err := cClient(t, url, rootToken).Users.GetUserAssociationsCount(johnID); err != nil {
		t.Fatalf("admin GetUserAssociationsCount: %v", err)
	}
	_, resp, err := cClient(t, url, johnToken).Users.GetUserAssociationsCount(user1ID)
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = cClient(t, url, rootToken).Users.GetUserAssociationsCount(missingID)
	cWantNotFound(t, resp, err)
}

func TestCGetUserActivitiesFollowsAPIUseByTheMockClock(t *testing.T) {
	t.Parallel()
	_, url, _ := newClockMock(t, clockStart)
	from := cgitlab.ISOTime(time.Date(2015, 12, 15, 0, 0, 0, 0, time.UTC))
	acts, _, err := cClient(t, url, rootToken).Users.GetUserActivities(&cgitlab.GetUserActivitiesOptions{From: &from})
	if err != nil || len(acts) < 2 || acts[0].Username != "user2" || cIsoDate(acts[0].LastActivityOn) != "2015-12-15" {
		t.Fatalf("GetUserActivities: %v %v", acts, err)
	}
	// root's request above is recorded: root is now the most recent.
	acts, _, err = cClient(t, url, johnToken).Users.GetUserActivities(&cgitlab.GetUserActivitiesOptions{From: &from})
	if err != nil || len(acts) == 0 || acts[len(acts)-1].Username != "root" || cIsoDate(acts[len(acts)-1].LastActivityOn) != "2026-05-01" {
		t.Fatalf("GetUserActivities after API use: %v %v", acts, err)
	}
}

func TestCGetUserMemberships(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	ms, resp, err := cClient(t, url, rootToken).Users.GetUserMemberships(johnID, &cgitlab.GetUserMembershipOptions{Type: cgitlab.Ptr("Project")})
	if err != nil || len(ms) != 0 || resp.TotalItems != 0 {
		t.Fatalf("GetUserMemberships: %v %v", ms, err)
	}
	_, resp, err = cClient(t, url, rootToken).Users.GetUserMemberships(johnID, &cgitlab.GetUserMembershipOptions{Type: cgitlab.Ptr("Group")})
	cWantError(t, resp, err, http.StatusBadRequest, "type does not have a valid value")
	_, resp, err = cClient(t, url, johnToken).Users.GetUserMemberships(johnID, nil)
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = cClient(t, url, rootToken).Users.GetUserMemberships(missingID, nil)
	cWantNotFound(t, resp, err)
}

func TestCCreateUserRunner(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	r, resp, err := cClient(t, url, rootToken).Users.CreateUserRunner(&cgitlab.CreateUserRunnerOptions{
		RunnerType: cgitlab.Ptr("instance_type"), Description: cgitlab.Ptr("mock runner"), TagList: &[]string{"a"},
	})
	if err != nil || resp.StatusCode != http.StatusCreated || r.ID != 1 || !strings.HasPrefix(r.Token, "glrt-") {
		t.Fatalf("CreateUserRunner: %+v %v", r, err)
	}
	_, resp, err = cClient(t, url, johnToken).Users.CreateUserRunner(&cgitlab.CreateUserRunnerOptions{RunnerType: cgitlab.Ptr("instance_type")})
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = cClient(t, url, rootToken).Users.CreateUserRunner(&cgitlab.CreateUserRunnerOptions{RunnerType: cgitlab.Ptr("group_type")})
	cWantError(t, resp, err, http.StatusBadRequest, "group_id is missing")
}

func TestCServiceAccounts(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	u, resp, err := admin.Users.CreateServiceAccountUser(&cgitlab.CreateServiceAccountUserOptions{Name: cgitlab.Ptr("Deployer"), Username: cgitlab.Ptr("deployer")})
	if err != nil || resp.StatusCode != http.StatusCreated || u.Username != "deployer" || u.Name != "Deployer" {
		t.Fatalf("CreateServiceAccountUser: %+v %v", u, err)
	}
	gen, _, err := admin.Users.CreateServiceAccountUser(&cgitlab.CreateServiceAccountUserOptions{})
	if err != nil || !strings.HasPrefix(gen.Username, "service_account_") || gen.Name != "Service account user" {
		t.Fatalf("CreateServiceAccountUser with defaults: %+v %v", gen, err)
	}
	list, _, err := admin.Users.ListServiceAccounts(&cgitlab.ListServiceAccountsOptions{OrderBy: cgitlab.Ptr("id"), Sort: cgitlab.Ptr("asc")})
	if err != nil || len(list) != 2 || list[0].ID != u.ID || list[1].ID != gen.ID {
		t.Fatalf("ListServiceAccounts: %v %v", list, err)
	}
	bot, _, err := admin.Users.GetUser(u.ID, cgitlab.GetUsersOptions{})
	if err != nil || !bot.Bot {
		t.Fatalf("service account user: %+v %v", bot, err)
	}
	_, resp, err = cClient(t, url, johnToken).Users.ListServiceAccounts(nil)
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
}

func TestCUploadAvatar(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	john := cClient(t, url, johnToken)
	u, _, err := john.Users.UploadAvatar(strings.NewReader("\x89PNG fake"), "me.png")
	want := url + "/uploads/-/system/user/avatar/1/me.png"
	if err != nil || u.AvatarURL != want {
		t.Fatalf("UploadAvatar: %+v %v", u, err)
	}
	if me, _, _ := john.Users.CurrentUser(); me.AvatarURL != want {
		t.Fatalf("avatar_url %q after upload", me.AvatarURL)
	}
}

func TestCContributionEvents(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	evs, resp, err := cClient(t, url, anonymous).Users.ListUserContributionEvents("root", &cgitlab.ListContributionEventsOptions{Sort: cgitlab.Ptr("asc")})
	if err != nil || len(evs) != 4 || evs[0].ID != 1 || resp.TotalItems != 4 || evs[0].TargetTitle != "Public project search field" {
		t.Fatalf("ListUserContributionEvents: %v %v", evs, err)
	}
	evs, _, err = cClient(t, url, rootToken).Users.ListUserContributionEvents(rootID, &cgitlab.ListContributionEventsOptions{ListOptions: cgitlab.ListOptions{PerPage: 1}})
	if err != nil || len(evs) != 1 || evs[0].ID != 4 {
		t.Fatalf("ListUserContributionEvents by id: %v %v", evs, err)
	}
	_, resp, err = cClient(t, url, rootToken).Users.ListUserContributionEvents("nobody", nil)
	cWantNotFound(t, resp, err)
	own, _, err := cClient(t, url, rootToken).Events.ListCurrentUserContributionEvents(nil)
	if err != nil || len(own) != 4 || own[0].ID != 4 {
		t.Fatalf("ListCurrentUserContributionEvents: %v %v", own, err)
	}
}

func TestCCustomUserAttributes(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	a, _, err := admin.CustomAttribute.SetCustomUserAttribute(johnID, cgitlab.CustomAttribute{Key: "team", Value: "blue"})
	if err != nil || a.Key != "team" || a.Value != "blue" {
		t.Fatalf("SetCustomUserAttribute: %+v %v", a, err)
	}
	list, _, err := admin.CustomAttribute.ListCustomUserAttributes(johnID)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListCustomUserAttributes: %v %v", list, err)
	}
	if a, _, err = admin.CustomAttribute.GetCustomUserAttribute(johnID, "team"); err != nil || a.Value != "blue" {
		t.Fatalf("GetCustomUserAttribute: %+v %v", a, err)
	}
	users, _, err := admin.Users.ListUsers(&cgitlab.ListUsersOptions{WithCustomAttributes: cgitlab.Ptr(true), Username: cgitlab.Ptr("john_smith")})
	if err != nil || len(users) != 1 || len(users[0].CustomAttributes) != 1 {
		t.Fatalf("ListUsers with_custom_attributes: %v %v", users, err)
	}
	if _, err := admin.CustomAttribute.DeleteCustomUserAttribute(johnID, "team"); err != nil {
		t.Fatalf("DeleteCustomUserAttribute: %v", err)
	}
	_, resp, err := admin.CustomAttribute.GetCustomUserAttribute(johnID, "team")
	cWantNotFound(t, resp, err)
}

// client-go only: GetUserStatus by username ("@" trimmed, dots escaped),
// clear_status_after on the mock clock, PAT descriptions.
func TestCClientGoOnlyStatusAndTokenOptions(t *testing.T) {
	t.Parallel()
	_, url, clk := newClockMock(t, clockStart)
	john := cClient(t, url, johnToken)
	st, _, err := john.Users.SetUserStatus(&cgitlab.UserStatusOptions{
		Emoji: cgitlab.Ptr("coffee"), ClearStatusAfter: cgitlab.Ptr(cgitlab.ClearStatusAfter3Hours),
	})
	if err != nil || st.ClearStatusAt == nil || !st.ClearStatusAt.Equal(clockStart.Add(3*time.Hour)) {
		t.Fatalf("SetUserStatus: %+v %v", st, err)
	}
	for _, uid := range []any{"john_smith", "@john_smith", johnID} {
		got, _, err := cClient(t, url, anonymous).Users.GetUserStatus(uid)
		if err != nil || got.Emoji != "coffee" {
			t.Fatalf("GetUserStatus(%v): %+v %v", uid, got, err)
		}
	}
	clk.advance(3 * time.Hour)
	if got, _, err := john.Users.CurrentUserStatus(); err != nil || got.Emoji != "" {
		t.Fatalf("status after clear_status_at: %+v %v", got, err)
	}
	pat, _, err := cClient(t, url, rootToken).Users.CreatePersonalAccessToken(johnID, &cgitlab.CreatePersonalAccessTokenOptions{
		Name: cgitlab.Ptr("described"), Description: cgitlab.Ptr("for CI"), Scopes: &[]string{"read_api"},
	})
	if err != nil || pat.Description != "for CI" {
		t.Fatalf("CreatePersonalAccessToken with description: %+v %v", pat, err)
	}
}
