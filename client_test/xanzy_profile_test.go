package client_test

// The rest of the user surface through github.com/xanzy/go-gitlab v0.115.0:
// status, associations count, activities, memberships, runners, service
// accounts, avatar, contribution events and custom attributes.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	xgitlab "github.com/xanzy/go-gitlab"
)

func TestXUserStatus(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	john := xClient(t, url, johnToken)
	st, _, err := john.Users.CurrentUserStatus()
	if err != nil || st.Emoji != "" || st.Message != "" {
		t.Fatalf("CurrentUserStatus before any: %+v %v", st, err)
	}
	st, _, err = john.Users.SetUserStatus(&xgitlab.UserStatusOptions{
		Message: xgitlab.Ptr("Out sick"), Availability: xgitlab.Ptr(xgitlab.Busy),
	})
	if err != nil || st.Emoji != "speech_balloon" || st.Message != "Out sick" || st.Availability != xgitlab.Busy || st.MessageHTML != "Out sick" {
		t.Fatalf("SetUserStatus: %+v %v", st, err)
	}
	got, _, err := xClient(t, url, anonymous).Users.GetUserStatus(johnID)
	if err != nil || *got != *st {
		t.Fatalf("GetUserStatus: %+v %v", got, err)
	}
	if st, _, err = john.Users.CurrentUserStatus(); err != nil || st.Message != "Out sick" {
		t.Fatalf("CurrentUserStatus: %+v %v", st, err)
	}
	_, resp, err := xClient(t, url, rootToken).Users.GetUserStatus(missingID)
	xWantNotFound(t, resp, err)
	_, resp, err = john.Users.SetUserStatus(&xgitlab.UserStatusOptions{Emoji: xgitlab.Ptr("NOT AN EMOJI")})
	xWantError(t, resp, err, http.StatusBadRequest, "{message: {emoji: [does not exist]}}")
}

func TestXGetUserAssociationsCount(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	c, _, err := xClient(t, url, johnToken).Users.GetUserAssociationsCount(johnID)
	if err != nil || c.GroupsCount != 0 || c.ProjectsCount != 0 || c.IssuesCount != 0 || c.MergeRequestsCount != 0 {
		t.Fatalf("GetUserAssociationsCount: %+v %v", c, err)
	}
	if _, _, err := xClient(t, url, rootToken).Users.GetUserAssociationsCount(johnID); err != nil {
		t.Fatalf("admin GetUserAssociationsCount: %v", err)
	}
	_, resp, err := xClient(t, url, johnToken).Users.GetUserAssociationsCount(user1ID)
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = xClient(t, url, rootToken).Users.GetUserAssociationsCount(missingID)
	xWantNotFound(t, resp, err)
}

func TestXGetUserActivitiesFollowsAPIUseByTheMockClock(t *testing.T) {
	t.Parallel()
	_, url, _ := newClockMock(t, clockStart)
	from := xgitlab.ISOTime(time.Date(2015, 12, 15, 0, 0, 0, 0, time.UTC))
	acts, _, err := xClient(t, url, rootToken).Users.GetUserActivities(&xgitlab.GetUserActivitiesOptions{From: &from})
	if err != nil || len(acts) < 2 || acts[0].Username != "user2" || xIsoDate(acts[0].LastActivityOn) != "2015-12-15" {
		t.Fatalf("GetUserActivities: %v %v", acts, err)
	}
	// root's request above is recorded: root is now the most recent.
	acts, _, err = xClient(t, url, johnToken).Users.GetUserActivities(&xgitlab.GetUserActivitiesOptions{From: &from})
	if err != nil || len(acts) == 0 || acts[len(acts)-1].Username != "root" || xIsoDate(acts[len(acts)-1].LastActivityOn) != "2026-05-01" {
		t.Fatalf("GetUserActivities after API use: %v %v", acts, err)
	}
}

func TestXGetUserMemberships(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	ms, resp, err := xClient(t, url, rootToken).Users.GetUserMemberships(johnID, &xgitlab.GetUserMembershipOptions{Type: xgitlab.Ptr("Project")})
	if err != nil || len(ms) != 0 || resp.TotalItems != 0 {
		t.Fatalf("GetUserMemberships: %v %v", ms, err)
	}
	_, resp, err = xClient(t, url, rootToken).Users.GetUserMemberships(johnID, &xgitlab.GetUserMembershipOptions{Type: xgitlab.Ptr("Group")})
	xWantError(t, resp, err, http.StatusBadRequest, "type does not have a valid value")
	_, resp, err = xClient(t, url, johnToken).Users.GetUserMemberships(johnID, nil)
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = xClient(t, url, rootToken).Users.GetUserMemberships(missingID, nil)
	xWantNotFound(t, resp, err)
}

