package mock

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// followCounter is what the User entity needs to render follow counts.
type followCounter interface {
	FollowCounts(id int64) (followers, following int)
	IsFollowing(follower, followee int64) bool
}

// followTarget: numeric id, login (anonymous 401 on POST), user lookup.
func (s *Server) followTarget(c *gin.Context) (*caller, *store.User, *apiError) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return nil, nil, err
	}
	u := s.store.User(id)
	if u == nil {
		return nil, nil, notFound("User")
	}
	return w, u, nil
}

// followUser is POST /users/:id/follow: 201 UserBasic, or 304 when nothing
// changes (already followed, or oneself).
func (s *Server) followUser(c *gin.Context) *apiError {
	w, u, err := s.followTarget(c)
	if err != nil {
		return err
	}
	if w.is(u) || !s.store.Follow(w.user.ID, u.ID) {
		c.Status(http.StatusNotModified)
		return nil
	}
	writeJSON(c, http.StatusCreated, s.viewFor(c, w).basic(u))
	return nil
}

// unfollowUser is POST /users/:id/unfollow: 201 UserBasic, 304 if not followed.
func (s *Server) unfollowUser(c *gin.Context) *apiError {
	w, u, err := s.followTarget(c)
	if err != nil {
		return err
	}
	if !s.store.Unfollow(w.user.ID, u.ID) {
		c.Status(http.StatusNotModified)
		return nil
	}
	writeJSON(c, http.StatusCreated, s.viewFor(c, w).basic(u))
	return nil
}

// followList serves GET /users/:id/followers and /following: anonymous is
// 403 "Not authorized!", a profile the caller may not read is 404.
func (s *Server) followList(c *gin.Context, list func(int64) []*store.User) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.authenticate(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	if w.anonymous() {
		return errNotAuthorized
	}
	u := s.store.User(id)
	if u == nil || ((u.PrivateProfile || blockedState(u.State)) && !w.is(u) && !w.admin()) {
		return notFound("User")
	}
	v := s.viewFor(c, w)
	users := list(u.ID)
	out := make([]userBasicJSON, len(users))
	for i, f := range users {
		out[i] = v.basic(f)
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, out, pr))
	return nil
}

func (s *Server) followers(c *gin.Context) *apiError { return s.followList(c, s.store.Followers) }
func (s *Server) following(c *gin.Context) *apiError { return s.followList(c, s.store.Following) }
