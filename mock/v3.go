package mock

// The legacy /api/v3 compatibility layer (Options.CompatV3, -compat v3): the
// users API as the older seed documents (GitLab 7.x/8.x docs) describe it,
// served over the same store as /api/v4. What differs from v4:
//
//   - PUT /users/:id/block and /unblock answer 200 with the state machine's
//     result (true, or false when nothing changed), not POST -> 201;
//   - DELETE of users, keys and emails answers 200 with the deleted object
//     (idempotent for users: a missing user gives 200 null, as the seed says);
//   - the user entity is the old one: every caller sees is_admin, admins see
//     the flat extern_uid/provider of the user's first identity, GET /user
//     carries the caller's private_token;
//   - every route needs a token (401 otherwise), lists show blocked users to
//     everyone and sort by ascending id, required parameters fail with
//     400 "(Bad request) "x" not given".
//
// Without CompatV3, /api/v3/* answers as modern GitLab does: 410 Gone, except
// GET /api/v3/user, which GitLab still serves (for OAuth) like /api/v4/user.

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// v3Prefix is the legacy API's path prefix.
const v3Prefix = "/api/v3"

// isV3Path reports whether path is under /api/v3.
func isV3Path(path string) bool {
	return path == v3Prefix || strings.HasPrefix(path, v3Prefix+"/")
}

// v3Routes registers the legacy layer.
func (s *Server) v3Routes(g *gin.RouterGroup) {
	v3 := router{g.Group(v3Prefix)}
	v3.get("/users", s.v3ListUsers)
	v3.post("/users", s.v3CreateUser)
	v3.get("/users/:id", s.v3GetUser)
	v3.put("/users/:id", s.v3UpdateUser)
	v3.delete("/users/:id", s.v3DeleteUser)
	v3.put("/users/:id/block", s.v3BlockUser)
	v3.put("/users/:id/unblock", s.v3UnblockUser)
	v3.get("/user", s.v3CurrentUser)
	s.v3ChildRoutes(v3)
}

// v3UserBasicJSON is the old UserBasic: what non-admins see in lists.
type v3UserBasicJSON struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	Name      string `json:"name"`
	State     string `json:"state"`
	AvatarURL string `json:"avatar_url"`
}

// v3UserJSON is the old User: a single user as non-admins see it, with
// is_admin for everyone (seed 002 "Single user / For user").
type v3UserJSON struct {
	v3UserBasicJSON
	CreatedAt  apiTime `json:"created_at"`
	IsAdmin    bool    `json:"is_admin"`
	Bio        *string `json:"bio"`
	Location   *string `json:"location"`
	Skype      string  `json:"skype"`
	Linkedin   string  `json:"linkedin"`
	Twitter    string  `json:"twitter"`
	WebsiteURL string  `json:"website_url"`
}

// v3UserFullJSON is the old admin entity, the union of the seed documents'
// admin examples in their field order (seed 002 "For admins", seed 003).
type v3UserFullJSON struct {
	ID               int64    `json:"id"`
	Username         string   `json:"username"`
	Email            string   `json:"email"`
	Name             string   `json:"name"`
	PrivateToken     *string  `json:"private_token,omitempty"` // GET /user only
	State            string   `json:"state"`
	CreatedAt        apiTime  `json:"created_at"`
	ConfirmedAt      *apiTime `json:"confirmed_at"`
	LastSignInAt     *apiTime `json:"last_sign_in_at"`
	Bio              *string  `json:"bio"`
	Location         *string  `json:"location"`
	Skype            string   `json:"skype"`
	Linkedin         string   `json:"linkedin"`
	Twitter          string   `json:"twitter"`
	WebsiteURL       string   `json:"website_url"`
	ExternUID        *string  `json:"extern_uid"`
	Provider         *string  `json:"provider"`
	ThemeID          int      `json:"theme_id"`
	ColorSchemeID    int      `json:"color_scheme_id"`
	IsAdmin          bool     `json:"is_admin"`
	AvatarURL        string   `json:"avatar_url"`
	CanCreateGroup   bool     `json:"can_create_group"`
	CanCreateProject bool     `json:"can_create_project"`
	ProjectsLimit    int      `json:"projects_limit"`
	CurrentSignInAt  *apiTime `json:"current_sign_in_at"`
	TwoFactorEnabled bool     `json:"two_factor_enabled"`
	External         bool     `json:"external"`
}

func (v view) v3Basic(u *store.User) v3UserBasicJSON {
	return v3UserBasicJSON{ID: u.ID, Username: u.Username, Name: u.Name, State: u.State, AvatarURL: avatarURL(v.base, u)}
}

