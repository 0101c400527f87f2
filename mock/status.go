package mock

import (
	"html"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// userStatusJSON is UserStatus; every field is null when there is no status.
type userStatusJSON struct {
	Emoji         *string  `json:"emoji"`
	Availability  *string  `json:"availability"`
	Message       *string  `json:"message"`
	MessageHTML   *string  `json:"message_html"`
	ClearStatusAt *apiTime `json:"clear_status_at"`
}

// defaultEmoji is UserStatus::DEFAULT_EMOJI.
const defaultEmoji = "speech_balloon"

// clearStatusAfter is UserStatus::CLEAR_STATUS_QUICK_OPTIONS.
var clearStatusAfter = map[string]time.Duration{
	"30_minutes": 30 * time.Minute, "3_hours": 3 * time.Hour, "8_hours": 8 * time.Hour,
	"1_day": 24 * time.Hour, "3_days": 72 * time.Hour, "7_days": 7 * 24 * time.Hour, "30_days": 30 * 24 * time.Hour,
}

var emojiName = regexp.MustCompile(`^[a-z0-9_+\-]{1,64}$`)

// currentStatus is the user's status unless clear_status_at has passed.
func (s *Server) currentStatus(id int64) *store.UserStatus {
	st := s.store.Status(id)
	if st == nil || st.Emoji == "" || (st.ClearAt != nil && !s.clock.Now().Before(*st.ClearAt)) {
		return nil
	}
	return st
}

func renderStatus(st *store.UserStatus) userStatusJSON {
	if st == nil {
		return userStatusJSON{}
	}
	j := userStatusJSON{Emoji: &st.Emoji, Availability: &st.Availability, ClearStatusAt: timeOrNil(st.ClearAt)}
	if st.Message != "" {
		m, h := st.Message, html.EscapeString(st.Message)
		j.Message, j.MessageHTML = &m, &h
	}
	return j
}

// getUserStatus is GET /users/:id/status (id or username; anonymous allowed).
func (s *Server) getUserStatus(c *gin.Context) *apiError {
	if _, err := s.authenticate(c, scopesUsers); err != nil {
		return err
	}
	u := s.userByIDOrUsername(c.Param("id"))
	if u == nil {
		return notFound("User")
	}
	writeJSON(c, http.StatusOK, renderStatus(s.currentStatus(u.ID)))
	return nil
}

// getCurrentUserStatus is GET /user/status.
func (s *Server) getCurrentUserStatus(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, renderStatus(s.currentStatus(w.user.ID)))
	return nil
}

// putUserStatus is PUT /user/status: missing params become null.
func (s *Server) putUserStatus(c *gin.Context) *apiError { return s.setUserStatus(c, true) }

// patchUserStatus is PATCH /user/status: missing params keep their value.
func (s *Server) patchUserStatus(c *gin.Context) *apiError { return s.setUserStatus(c, false) }

// setUserStatus is Users::SetStatusService: all-blank params remove the
// status; otherwise the emoji defaults to speech_balloon.
func (s *Server) setUserStatus(c *gin.Context, includeMissing bool) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	emoji, hasEmoji := p.str("emoji")
	message, hasMessage := p.str("message")
	avail, hasAvail := p.str("availability")
	clearAfter, hasClear := p.oneOf("clear_status_after", keysOf(clearStatusAfter)...)
	if e := p.errs.err(); e != nil {
		return e
	}
	var st store.UserStatus
	if old := s.currentStatus(w.user.ID); old != nil && !includeMissing {
		st = *old
	}
	if hasEmoji || includeMissing {
		st.Emoji = emoji
	}
	if hasMessage || includeMissing {
		st.Message = message
	}
	if hasAvail || includeMissing {
		st.Availability = avail
	}
	if hasClear || includeMissing {
		st.ClearAt = nil
		if hasClear {
			at := s.clock.Now().Add(clearStatusAfter[clearAfter])
			st.ClearAt = &at
		}
	}
	if !includeMissing && !hasEmoji && !hasMessage && !hasAvail && !hasClear {
		writeJSON(c, http.StatusOK, nil) // `status :ok; break`: the body is null
		return nil
	}
	if st.Emoji == "" && st.Message == "" && (st.Availability == "" || st.Availability == "not_set") {
		s.store.SetStatus(w.user.ID, store.UserStatus{})
		writeJSON(c, http.StatusOK, renderStatus(nil))
		return nil
	}
	if st.Emoji == "" {
		st.Emoji = defaultEmoji
	}
	if st.Availability == "" {
		st.Availability = "not_set"
	}
	switch {
	case !emojiName.MatchString(st.Emoji):
		return validationError("emoji", "does not exist")
	case len([]rune(st.Message)) > 100:
		return validationError("message", "is too long (maximum is 100 characters)")
	case st.Availability != "not_set" && st.Availability != "busy":
		return validationError("availability", "is not included in the list")
	}
	writeJSON(c, http.StatusOK, renderStatus(s.store.SetStatus(w.user.ID, st)))
	return nil
}
