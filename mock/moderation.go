package mock

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// dormantPeriod is GitLab's deactivate_dormant_users_period default (days).
const dormantPeriod = 90

// moderationTarget runs the common head of the moderation routes: numeric
// id, login, then authenticated_as_admin! (when admin), then the user lookup.
func (s *Server) moderationTarget(c *gin.Context, admin bool) (*caller, *store.User, *apiError) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return nil, nil, err
	}
	if admin && !w.admin() {
		return nil, nil, errForbidden
	}
	u := s.store.User(id)
	if u == nil {
		return nil, nil, notFound("User")
	}
	return w, u, nil
}

func (s *Server) setState(c *gin.Context, u *store.User, state string) *apiError {
	if _, err := s.store.SetUserState(u.ID, state, s.clock.Now()); err != nil {
		return storeError(err)
	}
	return nil
}

// blockUser is POST /users/:id/block.
func (s *Server) blockUser(c *gin.Context) *apiError {
	w, u, err := s.moderationTarget(c, true)
	if err != nil {
		return err
	}
	switch {
	case u.State == store.StateLDAPBlocked:
		return errLDAPBlockedModify
	case w.is(u):
		return errSelfBlock
	case blockedState(u.State):
		writeJSON(c, http.StatusCreated, nil) // `break if user.blocked?` renders null
		return nil
	case u.Internal:
		return errInternalBlock
	}
	if err := s.setState(c, u, store.StateBlocked); err != nil {
		return err
	}
	s.recordModerator(u, "blocked_by", w)
	writeJSON(c, http.StatusCreated, true)
	return nil
}

// unblockUser is POST /users/:id/unblock: 201 with UnblockService's success
// (false for a user that was not blocked).
func (s *Server) unblockUser(c *gin.Context) *apiError {
	w, u, err := s.moderationTarget(c, true)
	if err != nil {
		return err
	}
	switch u.State {
	case store.StateLDAPBlocked:
		return errLDAPBlockedUnblock
	case store.StateDeactivated:
		return errDeactivatedUnblock
	case store.StateActive:
		writeJSON(c, http.StatusCreated, false)
		return nil
	}
	if err := s.setState(c, u, store.StateActive); err != nil {
		return err
	}
	s.recordModerator(u, "unblocked_by", w)
	writeJSON(c, http.StatusCreated, true)
	return nil
}

// recordModerator is Block/UnblockService's after-hook: a custom attribute
// "<username>/<id>+<Time.current>" naming who did it.
func (s *Server) recordModerator(u *store.User, key string, w *caller) {
	value := w.user.Username + "/" + strconv.FormatInt(w.user.ID, 10) + "+" + s.clock.Now().Format("2006-01-02 15:04:05 UTC")
	s.store.SetCustomAttribute(u.ID, key, value)
}

// activateUser is POST /users/:id/activate.
func (s *Server) activateUser(c *gin.Context) *apiError {
	_, u, err := s.moderationTarget(c, true)
	if err != nil {
		return err
	}
	if blockedState(u.State) {
		return errActivateBlocked
	}
	if u.State != store.StateActive {
		if err := s.setState(c, u, store.StateActive); err != nil {
			return err
		}
	}
	writeJSON(c, http.StatusCreated, true)
	return nil
}

// lastActiveAt is User#last_active_at: the later of last_activity_on and
// current_sign_in_at (nil when neither is known).
func lastActiveAt(u *store.User) *time.Time {
	t := u.LastActivityOn
	if u.CurrentSignInAt != nil && (t == nil || u.CurrentSignInAt.After(*t)) {
		t = u.CurrentSignInAt
	}
	return t
}

// deactivateUser is POST /users/:id/deactivate.
func (s *Server) deactivateUser(c *gin.Context) *apiError {
	_, u, err := s.moderationTarget(c, true)
	if err != nil {
		return err
	}
	switch {
	case u.State == store.StateDeactivated:
		writeJSON(c, http.StatusCreated, nil) // `break if user.deactivated?`
		return nil
	case blockedState(u.State):
		return errDeactivateBlocked
	case u.Internal:
		return errDeactivateInternal
	}
	if t := lastActiveAt(u); t != nil && t.After(s.clock.Now().AddDate(0, 0, -dormantPeriod)) {
		return errRecentlyActive(dormantPeriod)
	}
	if err := s.setState(c, u, store.StateDeactivated); err != nil {
		return err
	}
	writeJSON(c, http.StatusCreated, true)
	return nil
}

// banUser is POST /users/:id/ban: only active users can be banned.
func (s *Server) banUser(c *gin.Context) *apiError {
	_, u, err := s.moderationTarget(c, true)
	if err != nil {
		return err
	}
	if u.State != store.StateActive {
		return errCannotBan(u.State)
	}
	if err := s.setState(c, u, store.StateBanned); err != nil {
		return err
	}
	writeJSON(c, http.StatusCreated, true)
	return nil
}

// unbanUser is POST /users/:id/unban: only banned users can be unbanned.
func (s *Server) unbanUser(c *gin.Context) *apiError {
	_, u, err := s.moderationTarget(c, true)
	if err != nil {
		return err
	}
	if u.State != store.StateBanned {
		return errCannotUnban(u.State)
	}
	if err := s.setState(c, u, store.StateActive); err != nil {
		return err
	}
	writeJSON(c, http.StatusCreated, true)
	return nil
}

// approveUser is POST /users/:id/approve. The admin check is the service's,
// after the lookup.
func (s *Server) approveUser(c *gin.Context) *apiError {
	w, u, err := s.moderationTarget(c, false)
	if err != nil {
		return err
	}
	switch {
	case !w.admin():
		return errApproveForbidden
	case u.State != store.StateBlockedPendingApproval:
		return errNotPendingApproval
	}
	if err := s.setState(c, u, store.StateActive); err != nil {
		return err
	}
	writeJSON(c, http.StatusCreated, map[string]string{"message": "Success"})
	return nil
}

// rejectUser is POST /users/:id/reject: 200, and the rejected user is deleted.
func (s *Server) rejectUser(c *gin.Context) *apiError {
	w, u, err := s.moderationTarget(c, false)
	if err != nil {
		return err
	}
	switch {
	case !w.admin():
		return errRejectForbidden
	case u.State != store.StateBlockedPendingApproval:
		return errNoPendingRequest
	}
	if err := s.store.DeleteUser(u.ID); err != nil {
		return storeError(err)
	}
	writeJSON(c, http.StatusOK, map[string]string{"message": "Success"})
	return nil
}

// disableTwoFactor is PATCH /users/:id/disable_two_factor.
func (s *Server) disableTwoFactor(c *gin.Context) *apiError {
	_, u, err := s.moderationTarget(c, true)
	if err != nil {
		return err
	}
	switch {
	case u.Admin:
		return errTwoFactorAdmin
	case !u.TwoFactorEnabled:
		return errTwoFactorNotEnabled
	}
	if _, serr := s.store.UpdateUser(u.ID, func(x *store.User) error { x.TwoFactorEnabled = false; return nil }); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}
