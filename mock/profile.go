package mock

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// associationsCountJSON is UserAssociationsCount. The mock has no groups,
// projects, issues or merge requests.
type associationsCountJSON struct {
	GroupsCount        int `json:"groups_count"`
	ProjectsCount      int `json:"projects_count"`
	IssuesCount        int `json:"issues_count"`
	MergeRequestsCount int `json:"merge_requests_count"`
}

// associationsCount is GET /users/:id/associations_count: self or admin.
func (s *Server) associationsCount(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	u := s.store.User(id)
	if u == nil {
		return notFound("User")
	}
	if !w.is(u) && !w.admin() {
		return errForbidden
	}
	writeJSON(c, http.StatusOK, associationsCountJSON{})
	return nil
}

// userMemberships is GET /users/:id/memberships (admin): no groups or
// projects exist, so the list is empty.
func (s *Server) userMemberships(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.usersResourceLogin(c)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.oneOf("type", "Project", "Namespace")
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	if e := requireAdmin(w); e != nil {
		return e
	}
	if s.store.User(id) == nil {
		return notFound("User")
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, []struct{}{}, pr))
	return nil
}

// userCountsJSON is GET /user_counts' body, in GitLab's key order.
type userCountsJSON struct {
	MergeRequests                int `json:"merge_requests"`
	AssignedIssues               int `json:"assigned_issues"`
	AssignedMergeRequests        int `json:"assigned_merge_requests"`
	ReviewRequestedMergeRequests int `json:"review_requested_merge_requests"`
	Todos                        int `json:"todos"`
}

// userCounts is GET /user_counts.
func (s *Server) userCounts(c *gin.Context) *apiError {
	if _, err := s.requireLogin(c, scopesAPI); err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, userCountsJSON{})
	return nil
}

// ---- support PIN ----

type supportPinJSON struct {
	Pin       string `json:"pin"`
	ExpiresAt any    `json:"expires_at"` // apiTime, or an iso8601 string on GET /user/support_pin
}

// supportPinLifetime is how long a PIN stays valid (GitLab: 7 days).
const supportPinLifetime = 7 * 24 * time.Hour

// writePin answers with the user's PIN. GET /user/support_pin converts the
// time with Ruby's Time#iso8601 (no fractional seconds); the other routes
// render it as every API time.
func (s *Server) writePin(c *gin.Context, status int, userID int64, iso8601 bool) *apiError {
	pin := s.store.SupportPin(userID, s.clock.Now())
	if pin == nil {
		return errSupportPinNotFound
	}
	var at any = apiTime(pin.ExpiresAt)
	if iso8601 {
		at = pin.ExpiresAt.UTC().Format(time.RFC3339)
	}
	writeJSON(c, status, supportPinJSON{Pin: pin.Pin, ExpiresAt: at})
	return nil
}

// getSupportPin is GET /user/support_pin.
func (s *Server) getSupportPin(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	return s.writePin(c, http.StatusOK, w.user.ID, true)
}

// createSupportPin is POST /user/support_pin: a new six-digit PIN.
func (s *Server) createSupportPin(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	s.store.SetSupportPin(w.user.ID, store.SupportPin{Pin: s.tokenGen.digits(6), ExpiresAt: s.clock.Now().Add(supportPinLifetime)})
	return s.writePin(c, http.StatusCreated, w.user.ID, false)
}

// getUserSupportPin is GET /users/:id/support_pin (admin).
func (s *Server) getUserSupportPin(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	if !w.admin() {
		return errForbidden
	}
	if s.store.User(id) == nil {
		return notFound("User")
	}
	return s.writePin(c, http.StatusOK, id, false)
}

// ---- custom attributes (admin) ----

