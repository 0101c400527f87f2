package client_test

// Impersonation and personal access tokens through gitlab.com/gitlab-org/api/client-go:
// created tokens authorize at once, limited by their scopes, until the mock
// clock passes their expiry or they are revoked or rotated.

import (
	"errors"
	"net/http"
	"testing"
	"time"

	cgitlab "gitlab.com/gitlab-org/api/client-go"
)

func TestCCreatedTokenWorksUntilTheMockClockPassesItsExpiry(t *testing.T) {
	t.Parallel()
	_, url, clk := newClockMock(t, clockStart)
	admin := cClient(t, url, rootToken)
	exp := cgitlab.ISOTime(clockStart.AddDate(0, 0, 2))
	pat, resp, err := admin.Users.CreatePersonalAccessToken(johnID, &cgitlab.CreatePersonalAccessTokenOptions{
		Name: cgitlab.Ptr("ci"), Scopes: &[]string{"api"}, ExpiresAt: &exp,
	})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("CreatePersonalAccessToken: %v", err)
	}
	if len(pat.Token) != len("glpat-")+20 || pat.UserID != johnID || !pat.Active || cIsoDate(pat.ExpiresAt) != "2026-05-03" {
		t.Fatalf("token %+v", pat)
	}
	tc := cClient(t, url, pat.Token)
	me, _, err := tc.Users.CurrentUser()
	if err != nil || me.ID != johnID {
		t.Fatalf("CurrentUser with the new token: %v %v", me, err)
	}
	self, _, err := tc.PersonalAccessTokens.GetSinglePersonalAccessToken()
	if err != nil || self.ID != pat.ID || self.LastUsedAt == nil || !self.LastUsedAt.Equal(clockStart) {
		t.Fatalf("GetSinglePersonalAccessToken: %+v %v", self, err)
	}
	clk.advance(48 * time.Hour)
	_, resp, err = tc.Users.CurrentUser()
	cWantError(t, resp, err, http.StatusUnauthorized, bodyExpiredMsg)
}

func TestCImpersonationTokens(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	all, _, err := admin.Users.GetAllImpersonationTokens(janeID, &cgitlab.GetAllImpersonationTokensOptions{State: cgitlab.Ptr("active")})
	if err != nil || len(all) != 1 || all[0].ID != 1 {
		t.Fatalf("GetAllImpersonationTokens(active): %v %v", all, err)
	}
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) // X sends RFC 3339
	tok, _, err := admin.Users.CreateImpersonationToken(janeID, &cgitlab.CreateImpersonationTokenOptions{
		Name: cgitlab.Ptr("imp"), Scopes: &[]string{"read_user"}, ExpiresAt: &exp,
	})
	if err != nil || tok.Token == "" || !tok.Active {
		t.Fatalf("CreateImpersonationToken: %+v %v", tok, err)
	}
	me, _, err := cClient(t, url, tok.Token).Users.CurrentUser()
	if err != nil || me.ID != janeID {
		t.Fatalf("CurrentUser as jane: %v %v", me, err)
	}
	got, _, err := admin.Users.GetImpersonationToken(janeID, tok.ID)
	if err != nil || got.Name != "imp" || got.Token != "" {
		t.Fatalf("GetImpersonationToken: %+v %v", got, err)
	}
	if _, err := admin.Users.RevokeImpersonationToken(janeID, tok.ID); err != nil {
		t.Fatalf("RevokeImpersonationToken: %v", err)
	}
	_, resp, err := cClient(t, url, tok.Token).Users.CurrentUser()
	cWantError(t, resp, err, http.StatusUnauthorized, bodyRevokedMsg)
	_, resp, err = admin.Users.GetImpersonationToken(johnID, 10)
	cWantNotFound(t, resp, err)
	_, resp, err = cClient(t, url, johnToken).Users.GetAllImpersonationTokens(janeID, nil)
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
}

func TestCPersonalAccessTokenForCurrentUser(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	john := cClient(t, url, johnToken)
	pat, _, err := john.Users.CreatePersonalAccessTokenForCurrentUser(&cgitlab.CreatePersonalAccessTokenForCurrentUserOptions{
		Name: cgitlab.Ptr("k8s"), Scopes: &[]string{"k8s_proxy"},
	})
	if err != nil || pat.UserID != johnID || pat.ExpiresAt == nil || len(pat.Scopes) != 1 {
		t.Fatalf("CreatePersonalAccessTokenForCurrentUser: %+v %v", pat, err)
	}
	// Its only scope is k8s_proxy: the users API refuses it.
	_, resp, err := cClient(t, url, pat.Token).Users.CurrentUser()
	cWantError(t, resp, err, http.StatusForbidden, "insufficient_scope")
	_, resp, err = john.Users.CreatePersonalAccessTokenForCurrentUser(&cgitlab.CreatePersonalAccessTokenForCurrentUserOptions{
		Name: cgitlab.Ptr("api"), Scopes: &[]string{"api"},
	})
	cWantError(t, resp, err, http.StatusBadRequest, "scopes does not have a valid value")
	_, resp, err = john.Users.CreatePersonalAccessToken(johnID, &cgitlab.CreatePersonalAccessTokenOptions{Name: cgitlab.Ptr("x"), Scopes: &[]string{"api"}})
	cWantError(t, resp, err, http.StatusForbidden, "403 Forbidden")
}