func (v view) v3User(u *store.User) v3UserJSON {
	return v3UserJSON{
		v3UserBasicJSON: v.v3Basic(u),
		CreatedAt:       apiTime(u.CreatedAt), IsAdmin: u.Admin,
		Bio: strOrNil(u.Bio), Location: strOrNil(u.Location),
		Skype: u.Skype, Linkedin: u.Linkedin, Twitter: u.Twitter, WebsiteURL: u.WebsiteURL,
	}
}

func (v view) v3Full(u *store.User) v3UserFullJSON {
	j := v3UserFullJSON{
		ID: u.ID, Username: u.Username, Email: u.Email, Name: u.Name, State: u.State,
		CreatedAt: apiTime(u.CreatedAt), ConfirmedAt: timeOrNil(u.ConfirmedAt), LastSignInAt: timeOrNil(u.LastSignInAt),
		Bio: strOrNil(u.Bio), Location: strOrNil(u.Location),
		Skype: u.Skype, Linkedin: u.Linkedin, Twitter: u.Twitter, WebsiteURL: u.WebsiteURL,
		ThemeID: u.ThemeID, ColorSchemeID: u.ColorSchemeID, IsAdmin: u.Admin, AvatarURL: avatarURL(v.base, u),
		CanCreateGroup: u.CanCreateGroup, CanCreateProject: u.CanCreateProject, ProjectsLimit: u.ProjectsLimit,
		CurrentSignInAt: timeOrNil(u.CurrentSignInAt), TwoFactorEnabled: u.TwoFactorEnabled, External: u.External,
	}
	// Before identities (GitLab 7.7) a user had one extern_uid/provider pair:
	// the first identity stands for it.
	if len(u.Identities) > 0 {
		id := u.Identities[0]
		j.ExternUID, j.Provider = &id.ExternUID, &id.Provider
	}
	return j
}

// v3Login requires a token: the v3 API had no anonymous access.
func (s *Server) v3Login(c *gin.Context) (*caller, *apiError) {
	return s.requireLogin(c, scopesUsers)
}

// v3ListUsers is GET /api/v3/users: every user (blocked ones too, seed 002
// lists jack_smith "blocked" for normal users) by ascending id, filtered by
// username, search (name, username or email), active and blocked.
func (s *Server) v3ListUsers(c *gin.Context) *apiError {
	w, err := s.v3Login(c)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	username, _ := p.str("username")
	search, _ := p.str("search")
	active, _ := p.boolean("active")
	blocked, _ := p.boolean("blocked")
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	q := strings.ToLower(search)
	users := slices.DeleteFunc(s.store.Users(), func(u *store.User) bool {
		switch {
		case u.Internal,
			username != "" && !strings.EqualFold(u.Username, username),
			search != "" && !strings.Contains(strings.ToLower(u.Name), q) &&
				!strings.Contains(strings.ToLower(u.Username), q) && !strings.Contains(strings.ToLower(u.Email), q),
			active && u.State != store.StateActive,
			blocked && !blockedState(u.State):
			return true
		}
		return false
	})
	page := pageOf(s, c, users, pr)
	v := s.viewFor(c, w)
	if w.admin() {
		out := make([]v3UserFullJSON, len(page))
		for i, u := range page {
			out[i] = v.v3Full(u)
		}
		writeJSON(c, http.StatusOK, out)
		return nil
	}
	out := make([]v3UserBasicJSON, len(page))
	for i, u := range page {
		out[i] = v.v3Basic(u)
	}
	writeJSON(c, http.StatusOK, out)
	return nil
}

// v3GetUser is GET /api/v3/users/:id: the admin entity for admins, the old
// User (with is_admin) for everyone else.
func (s *Server) v3GetUser(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.v3Login(c)
	if err != nil {
		return err
	}
	u := s.store.User(id)
	if u == nil {
		return notFound("User")
	}
	v := s.viewFor(c, w)
	if w.admin() {
		writeJSON(c, http.StatusOK, v.v3Full(u))
		return nil
	}
	writeJSON(c, http.StatusOK, v.v3User(u))
	return nil
}

// v3CurrentUser is GET /api/v3/user: the admin entity of the caller plus the
// private_token it authenticated with (seed: "private_token": "dd34asd13as").
func (s *Server) v3CurrentUser(c *gin.Context) *apiError {
	w, err := s.v3Login(c)
	if err != nil {
		return err
	}
	j := s.viewFor(c, w).v3Full(w.user)
	if w.token != nil && !w.sudo {
		tok := w.token.Token
		j.PrivateToken = &tok
	}
	writeJSON(c, http.StatusOK, j)
	return nil
}

// v3Required is required_attributes!: the first missing one fails.
func v3Required(p *params, names ...string) *apiError {
	for _, n := range names {
		if v, _ := p.str(n); v == "" {
			return v3BadRequest(n)
		}
	}
	return nil
}