// customAttrUser is CustomAttributesEndpoints' head: login for writes
// (authenticate_non_get!), the user lookup (a bare 404), then the admin-only
// authorize! (403, also for anonymous reads).
func (s *Server) customAttrUser(c *gin.Context, p *params) (*store.User, *apiError) {
	if e := p.errs.err(); e != nil {
		return nil, e
	}
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	w, err := s.authenticate(c, scopesUsers)
	if err != nil {
		return nil, err
	}
	u := s.store.User(id)
	if u == nil {
		return nil, errNotFoundBare
	}
	if !w.admin() {
		return nil, errForbidden
	}
	return u, nil
}

// customAttrParams runs authenticate_non_get! and reads the params.
func (s *Server) customAttrParams(c *gin.Context) (*params, *apiError) {
	if _, err := pathID(c, "id"); err != nil {
		return nil, err // route match comes first
	}
	if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
		if _, err := s.requireLogin(c, scopesUsers); err != nil {
			return nil, err
		}
	}
	return s.readParams(c)
}

func findAttr(u *store.User, key string) *customAttributeJSON {
	for _, a := range u.CustomAttributes {
		if a.Key == key {
			return &customAttributeJSON{Key: a.Key, Value: a.Value}
		}
	}
	return nil
}

// listCustomAttributes is GET /users/:id/custom_attributes.
func (s *Server) listCustomAttributes(c *gin.Context) *apiError {
	p, err := s.customAttrParams(c)
	if err != nil {
		return err
	}
	u, err := s.customAttrUser(c, p)
	if err != nil {
		return err
	}
	out := make([]customAttributeJSON, 0, len(u.CustomAttributes))
	for _, a := range u.CustomAttributes {
		out = append(out, customAttributeJSON{Key: a.Key, Value: a.Value})
	}
	writeJSON(c, http.StatusOK, out)
	return nil
}

// getCustomAttribute is GET /users/:id/custom_attributes/:key (find_by! → 404 "Not found").
func (s *Server) getCustomAttribute(c *gin.Context) *apiError {
	p, err := s.customAttrParams(c)
	if err != nil {
		return err
	}
	u, err := s.customAttrUser(c, p)
	if err != nil {
		return err
	}
	a := findAttr(u, c.Param("key"))
	if a == nil {
		return errRecordNotFound
	}
	writeJSON(c, http.StatusOK, a)
	return nil
}

// setCustomAttribute is PUT /users/:id/custom_attributes/:key (value required).
func (s *Server) setCustomAttribute(c *gin.Context) *apiError {
	p, err := s.customAttrParams(c)
	if err != nil {
		return err
	}
	p.require("value")
	value, _ := p.str("value")
	u, err := s.customAttrUser(c, p)
	if err != nil {
		return err
	}
	updated, serr := s.store.SetCustomAttribute(u.ID, c.Param("key"), value)
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, findAttr(updated, c.Param("key")))
	return nil
}

// deleteCustomAttribute is DELETE /users/:id/custom_attributes/:key.
func (s *Server) deleteCustomAttribute(c *gin.Context) *apiError {
	p, err := s.customAttrParams(c)
	if err != nil {
		return err
	}
	u, err := s.customAttrUser(c, p)
	if err != nil {
		return err
	}
	if findAttr(u, c.Param("key")) == nil {
		return notFound("Custom attribute")
	}
	if serr := s.store.DeleteCustomAttribute(u.ID, c.Param("key")); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// ---- service accounts (admin) ----

type serviceAccountJSON struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
}