func TestXCreateUserRunner(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	r, resp, err := xClient(t, url, rootToken).Users.CreateUserRunner(&xgitlab.CreateUserRunnerOptions{
		RunnerType: xgitlab.Ptr("instance_type"), Description: xgitlab.Ptr("mock runner"), TagList: &[]string{"a"},
	})
	if err != nil || resp.StatusCode != http.StatusCreated || r.ID != 1 || !strings.HasPrefix(r.Token, "glrt-") {
		t.Fatalf("CreateUserRunner: %+v %v", r, err)
	}
	_, resp, err = xClient(t, url, johnToken).Users.CreateUserRunner(&xgitlab.CreateUserRunnerOptions{RunnerType: xgitlab.Ptr("instance_type")})
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
	_, resp, err = xClient(t, url, rootToken).Users.CreateUserRunner(&xgitlab.CreateUserRunnerOptions{RunnerType: xgitlab.Ptr("group_type")})
	xWantError(t, resp, err, http.StatusBadRequest, "group_id is missing")
}

func TestXServiceAccounts(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	u, resp, err := admin.Users.CreateServiceAccountUser(&xgitlab.CreateServiceAccountUserOptions{Name: xgitlab.Ptr("Deployer"), Username: xgitlab.Ptr("deployer")})
	if err != nil || resp.StatusCode != http.StatusCreated || u.Username != "deployer" || u.Name != "Deployer" {
		t.Fatalf("CreateServiceAccountUser: %+v %v", u, err)
	}
	gen, _, err := admin.Users.CreateServiceAccountUser(&xgitlab.CreateServiceAccountUserOptions{})
	if err != nil || !strings.HasPrefix(gen.Username, "service_account_") || gen.Name != "Service account user" {
		t.Fatalf("CreateServiceAccountUser with defaults: %+v %v", gen, err)
	}
	list, _, err := admin.Users.ListServiceAccounts(&xgitlab.ListServiceAccountsOptions{OrderBy: xgitlab.Ptr("id"), Sort: xgitlab.Ptr("asc")})
	if err != nil || len(list) != 2 || list[0].ID != u.ID || list[1].ID != gen.ID {
		t.Fatalf("ListServiceAccounts: %v %v", list, err)
	}
	bot, _, err := admin.Users.GetUser(u.ID, xgitlab.GetUsersOptions{})
	if err != nil || !bot.Bot {
		t.Fatalf("service account user: %+v %v", bot, err)
	}
	_, resp, err = xClient(t, url, johnToken).Users.ListServiceAccounts(nil)
	xWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
}

func TestXUploadAvatar(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	john := xClient(t, url, johnToken)
	u, _, err := john.Users.UploadAvatar(strings.NewReader("\x89PNG fake"), "me.png")
	want := url + "/uploads/-/system/user/avatar/1/me.png"
	if err != nil || u.AvatarURL != want {
		t.Fatalf("UploadAvatar: %+v %v", u, err)
	}
	if me, _, _ := john.Users.CurrentUser(); me.AvatarURL != want {
		t.Fatalf("avatar_url %q after upload", me.AvatarURL)
	}
}

func TestXContributionEvents(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	evs, resp, err := xClient(t, url, anonymous).Users.ListUserContributionEvents("root", &xgitlab.ListContributionEventsOptions{Sort: xgitlab.Ptr("asc")})
	if err != nil || len(evs) != 4 || evs[0].ID != 1 || resp.TotalItems != 4 || evs[0].TargetTitle != "Public project search field" {
		t.Fatalf("ListUserContributionEvents: %v %v", evs, err)
	}
	evs, _, err = xClient(t, url, rootToken).Users.ListUserContributionEvents(rootID, &xgitlab.ListContributionEventsOptions{ListOptions: xgitlab.ListOptions{PerPage: 1}})
	if err != nil || len(evs) != 1 || evs[0].ID != 4 {
		t.Fatalf("ListUserContributionEvents by id: %v %v", evs, err)
	}
	_, resp, err = xClient(t, url, rootToken).Users.ListUserContributionEvents("nobody", nil)
	xWantNotFound(t, resp, err)
	own, _, err := xClient(t, url, rootToken).Events.ListCurrentUserContributionEvents(nil)
	if err != nil || len(own) != 4 || own[0].ID != 4 {
		t.Fatalf("ListCurrentUserContributionEvents: %v %v", own, err)
	}
}

func TestXCustomUserAttributes(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	a, _, err := admin.CustomAttribute.SetCustomUserAttribute(johnID, xgitlab.CustomAttribute{Key: "team", Value: "blue"})
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
	users, _, err := admin.Users.ListUsers(&xgitlab.ListUsersOptions{WithCustomAttributes: xgitlab.Ptr(true), Username: xgitlab.Ptr("john_smith")})
	if err != nil || len(users) != 1 || len(users[0].CustomAttributes) != 1 {
		t.Fatalf("ListUsers with_custom_attributes: %v %v", users, err)
	}
	if _, err := admin.CustomAttribute.DeleteCustomUserAttribute(johnID, "team"); err != nil {
		t.Fatalf("DeleteCustomUserAttribute: %v", err)
	}
	_, resp, err := admin.CustomAttribute.GetCustomUserAttribute(johnID, "team")
	xWantNotFound(t, resp, err)
}