// v3PrimaryIdentity puts the identity of provider first, so the flat
// extern_uid/provider show the pair a v3 client last set.
func v3PrimaryIdentity(u *store.User, provider *string) {
	if provider == nil || *provider == "" {
		return
	}
	i := slices.IndexFunc(u.Identities, func(id store.Identity) bool { return id.Provider == *provider })
	if i > 0 {
		ids := slices.Clone(u.Identities)
		first := ids[i]
		ids = slices.Delete(ids, i, i+1)
		u.Identities = slices.Insert(ids, 0, first)
	}
}

// v3CreateUser is POST /api/v3/users (admins): 201 with the admin entity.
func (s *Server) v3CreateUser(c *gin.Context) *apiError {
	w, err := s.v3Login(c)
	if err != nil {
		return err
	}
	if !w.admin() { // authenticated_as_admin! comes first in v3
		return errForbidden
	}
	p, _ := s.readParams(c)
	if e := v3Required(p, "email", "password", "name", "username"); e != nil {
		return e
	}
	a := parseUserAttrs(p)
	confirm := true
	if v, given := p.boolean("confirm"); given {
		confirm = v
	}
	if e := p.errs.err(); e != nil {
		return e
	}
	if e := a.validate(nil); e != nil {
		return e
	}
	now := s.clock.Now()
	u := store.User{
		Email: *a.email, State: store.StateActive, CreatedAt: now, UpdatedAt: now,
		ThemeID: 1, ColorSchemeID: 1, ProjectsLimit: 10, CanCreateGroup: true, CanCreateProject: true,
		CreatedByID: w.user.ID,
	}
	a.apply(&u)
	if a.projectsLimit != nil {
		u.CanCreateProject = u.ProjectsLimit > 0
	}
	if !confirm {
		u.ConfirmedAt = &now
	}
	created, serr := s.store.CreateUser(u)
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusCreated, s.viewFor(c, w).v3Full(created))
	return nil
}

// v3UpdateUser is PUT /api/v3/users/:id (admins): 200 with the admin entity.
// A new email takes effect at once (admins skipped reconfirmation).
func (s *Server) v3UpdateUser(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.v3Login(c)
	if err != nil {
		return err
	}
	if !w.admin() {
		return errForbidden
	}
	p, _ := s.readParams(c)
	a := parseUserAttrs(p)
	if e := p.errs.err(); e != nil {
		return e
	}
	current := s.store.User(id)
	if current == nil {
		return notFound("User")
	}
	if e := a.validate(current); e != nil {
		return e
	}
	now := s.clock.Now()
	updated, serr := s.store.UpdateUser(id, func(u *store.User) error {
		a.apply(u)
		v3PrimaryIdentity(u, a.provider)
		if a.email != nil {
			u.Email, u.UnconfirmedEmail = *a.email, ""
		}
		u.UpdatedAt = now
		return nil
	})
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, s.viewFor(c, w).v3Full(updated))
	return nil
}

// v3DeleteUser is DELETE /api/v3/users/:id (admins): 200 with the deleted
// user; "calling this function for a non-existent user id still returns a
// status code 200 OK" (seed), with no user: null.
func (s *Server) v3DeleteUser(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.v3Login(c)
	if err != nil {
		return err
	}
	if !w.admin() {
		return errForbidden
	}
	u := s.store.User(id)
	if u == nil {
		writeJSON(c, http.StatusOK, nil)
		return nil
	}
	if serr := s.store.DeleteUser(id); serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, s.viewFor(c, w).v3Full(u))
	return nil
}

// v3BlockUser is PUT /api/v3/users/:id/block (admins): 200 with user.block's
// result, true (false if already blocked); ldap_blocked users: 403.
func (s *Server) v3BlockUser(c *gin.Context) *apiError {
	return s.v3SetState(c, func(u *store.User) (bool, *apiError) {
		switch u.State {
		case store.StateLDAPBlocked:
			return false, errLDAPBlockedModify
		case store.StateBlocked:
			return false, nil
		}
		u.State = store.StateBlocked
		return true, nil
	})
}

// v3UnblockUser is PUT /api/v3/users/:id/unblock (admins): 200 with
// user.activate's result, true (false if the user was not blocked);
// ldap_blocked users: 403.
func (s *Server) v3UnblockUser(c *gin.Context) *apiError {
	return s.v3SetState(c, func(u *store.User) (bool, *apiError) {
		switch u.State {
		case store.StateLDAPBlocked:
			return false, errLDAPBlockedUnblock
		case store.StateBlocked:
			u.State = store.StateActive
			return true, nil
		}
		return false, nil
	})
}

