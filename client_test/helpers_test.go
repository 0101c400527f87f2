// Package client_test drives gitlab-mock only through real GitLab API
// clients: github.com/xanzy/go-gitlab (X) and its maintained successor
// gitlab.com/gitlab-org/api/client-go (C). Each test builds its own mock, so
// tests may change state and run in parallel.
package client_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	xgitlab "github.com/xanzy/go-gitlab"
	cgitlab "gitlab.com/gitlab-org/api/client-go"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// Tokens of the default fixtures.
const (
	rootToken        = "9koXpg98eAheJpvBs5tK"      // root: api, sudo
	rootAPIOnlyToken = "glpat-root-api-only-token" // root: api only
	johnToken        = "glpat-john-smith-api-token"
	johnReadAPIToken = "glpat-john-read-api-token"
	johnReadUser     = "glpat-john-read-user-token"
	johnExpiredToken = "glpat-john-expired-token"
	johnRevokedToken = "glpat-john-revoked-token"
	jackBlockedToken = "glpat-jack-blocked-token"
	ldapBlockedToken = "glpat-ldap-blocked-token"
	deactivatedToken = "glpat-deactivated-token"
	pendingToken     = "glpat-pending-approval-token"
	unknownToken     = "glpat-this-token-does-not-exist"
	anonymous        = "" // NewClient("") sends an empty PRIVATE-TOKEN header
)

// Users of the default fixtures.
const (
	johnID    = 1 // john_smith, active, 2FA, 3 identities
	jackID    = 2 // jack_smith, blocked
	rootID    = 3 // root, admin
	ldapID    = 4 // ldap_user, ldap_blocked
	dormantID = 5 // dormant_dan, deactivated
	pendingID = 6 // pending_pat, blocked_pending_approval
	user1ID   = 7
	user2ID   = 8
	user3ID   = 9
	janeID    = 42 // jane_doe
	missingID = 999999
)

var (
	// allUserIDs is every fixture user in GET /users' default order (id desc).
	allUserIDs = []int64{janeID, user3ID, user2ID, user1ID, pendingID, dormantID, ldapID, rootID, jackID, johnID}
	// visibleUserIDs is what non-admins see: no blocked or ldap_blocked users.
	visibleUserIDs = []int64{janeID, user3ID, user2ID, user1ID, pendingID, dormantID, rootID, johnID}
	// johnIdentities are john_smith's identities in the fixtures.
	johnIdentities = map[string]string{
		"github":        "2435223452345",
		"bitbucket":     "john.smith",
		"google_oauth2": "8776128412476123468721346",
	}
	johnCreatedAt    = time.Date(2012, 5, 23, 8, 0, 58, 0, time.UTC)
	johnLastActivity = "2012-05-23"
)

// newMock serves a fresh mock loaded with the default fixtures and returns
// it with its base URL.
func newMock(t *testing.T) (*mock.Server, string) {
	t.Helper()
	s, err := mock.New(mock.Options{})
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// noBackoff makes retries (if a test ever triggers one) immediate.
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

// xClient is a go-gitlab (xanzy) client for url with token.
func xClient(t *testing.T, url, token string, opts ...xgitlab.ClientOptionFunc) *xgitlab.Client {
	t.Helper()
	all := append([]xgitlab.ClientOptionFunc{xgitlab.WithBaseURL(url), xgitlab.WithCustomBackoff(noBackoff)}, opts...)
	c, err := xgitlab.NewClient(token, all...)
	if err != nil {
		t.Fatalf("xgitlab.NewClient: %v", err)
	}
	return c
}

// cClient is a client-go (gitlab.com/gitlab-org/api) client for url with token.
func cClient(t *testing.T, url, token string, opts ...cgitlab.ClientOptionFunc) *cgitlab.Client {
	t.Helper()
	all := append([]cgitlab.ClientOptionFunc{cgitlab.WithBaseURL(url), cgitlab.WithCustomBackoff(noBackoff)}, opts...)
	c, err := cgitlab.NewClient(token, all...)
	if err != nil {
		t.Fatalf("cgitlab.NewClient: %v", err)
	}
	return c
}

// sameIDs reports whether got lists exactly want, in order.
func sameIDs[T int | int64](got []T, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if int64(got[i]) != want[i] {
			return false
		}
	}
	return true
}

// sortedAsc returns ids sorted ascending (a copy).
func sortedAsc(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// strongPassword passes GitLab's length and common-words checks.
const strongPassword = "Vq7#Lm2!Rt9zKw4$"
