package client_test

// User moderation (block, unblock, ban, unban, activate, deactivate, approve,
// reject, disable_two_factor) through github.com/xanzy/go-gitlab v0.115.0.

import (
	"errors"
	"net/http"
	"testing"
	"time"

	xgitlab "github.com/xanzy/go-gitlab"
)

func TestXBlockAndUnblockUser(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin, john := xClient(t, url, rootToken), xClient(t, url, johnToken)

	if err := admin.Users.BlockUser(user1ID); err != nil {
		t.Fatalf("BlockUser: %v", err)
	}
	u, _, _ := admin.Users.GetUser(user1ID, xgitlab.GetUsersOptions{})
	if u.State != "blocked" {
		t.Fatalf("state %q after block", u.State)
	}
	// Blocking again is GitLab's 201 null: still success for the client.
	if err := admin.Users.BlockUser(user1ID); err != nil {
		t.Fatalf("BlockUser again: %v", err)
	}
	if err := admin.Users.UnblockUser(user1ID); err != nil {
		t.Fatalf("UnblockUser: %v", err)
	}
	if u, _, _ := admin.Users.GetUser(user1ID, xgitlab.GetUsersOptions{}); u.State != "active" {
		t.Fatalf("state %q after unblock", u.State)
	}
	// The LDAP-blocked fixture user: both refusals map to the client's sentinels.
	if err := admin.Users.BlockUser(ldapID); !errors.Is(err, xgitlab.ErrUserBlockPrevented) {
		t.Fatalf("BlockUser(ldap): %v", err)
	}
	if err := admin.Users.UnblockUser(ldapID); !errors.Is(err, xgitlab.ErrUserUnblockPrevented) {
		t.Fatalf("UnblockUser(ldap): %v", err)
	}
	// ...and GitLab's two messages are on the wire.
	for path, msg := range map[string]string{
		"users/4/block":   "403 Forbidden - LDAP blocked users cannot be modified by the API",
		"users/4/unblock": "403 Forbidden - LDAP blocked users cannot be unblocked by the API",
	} {
		req, _ := admin.NewRequest(http.MethodPost, path, nil, nil)
		resp, err := admin.Do(req, nil)
		xWantError(t, resp, err, http.StatusForbidden, msg)
	}
	if err := admin.Users.BlockUser(rootID); !errors.Is(err, xgitlab.ErrUserBlockPrevented) {
		t.Fatalf("self-block: %v", err)
	}
	if err := admin.Users.UnblockUser(dormantID); !errors.Is(err, xgitlab.ErrUserUnblockPrevented) {
		t.Fatalf("UnblockUser(deactivated): %v", err)
	}
	if err := admin.Users.BlockUser(missingID); !errors.Is(err, xgitlab.ErrUserNotFound) {
		t.Fatalf("BlockUser(missing): %v", err)
	}
	if err := john.Users.BlockUser(user2ID); !errors.Is(err, xgitlab.ErrUserBlockPrevented) {
		t.Fatalf("BlockUser as non-admin: %v", err) // X maps every 403 to the sentinel
	}
}

func TestXBanAndUnbanUser(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	if err := admin.Users.BanUser(user2ID); err != nil {
		t.Fatalf("BanUser: %v", err)
	}
	if u, _, _ := admin.Users.GetUser(user2ID, xgitlab.GetUsersOptions{}); u.State != "banned" {
		t.Fatalf("state %q", u.State)
	}
	if err := admin.Users.BanUser(user2ID); err == nil {
		t.Fatal("banning a banned user succeeded")
	}
	if err := admin.Users.UnbanUser(user2ID); err != nil {
		t.Fatalf("UnbanUser: %v", err)
	}
	if err := admin.Users.UnbanUser(user2ID); err == nil {
		t.Fatal("unbanning an active user succeeded")
	}
	if err := admin.Users.BanUser(missingID); !errors.Is(err, xgitlab.ErrUserNotFound) {
		t.Fatalf("BanUser(missing): %v", err)
	}
	if err := admin.Users.UnbanUser(missingID); !errors.Is(err, xgitlab.ErrUserNotFound) {
		t.Fatalf("UnbanUser(missing): %v", err)
	}
}

