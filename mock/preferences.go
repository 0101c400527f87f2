package mock

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// preferencesJSON is UserPreferences.
type preferencesJSON struct {
	ID                        int64 `json:"id"`
	UserID                    int64 `json:"user_id"`
	ViewDiffsFileByFile       bool  `json:"view_diffs_file_by_file"`
	ShowWhitespaceInDiffs     bool  `json:"show_whitespace_in_diffs"`
	PassUserIdentitiesToCIJWT bool  `json:"pass_user_identities_to_ci_jwt"`
}

func (s *Server) renderPreferences(u *store.User) preferencesJSON {
	p := s.store.Preferences(u.ID)
	return preferencesJSON{
		ID: u.ID, UserID: u.ID, ViewDiffsFileByFile: u.ViewDiffsFileByFile,
		ShowWhitespaceInDiffs: p.ShowWhitespaceInDiffs, PassUserIdentitiesToCIJWT: p.PassUserIdentitiesToCIJWT,
	}
}

// getPreferences is GET /user/preferences.
func (s *Server) getPreferences(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, s.renderPreferences(w.user))
	return nil
}

// putPreferences is PUT /user/preferences: at least one of the three.
func (s *Server) putPreferences(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	diffs := p.optBool("view_diffs_file_by_file")
	ws := p.optBool("show_whitespace_in_diffs")
	jwt := p.optBool("pass_user_identities_to_ci_jwt")
	if !p.given("view_diffs_file_by_file") && !p.given("show_whitespace_in_diffs") && !p.given("pass_user_identities_to_ci_jwt") {
		p.errs.add("view_diffs_file_by_file, show_whitespace_in_diffs, pass_user_identities_to_ci_jwt are missing, at least one parameter must be provided")
	}
	if e := p.errs.err(); e != nil {
		return e
	}
	prefs := s.store.Preferences(w.user.ID)
	if ws != nil {
		prefs.ShowWhitespaceInDiffs = *ws
	}
	if jwt != nil {
		prefs.PassUserIdentitiesToCIJWT = *jwt
	}
	s.store.SetPreferences(w.user.ID, prefs)
	u, serr := s.store.UpdateUser(w.user.ID, func(u *store.User) error {
		if diffs != nil {
			u.ViewDiffsFileByFile = *diffs
		}
		return nil
	})
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, s.renderPreferences(u))
	return nil
}