func TestCPersonalAccessTokensService(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin, john := cClient(t, url, rootToken), cClient(t, url, johnToken)

	mine, resp, err := john.PersonalAccessTokens.ListPersonalAccessTokens(&cgitlab.ListPersonalAccessTokensOptions{State: cgitlab.Ptr("active")})
	if err != nil || len(mine) != 3 || resp.TotalItems != 3 {
		t.Fatalf("ListPersonalAccessTokens(active): %d %v", len(mine), err)
	}
	everyone, _, err := admin.PersonalAccessTokens.ListPersonalAccessTokens(&cgitlab.ListPersonalAccessTokensOptions{ListOptions: cgitlab.ListOptions{PerPage: 100}})
	if err != nil || len(everyone) != 14 {
		t.Fatalf("admin ListPersonalAccessTokens: %d %v", len(everyone), err)
	}
	got, _, err := john.PersonalAccessTokens.GetSinglePersonalAccessTokenByID(11)
	if err != nil || got.Name != "john-read-api" {
		t.Fatalf("GetSinglePersonalAccessTokenByID: %+v %v", got, err)
	}
	_, resp, err = john.PersonalAccessTokens.GetSinglePersonalAccessTokenByID(4)
	cWantError(t, resp, err, http.StatusUnauthorized, "401 Unauthorized")

	exp := cgitlab.ISOTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	rotated, resp, err := john.PersonalAccessTokens.RotatePersonalAccessTokenByID(11, &cgitlab.RotatePersonalAccessTokenOptions{ExpiresAt: &exp})
	if err != nil || resp.StatusCode != http.StatusOK || rotated.Token == "" || rotated.ID == 11 || cIsoDate(rotated.ExpiresAt) != "2030-01-01" {
		t.Fatalf("RotatePersonalAccessTokenByID: %+v %v", rotated, err)
	}
	_, resp, err = cClient(t, url, johnReadAPIToken).Users.CurrentUser()
	cWantError(t, resp, err, http.StatusUnauthorized, bodyRevokedMsg)
	again, _, err := john.PersonalAccessTokens.RotatePersonalAccessToken(rotated.ID, nil)
	if err != nil || again.Token == rotated.Token {
		t.Fatalf("RotatePersonalAccessToken: %+v %v", again, err)
	}
	_, resp, err = john.PersonalAccessTokens.RotatePersonalAccessToken(rotated.ID, nil)
	cWantError(t, resp, err, http.StatusBadRequest, "Token already revoked")

	// john's own api token (id 10) rotates itself.
	selfRotated, _, err := john.PersonalAccessTokens.RotatePersonalAccessTokenSelf(nil)
	if err != nil || selfRotated.Token == johnToken {
		t.Fatalf("RotatePersonalAccessTokenSelf: %+v %v", selfRotated, err)
	}
	if _, err := cClient(t, url, selfRotated.Token).PersonalAccessTokens.RevokePersonalAccessTokenSelf(); err != nil {
		t.Fatalf("RevokePersonalAccessTokenSelf: %v", err)
	}
	_, resp, err = cClient(t, url, selfRotated.Token).PersonalAccessTokens.GetSinglePersonalAccessToken()
	cWantError(t, resp, err, http.StatusUnauthorized, bodyRevokedMsg)

	if _, err := admin.PersonalAccessTokens.RevokePersonalAccessTokenByID(12); err != nil {
		t.Fatalf("RevokePersonalAccessTokenByID: %v", err)
	}
	if _, err := admin.PersonalAccessTokens.RevokePersonalAccessToken(again.ID); err != nil {
		t.Fatalf("RevokePersonalAccessToken: %v", err)
	}
	_, _, err = john.Users.CurrentUser()
	var er *cgitlab.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token still works: %v", err)
	}
	resp, err = admin.PersonalAccessTokens.RevokePersonalAccessTokenByID(99999)
	cWantNotFound(t, resp, err)
}

// client-go only: the newer list filters (expires_*, sort, user_id as int64).
func TestCListPersonalAccessTokensFilters(t *testing.T) {
	t.Parallel()
	_, url := newMock(t)
	admin := cClient(t, url, rootToken)
	before := cgitlab.ISOTime(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC))
	expiring, _, err := admin.PersonalAccessTokens.ListPersonalAccessTokens(&cgitlab.ListPersonalAccessTokensOptions{
		UserID: cgitlab.Ptr(int64(johnID)), ExpiresBefore: &before,
	})
	if err != nil || len(expiring) != 1 || expiring[0].Name != "john-expired" || expiring[0].Active {
		t.Fatalf("expires_before: %+v %v", expiring, err)
	}
	byName, _, err := admin.PersonalAccessTokens.ListPersonalAccessTokens(&cgitlab.ListPersonalAccessTokensOptions{
		UserID: cgitlab.Ptr(int64(johnID)), Sort: cgitlab.Ptr("name_desc"), Search: cgitlab.Ptr("read"),
	})
	if err != nil || len(byName) != 2 || byName[0].Name != "john-read-user" || byName[1].Name != "john-read-api" {
		t.Fatalf("search+sort: %+v %v", byName, err)
	}
	revoked, _, err := cClient(t, url, johnToken).PersonalAccessTokens.ListPersonalAccessTokens(&cgitlab.ListPersonalAccessTokensOptions{Revoked: cgitlab.Ptr(true)})
	if err != nil || len(revoked) != 1 || revoked[0].ID != 14 {
		t.Fatalf("revoked: %+v %v", revoked, err)
	}
	_, resp, err := cClient(t, url, johnToken).PersonalAccessTokens.ListPersonalAccessTokens(&cgitlab.ListPersonalAccessTokensOptions{UserID: cgitlab.Ptr(int64(rootID))})
	cWantError(t, resp, err, http.StatusUnauthorized, "401 Unauthorized")
}