// createServiceAccount is POST /service_accounts: a bot user with generated
// name, username and no-reply email unless given.
func (s *Server) createServiceAccount(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesAPI)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	name, _ := p.str("name")
	username, _ := p.str("username")
	email, _ := p.str("email")
	if e := p.errs.err(); e != nil {
		return e
	}
	if !w.admin() {
		return errForbidden
	}
	suffix := strings.TrimPrefix(s.tokenGen.next(), "glpat-")[:16]
	suffix = strings.ToLower(strings.NewReplacer("_", "0", "-", "1").Replace(suffix))
	if username == "" {
		username = "service_account_" + suffix
	}
	if name == "" {
		name = "Service account user"
	}
	if email == "" {
		email = username + "@noreply." + strings.TrimPrefix(strings.TrimPrefix(s.baseURL(c), "http://"), "https://")
		email = strings.Split(email, ":")[0]
	}
	if !validUsername(username) {
		return validationError("username", usernameFormatMessage)
	}
	now := s.clock.Now()
	u, serr := s.store.CreateServiceAccount(store.User{
		Username: username, Name: name, Email: email, State: store.StateActive,
		CreatedAt: now, UpdatedAt: now, ConfirmedAt: &now, CreatedByID: w.user.ID,
	})
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusCreated, serviceAccountJSON{ID: u.ID, Username: u.Username, Name: u.Name, Email: u.Email})
	return nil
}

// listServiceAccounts is GET /service_accounts (admin): order_by id or
// username, sort asc or desc (default id desc).
func (s *Server) listServiceAccounts(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesAPI)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	orderBy, sortDir := "id", "desc"
	if v, ok := p.oneOf("order_by", "id", "username"); ok {
		orderBy = v
	}
	if v, ok := p.oneOf("sort", "asc", "desc"); ok {
		sortDir = v
	}
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	if !w.admin() {
		return errForbidden
	}
	var out []serviceAccountJSON
	for _, u := range s.store.ServiceAccounts() {
		out = append(out, serviceAccountJSON{ID: u.ID, Username: u.Username, Name: u.Name})
	}
	slices.SortStableFunc(out, func(a, b serviceAccountJSON) int {
		c := int(a.ID - b.ID)
		if orderBy == "username" {
			c = strings.Compare(a.Username, b.Username)
		}
		if sortDir == "desc" {
			return -c
		}
		return c
	})
	if out == nil {
		out = []serviceAccountJSON{}
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, out, pr))
	return nil
}

// ---- POST /user/runners ----

type runnerJSON struct {
	ID             int64    `json:"id"`
	Token          string   `json:"token"`
	TokenExpiresAt *apiTime `json:"token_expires_at"`
}

var runnerTypes = []string{"instance_type", "group_type", "project_type"}

// createUserRunner is POST /user/runners. Instance runners need an admin;
// the mock has no groups or projects, so group and project runners are 403.
func (s *Server) createUserRunner(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.require("runner_type")
	kind, _ := p.oneOf("runner_type", runnerTypes...)
	switch kind {
	case "group_type":
		p.require("group_id")
		p.integer("group_id")
	case "project_type":
		p.require("project_id")
		p.integer("project_id")
	}
	p.oneOf("access_level", "not_protected", "ref_protected")
	for _, b := range []string{"paused", "locked", "run_untagged"} {
		p.boolean(b)
	}
	p.integer("maximum_timeout")
	if e := p.errs.err(); e != nil {
		return e
	}
	if kind != "instance_type" || !w.admin() {
		return errForbidden
	}
	token := "glrt-" + strings.TrimPrefix(s.tokenGen.next(), "glpat-")
	writeJSON(c, http.StatusCreated, runnerJSON{ID: s.store.NextRunnerID(), Token: token})
	return nil
}

// ---- PUT /user/avatar ----

// uploadAvatar is PUT /user/avatar (multipart, file field `avatar`).
func (s *Server) uploadAvatar(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.require("avatar")
	file, _ := p.str("avatar")
	if e := p.errs.err(); e != nil {
		return e
	}
	if !strings.HasPrefix(file, "file:") {
		return grapeError(http.StatusBadRequest, "avatar is invalid")
	}
	name := path.Base(strings.TrimPrefix(file, "file:"))
	u, serr := s.store.UpdateUser(w.user.ID, func(u *store.User) error {
		u.AvatarURL = "/uploads/-/system/user/avatar/" + strconv.FormatInt(u.ID, 10) + "/" + name
		u.UpdatedAt = s.clock.Now()
		return nil
	})
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, map[string]string{"avatar_url": avatarURL(s.baseURL(c), u)})
	return nil
}