func (s *Server) v3SetState(c *gin.Context, change func(u *store.User) (bool, *apiError)) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.v3Login(c)
	if err != nil {
		return err
	}
	if !w.admin() {
		return errForbidden
	}
	if s.store.User(id) == nil {
		return notFound("User")
	}
	var result bool
	var refused *apiError
	now := s.clock.Now()
	_, serr := s.store.UpdateUser(id, func(u *store.User) error {
		result, refused = change(u)
		if refused != nil {
			return refused
		}
		if result {
			u.UpdatedAt = now
		}
		return nil
	})
	if refused != nil {
		return refused
	}
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, result)
	return nil
}

// v3ChildRoutes registers the v3 deletes of keys and emails.
func (s *Server) v3ChildRoutes(v3 router) {
	v3.delete("/user/keys/:key_id", s.v3DeleteCurrentUserKey)
	v3.delete("/users/:id/keys/:key_id", s.v3DeleteUserKey)
	v3.delete("/user/emails/:email_id", s.v3DeleteCurrentUserEmail)
	v3.delete("/users/:id/emails/:email_id", s.v3DeleteUserEmail)
}

// v3KeyJSON is the old SSHKey entity (seed: id, title, key, created_at).
type v3KeyJSON struct {
	ID        int64   `json:"id"`
	Title     string  `json:"title"`
	Key       string  `json:"key"`
	CreatedAt apiTime `json:"created_at"`
}

// v3EmailJSON is the old Email entity (seed: id, email).
type v3EmailJSON struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
}

// v3Child is the head of the child deletes: the route's ids, login, and for
// /users/:id/... admin and the user (404 User Not Found).
func (s *Server) v3Child(c *gin.Context, param string, ofUser bool) (owner int64, id int64, err *apiError) {
	if ofUser {
		if owner, err = pathID(c, "id"); err != nil {
			return 0, 0, err
		}
	}
	if id, err = pathID(c, param); err != nil {
		return 0, 0, err
	}
	w, err := s.v3Login(c)
	if err != nil {
		return 0, 0, err
	}
	if !ofUser {
		return w.user.ID, id, nil
	}
	if !w.admin() {
		return 0, 0, errForbidden
	}
	if s.store.User(owner) == nil {
		return 0, 0, notFound("User")
	}
	return owner, id, nil
}

// v3DeleteKey answers 200 with the deleted key; a key the owner does not
// have is 200 null for the current user ("an idempotent function") and 404
// Key Not Found for /users/:uid/keys/:id.
func (s *Server) v3DeleteKey(c *gin.Context, ofUser bool) *apiError {
	owner, id, err := s.v3Child(c, "key_id", ofUser)
	if err != nil {
		return err
	}
	k := s.store.SSHKey(id)
	if k == nil || k.UserID != owner {
		if ofUser {
			return notFound("Key")
		}
		writeJSON(c, http.StatusOK, nil)
		return nil
	}
	if serr := s.store.DeleteSSHKey(owner, id); serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, v3KeyJSON{ID: k.ID, Title: k.Title, Key: k.Key, CreatedAt: apiTime(k.CreatedAt)})
	return nil
}

// v3DeleteCurrentUserKey is DELETE /api/v3/user/keys/:id.
func (s *Server) v3DeleteCurrentUserKey(c *gin.Context) *apiError { return s.v3DeleteKey(c, false) }

// v3DeleteUserKey is DELETE /api/v3/users/:uid/keys/:id (admins).
func (s *Server) v3DeleteUserKey(c *gin.Context) *apiError { return s.v3DeleteKey(c, true) }

// v3DeleteEmail is v3DeleteKey for secondary emails.
func (s *Server) v3DeleteEmail(c *gin.Context, ofUser bool) *apiError {
	owner, id, err := s.v3Child(c, "email_id", ofUser)
	if err != nil {
		return err
	}
	e := s.store.Email(id)
	if e == nil || e.UserID != owner {
		if ofUser {
			return notFound("Email")
		}
		writeJSON(c, http.StatusOK, nil)
		return nil
	}
	if serr := s.store.DeleteEmail(owner, id); serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, v3EmailJSON{ID: e.ID, Email: e.Email})
	return nil
}

// v3DeleteCurrentUserEmail is DELETE /api/v3/user/emails/:id.
func (s *Server) v3DeleteCurrentUserEmail(c *gin.Context) *apiError { return s.v3DeleteEmail(c, false) }

// v3DeleteUserEmail is DELETE /api/v3/users/:uid/emails/:id (admins).
func (s *Server) v3DeleteUserEmail(c *gin.Context) *apiError { return s.v3DeleteEmail(c, true) }