func TestXDeactivateAndActivateUserByTheMockClock(t *testing.T) {
	t.Parallel()
	_, url, clk := newClockMock(t, clockStart)
	admin := xClient(t, url, rootToken)
	// john uses the API: he is now recently active and cannot be deactivated.
	if _, _, err := xClient(t, url, johnToken).Users.CurrentUser(); err != nil {
		t.Fatalf("CurrentUser: %v", err)
	}
	if err := admin.Users.DeactivateUser(johnID); !errors.Is(err, xgitlab.ErrUserDeactivatePrevented) {
		t.Fatalf("DeactivateUser(recently active): %v", err)
	}
	clk.advance(91 * 24 * time.Hour)
	if err := admin.Users.DeactivateUser(johnID); err != nil {
		t.Fatalf("DeactivateUser after 91 days: %v", err)
	}
	_, resp, err := xClient(t, url, johnToken).Users.CurrentUser()
	xWantError(t, resp, err, http.StatusForbidden, "Your account has been deactivated by your administrator")
	if err := admin.Users.ActivateUser(johnID); err != nil {
		t.Fatalf("ActivateUser: %v", err)
	}
	if err := admin.Users.ActivateUser(ldapID); !errors.Is(err, xgitlab.ErrUserActivatePrevented) {
		t.Fatalf("ActivateUser(ldap): %v", err)
	}
	if err := admin.Users.DeactivateUser(jackID); !errors.Is(err, xgitlab.ErrUserDeactivatePrevented) {
		t.Fatalf("DeactivateUser(blocked): %v", err)
	}
	if err := admin.Users.ActivateUser(missingID); !errors.Is(err, xgitlab.ErrUserNotFound) {
		t.Fatalf("ActivateUser(missing): %v", err)
	}
}

func TestXApproveAndRejectUser(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin, john := xClient(t, url, rootToken), xClient(t, url, johnToken)
	if err := john.Users.ApproveUser(pendingID); !errors.Is(err, xgitlab.ErrUserApprovePrevented) {
		t.Fatalf("ApproveUser as non-admin: %v", err)
	}
	if err := john.Users.RejectUser(pendingID); !errors.Is(err, xgitlab.ErrUserRejectPrevented) {
		t.Fatalf("RejectUser as non-admin: %v", err)
	}
	if err := admin.Users.RejectUser(user1ID); !errors.Is(err, xgitlab.ErrUserConflict) {
		t.Fatalf("RejectUser(active): %v", err)
	}
	if err := admin.Users.ApproveUser(pendingID); err != nil {
		t.Fatalf("ApproveUser: %v", err)
	}
	if u, _, _ := admin.Users.GetUser(pendingID, xgitlab.GetUsersOptions{}); u.State != "active" {
		t.Fatalf("state %q after approve", u.State)
	}
	if err := admin.Users.ApproveUser(pendingID); err == nil {
		t.Fatal("approving an active user succeeded")
	}
	if err := admin.Users.ApproveUser(missingID); !errors.Is(err, xgitlab.ErrUserNotFound) {
		t.Fatalf("ApproveUser(missing): %v", err)
	}
	// Reject needs a pending user: a second mock, whose pending_pat is rejected (and deleted).
	_, url2 := newMock(t)
	admin2 := xClient(t, url2, rootToken)
	if err := admin2.Users.RejectUser(pendingID); err != nil {
		t.Fatalf("RejectUser: %v", err)
	}
	_, resp, err := admin2.Users.GetUser(pendingID, xgitlab.GetUsersOptions{})
	xWantNotFound(t, resp, err)
}

func TestXDisableTwoFactor(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := xClient(t, url, rootToken)
	if err := admin.Users.DisableTwoFactor(johnID); err != nil {
		t.Fatalf("DisableTwoFactor: %v", err)
	}
	if u, _, _ := admin.Users.GetUser(johnID, xgitlab.GetUsersOptions{}); u.TwoFactorEnabled {
		t.Fatal("2FA still enabled")
	}
	if err := admin.Users.DisableTwoFactor(johnID); !errors.Is(err, xgitlab.ErrUserTwoFactorNotEnabled) {
		t.Fatalf("DisableTwoFactor again: %v", err)
	}
	if err := admin.Users.DisableTwoFactor(rootID); !errors.Is(err, xgitlab.ErrUserDisableTwoFactorPrevented) {
		t.Fatalf("DisableTwoFactor(admin): %v", err)
	}
	if err := admin.Users.DisableTwoFactor(missingID); !errors.Is(err, xgitlab.ErrUserNotFound) {
		t.Fatalf("DisableTwoFactor(missing): %v", err)
	}
}
