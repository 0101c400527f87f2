package mock

// Emails: /user/emails and /users/:id/emails (admin).

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// emailJSON is Entities::Email.
type emailJSON struct {
	ID          int64    `json:"id"`
	Email       string   `json:"email"`
	ConfirmedAt *apiTime `json:"confirmed_at"`
}

// primaryEmailID is the id under which the primary email is listed. GitLab
// keeps a confirmed user's primary email as a row of its emails table (so
// GET .../emails lists it first); the mock has no such row and shows it as
// email 0, which GET /user/emails/0 returns and nothing can delete.
const primaryEmailID = 0

// userEmails is user.emails: the confirmed primary email, then the
// secondary emails in id order.
func (s *Server) userEmails(u *store.User) []emailJSON {
	sec := s.store.EmailsOf(u.ID)
	out := make([]emailJSON, 0, len(sec)+1)
	if u.ConfirmedAt != nil {
		out = append(out, emailJSON{ID: primaryEmailID, Email: u.Email, ConfirmedAt: timeOrNil(u.ConfirmedAt)})
	}
	for _, e := range sec {
		out = append(out, renderEmail(e))
	}
	return out
}

func renderEmail(e *store.Email) emailJSON {
	return emailJSON{ID: e.ID, Email: e.Email, ConfirmedAt: timeOrNil(e.ConfirmedAt)}
}

// addEmail runs Emails::CreateService and the Email model's validations:
// presence, format, length, then uniqueness against every primary and
// secondary email. skipConfirmation confirms the address at once (admins
// only: /users/:id/emails).
func (s *Server) addEmail(c *gin.Context, owner *store.User, addr string, skipConfirmation bool) *apiError {
	addr = strings.TrimSpace(addr)
	var errs fieldErrors
	switch {
	case addr == "":
		errs.add("email", msgBlank)
		errs.add("email", msgInvalid)
	case !emailFormat.MatchString(addr):
		errs.add("email", msgInvalid)
	case utf8.RuneCountInString(addr) > 255:
		errs.add("email", msgEmailTooLong)
	case s.store.EmailTaken(addr):
		errs.add("email", msgTaken)
	}
	if e := errs.err(); e != nil {
		return e
	}
	now := s.clock.Now()
	e := store.Email{UserID: owner.ID, Email: addr, CreatedAt: now}
	if skipConfirmation {
		e.ConfirmedAt = &now
	}
	created, err := s.store.AddEmail(e)
	if err != nil {
		return storeError(err) // e.g. ErrSecondaryEmailTaken, having lost a race with another add
	}
	writeJSON(c, http.StatusCreated, renderEmail(created))
	return nil
}

// listCurrentUserEmails is GET /user/emails.
func (s *Server) listCurrentUserEmails(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, s.userEmails(w.user), pr))
	return nil
}

// getCurrentUserEmail is GET /user/emails/:email_id; another user's email
// is not found, even for an admin.
func (s *Server) getCurrentUserEmail(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	id := childID(c, p, "email_id")
	if e := p.errs.err(); e != nil {
		return e
	}
	if id == primaryEmailID && w.user.ConfirmedAt != nil {
		writeJSON(c, http.StatusOK, s.userEmails(w.user)[0])
		return nil
	}
	e := s.store.Email(id)
	if e == nil || e.UserID != w.user.ID {
		return notFound("Email")
	}
	writeJSON(c, http.StatusOK, renderEmail(e))
	return nil
}

// addCurrentUserEmail is POST /user/emails. Only email is declared, so a
// skip_confirmation sent here is ignored: the address stays unconfirmed.
func (s *Server) addCurrentUserEmail(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.require("email")
	addr, _ := p.str("email")
	if e := p.errs.err(); e != nil {
		return e
	}
	return s.addEmail(c, w.user, addr, false)
}

// deleteCurrentUserEmail is DELETE /user/emails/:email_id (204).
func (s *Server) deleteCurrentUserEmail(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	id := childID(c, p, "email_id")
	if e := p.errs.err(); e != nil {
		return e
	}
	if serr := s.store.DeleteEmail(w.user.ID, id); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// adminEmailRoute is the common head of /users/:id/emails routes: numeric
// id, login, the route's parameters (via read), admin, then the user.
func (s *Server) adminEmailRoute(c *gin.Context, read func(p *params)) (*store.User, *apiError) {
	uid, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	w, err := s.usersResourceLogin(c)
	if err != nil {
		return nil, err
	}
	p, _ := s.readParams(c)
	read(p)
	if e := p.errs.err(); e != nil {
		return nil, e
	}
	if e := requireAdmin(w); e != nil {
		return nil, e
	}
	u := s.store.User(uid)
	if u == nil {
		return nil, notFound("User")
	}
	return u, nil
}

// listUserEmails is GET /users/:id/emails (admin).
func (s *Server) listUserEmails(c *gin.Context) *apiError {
	var pr pageRequest
	u, err := s.adminEmailRoute(c, func(p *params) { pr = p.pagination() })
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, s.userEmails(u), pr))
	return nil
}

// addUserEmail is POST /users/:id/emails (admin; skip_confirmation honoured).
func (s *Server) addUserEmail(c *gin.Context) *apiError {
	var addr string
	var skip bool
	u, err := s.adminEmailRoute(c, func(p *params) {
		p.require("email")
		addr, _ = p.str("email")
		skip, _ = p.boolean("skip_confirmation")
	})
	if err != nil {
		return err
	}
	return s.addEmail(c, u, addr, skip)
}

// deleteUserEmail is DELETE /users/:id/emails/:email_id (admin, 204).
func (s *Server) deleteUserEmail(c *gin.Context) *apiError {
	var id int64
	u, err := s.adminEmailRoute(c, func(p *params) { id = childID(c, p, "email_id") })
	if err != nil {
		return err
	}
	if serr := s.store.DeleteEmail(u.ID, id); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}
