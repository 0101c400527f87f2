package mock

import (
	"cmp"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// listUsers is GET /users: UsersFinder's filters, visibility and ordering,
// offset or keyset pagination.
func (s *Server) listUsers(c *gin.Context) *apiError {
	w, err := s.authenticate(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	f := s.parseUserFilter(p, w)
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	if w.anonymous() && f.username == "" {
		return errListUsersAnonymously
	}
	if f.externUID != "" && !w.admin() {
		return errForbidden
	}
	if !pr.keyset && (pr.page-1)*pr.perPage > maxUsersOffset {
		return errOffsetTooLarge
	}
	if pr.keyset {
		f.relevance = false // a cursor needs the order_by order
	}
	// Offset pages need at most the records up to the requested page, and a
	// count only up to 10,000 (beyond it GitLab stops counting).
	limit := 0
	if !pr.keyset {
		limit = max(pr.page*pr.perPage+1, maxCountedRecords+1)
	}
	users := s.filterUsers(f, w, limit)
	v := s.viewFor(c, w)
	v.customAttr = f.withCustomAttributes

	var page []*store.User
	if pr.keyset {
		// Every order_by GitLab accepts on /users is keyset-capable, so its
		// 405 "not yet available" answer cannot happen here.
		key := func(u *store.User) keysetCursor { return keysetCursor{ID: u.ID, Value: userSortValue(u, f.orderBy)} }
		past := func(u *store.User, cur keysetCursor) bool {
			c := cmp.Or(strings.Compare(userSortValue(u, f.orderBy), cur.Value), cmp.Compare(u.ID, cur.ID))
			return (f.sort == "asc" && c > 0) || (f.sort == "desc" && c < 0)
		}
		if page, err = keysetPageOf(s, c, users, pr, key, past); err != nil {
			return err
		}
	} else {
		page = pageOf(s, c, users, pr)
	}
	if w.admin() {
		out := make([]userWithAdminJSON, len(page))
		for i, u := range page {
			out[i] = s.userWithAdmin(v, u)
		}
		writeJSON(c, http.StatusOK, out)
		return nil
	}
	out := make([]userBasicJSON, len(page))
	for i, u := range page {
		out[i] = v.basic(u)
	}
	writeJSON(c, http.StatusOK, out)
	return nil
}

// userFilter holds GET /users' parameters after Grape's validation.
type userFilter struct {
	username, search, externUID, provider, twoFactor               string
	active, blocked, external, humans, admins, withoutProjectBots  bool
	excludeActive, excludeExternal, excludeHumans, excludeInternal bool
	createdAfter, createdBefore                                    *time.Time
	customAttributes                                               map[string]string
	orderBy, sort                                                  string
	relevance                                                      bool // search without order_by/sort
	withCustomAttributes                                           bool
}

func (s *Server) parseUserFilter(p *params, w *caller) userFilter {
	f := userFilter{orderBy: "id", sort: "desc"}
	f.username, _ = p.str("username")
	f.search, _ = p.str("search")
	f.externUID, _ = p.str("extern_uid")
	f.provider, _ = p.str("provider")
	if (f.externUID != "") != (f.provider != "") {
		p.errs.add("extern_uid, provider provide all or none of parameters")
	}
	for name, dst := range map[string]*bool{
		"active": &f.active, "blocked": &f.blocked, "external": &f.external, "humans": &f.humans,
		"admins": &f.admins, "without_project_bots": &f.withoutProjectBots,
		"exclude_active": &f.excludeActive, "exclude_external": &f.excludeExternal,
		"exclude_humans": &f.excludeHumans, "exclude_internal": &f.excludeInternal,
		"with_custom_attributes": &f.withCustomAttributes, "without_projects": new(bool),
	} {
		*dst, _ = p.boolean(name)
	}
	if t, ok := p.dateTime("created_after"); ok {
		f.createdAfter = &t
	}
	if t, ok := p.dateTime("created_before"); ok {
		f.createdBefore = &t
	}
	f.twoFactor, _ = p.oneOf("two_factor", "enabled", "disabled")
	orderGiven, sortGiven := p.given("order_by"), p.given("sort")
	if v, ok := p.oneOf("order_by", "id", "name", "username", "created_at", "updated_at"); ok {
		f.orderBy = v
	}
	if v, ok := p.oneOf("sort", "asc", "desc"); ok {
		f.sort = v
	}
	f.relevance = f.search != "" && !orderGiven && !sortGiven
	if attrs, ok := p.values["custom_attributes"].(map[string]any); ok {
		f.customAttributes = map[string]string{}
		for k, v := range attrs {
			if sv, ok := v.(string); ok {
				f.customAttributes[k] = sv
			}
		}
	}
	if !w.admin() {
		// Admin-only filters are dropped for everyone else, as UsersFinder does.
		f.admins, f.createdAfter, f.createdBefore, f.twoFactor, f.customAttributes = false, nil, nil, "", nil
	}
	return f
}

// hiddenFromNonAdmins: User.without_forbidden_states.
func hiddenFromNonAdmins(u *store.User) bool {
	return u.State == store.StateBlocked || u.State == store.StateBanned || u.State == store.StateLDAPBlocked || u.Internal
}

// filterUsers returns the users the caller may see that match f, in the
// requested order, stopping after limit matches (0: no limit).
func (s *Server) filterUsers(f userFilter, w *caller, limit int) []*store.User {
	var out []*store.User
	search := strings.ToLower(f.search)
	keep := func(u *store.User) bool {
		switch {
		case !w.admin() && hiddenFromNonAdmins(u),
			f.username != "" && !strings.EqualFold(u.Username, f.username),
			f.search != "" && !s.matchesSearch(u, search, w.admin()),
			f.externUID != "" && !slices.Contains(u.Identities, store.Identity{Provider: f.provider, ExternUID: f.externUID}):
			return false
		}
		return f.keeps(u)
	}
	if f.relevance {
		candidates := s.store.SearchUsers(search)
		if strings.Contains(search, "@") { // emails match too: look at everyone
			candidates = s.store.Users()
		}
		for _, u := range candidates {
			if keep(u) {
				out = append(out, u)
			}
		}
		sortByRelevance(out, search)
		return out
	}
	s.store.EachUserOrdered(f.orderBy, f.sort == "desc", func(u *store.User) bool {
		if keep(u) {
			out = append(out, u)
		}
		return limit == 0 || len(out) < limit
	})
	return out
}

func (f *userFilter) keeps(u *store.User) bool {
	switch {
	case f.active && u.State != store.StateActive,
		f.blocked && u.State != store.StateBlocked && u.State != store.StateLDAPBlocked,
		f.external && !u.External,
		f.humans && (u.Bot || u.Internal),
		f.admins && !u.Admin,
		f.withoutProjectBots && u.Bot,
		f.excludeActive && u.State == store.StateActive,
		f.excludeExternal && u.External,
		f.excludeHumans && !(u.Bot || u.Internal),
		f.excludeInternal && u.Internal,
		f.createdAfter != nil && u.CreatedAt.Before(*f.createdAfter),
		f.createdBefore != nil && u.CreatedAt.After(*f.createdBefore),
		f.twoFactor == "enabled" && !u.TwoFactorEnabled,
		f.twoFactor == "disabled" && u.TwoFactorEnabled:
		return false
	}
	for k, v := range f.customAttributes {
		if !slices.Contains(u.CustomAttributes, store.CustomAttribute{Key: k, Value: v}) {
			return false
		}
	}
	return true
}

// matchesSearch is User.search: name or username containing the query, or
// an exact email (public email for users, any email for admins).
func (s *Server) matchesSearch(u *store.User, q string, admin bool) bool {
	if strings.Contains(u.SearchText(), q) {
		return true
	}
	if strings.EqualFold(u.PublicEmail, q) {
		return true
	}
	if !admin || !strings.Contains(q, "@") {
		return false
	}
	if strings.EqualFold(u.Email, q) {
		return true
	}
	for _, e := range s.store.EmailsOf(u.ID) {
		if e.ConfirmedAt != nil && strings.EqualFold(e.Email, q) {
			return true
		}
	}
	return false
}

// searchRank is User.search's relevance: exact public email, then exact
// username, then exact name, then the rest (each by name).
func searchRank(u *store.User, q string) int {
	switch {
	case strings.EqualFold(u.PublicEmail, q):
		return 0
	case strings.EqualFold(u.Username, q):
		return 1
	case strings.EqualFold(u.Name, q):
		return 2
	}
	return 3
}

// userSortValue is a user's order_by value in a form that compares as
// strings in the same order (times as zero-padded Unix nanoseconds), for
// keyset cursors.
func userSortValue(u *store.User, orderBy string) string {
	switch orderBy {
	case "name":
		return u.Name
	case "username":
		return u.Username
	case "created_at":
		return fmt.Sprintf("%020d", u.CreatedAt.UnixNano())
	case "updated_at":
		return fmt.Sprintf("%020d", u.UpdatedAt.UnixNano())
	}
	return ""
}

// sortByRelevance orders search results as User.search does.
func sortByRelevance(users []*store.User, q string) {
	slices.SortFunc(users, func(a, b *store.User) int {
		if ra, rb := searchRank(a, q), searchRank(b, q); ra != rb {
			return ra - rb
		}
		return store.CompareUsers(a, b, "name")
	})
}

// pathID reads a numeric path parameter. GitLab's routes require /[0-9]*/,
// so anything else matches no route at all.
func pathID(c *gin.Context, name string) (int64, *apiError) {
	raw := c.Param(name)
	if raw == "" || strings.TrimLeft(raw, "0123456789") != "" {
		return 0, errRouteNotFound
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, errRouteNotFound
	}
	return n, nil
}

// getUser is GET /users/:id: User for users, UserDetailsWithAdmin for admins.
func (s *Server) getUser(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.authenticate(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	withAttrs, _ := p.boolean("with_custom_attributes")
	if e := p.errs.err(); e != nil {
		return e
	}
	if w.anonymous() {
		return errNotAuthorized
	}
	u := s.store.User(id)
	if u == nil {
		return notFound("User")
	}
	v := s.viewFor(c, w)
	v.customAttr = withAttrs
	// The hottest read of all: its bytes are cached (render_cache.go).
	key := s.userRenderKey(v, u)
	if b, ok := s.renders.get(key); ok {
		c.Data(http.StatusOK, "application/json", b)
		return nil
	}
	var entity any = v.user(u)
	if w.admin() {
		entity = s.userDetailsWithAdmin(v, u)
	}
	b, jerr := encodeJSON(entity)
	if jerr != nil {
		return errInternal
	}
	s.renders.put(key, b)
	c.Data(http.StatusOK, "application/json", b)
	return nil
}

// currentUser is GET /user: UserPublic, or UserWithAdmin for admins (under
// sudo: the target's entity).
func (s *Server) currentUser(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	v := s.viewFor(c, w)
	if w.admin() {
		writeJSON(c, http.StatusOK, s.userWithAdmin(v, w.user))
		return nil
	}
	writeJSON(c, http.StatusOK, v.userPublic(w.user))
	return nil
}

// userAttrs are the optional attributes of POST and PUT /users, parsed and
// type-checked; nil fields were not given.
type userAttrs struct {
	email, name, username, password                                            *string
	skype, linkedin, twitter, discord, websiteURL, organization, bio, location *string
	pronouns, publicEmail, commitEmail, note, jobTitle, externUID, provider    *string
	projectsLimit, themeID, colorSchemeID                                      *int64
	admin, canCreateGroup, external, privateProfile, viewDiffsFileByFile       *bool
	avatar                                                                     *string
}

func parseUserAttrs(p *params) userAttrs {
	a := userAttrs{
		email: p.optStr("email"), name: p.optStr("name"), username: p.optStr("username"),
		password: p.optStr("password"), skype: p.optStr("skype"), linkedin: p.optStr("linkedin"),
		twitter: p.optStr("twitter"), discord: p.optStr("discord"), websiteURL: p.optStr("website_url"),
		organization: p.optStr("organization"), bio: p.optStr("bio"), location: p.optStr("location"),
		pronouns: p.optStr("pronouns"), publicEmail: p.optStr("public_email"),
		commitEmail: p.optStr("commit_email"), note: p.optStr("note"), jobTitle: p.optStr("job_title"),
		externUID: p.optStr("extern_uid"), provider: p.optStr("provider"),
		projectsLimit: p.optInt("projects_limit"), themeID: p.optInt("theme_id"),
		colorSchemeID: p.optInt("color_scheme_id"),
		admin:         p.optBool("admin"), canCreateGroup: p.optBool("can_create_group"),
		external: p.optBool("external"), privateProfile: p.optBool("private_profile"),
		viewDiffsFileByFile: p.optBool("view_diffs_file_by_file"), avatar: p.optStr("avatar"),
	}
	if (a.externUID != nil && *a.externUID != "") != (a.provider != nil && *a.provider != "") {
		p.errs.add("extern_uid, provider provide all or none of parameters")
	}
	return a
}

var (
	// Gitlab::PathRegex.namespace_format_regex.
	usernameFormat = regexp.MustCompile(`^[a-zA-Z0-9_.][a-zA-Z0-9_.-]*$`)
	// Devise's email regexp.
	emailFormat = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
)

const usernameFormatMessage = "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-' or end in '.', '.git' or '.atom'."

// validUsername applies GitLab's namespace path rules.
func validUsername(name string) bool {
	l := strings.ToLower(name)
	return usernameFormat.MatchString(name) && !strings.HasSuffix(l, ".") &&
		!strings.HasSuffix(l, ".git") && !strings.HasSuffix(l, ".atom")
}

var weakPasswords = []string{"password", "12345678", "123456789", "qwertyui", "gitlab", "letmein"}

// validate runs the User model's validations on the attributes given and
// returns them as one render_validation_error! body.
func (a *userAttrs) validate(current *store.User) *apiError {
	errs := map[string][]string{}
	add := func(field, msg string) { errs[field] = append(errs[field], msg) }
	if a.password != nil && *a.password != "" {
		pw := strings.ToLower(*a.password)
		switch {
		case len(*a.password) < 8:
			add("password", "is too short (minimum is 8 characters)")
		case len(*a.password) > 128:
			add("password", "is too long (maximum is 128 characters)")
		}
		weak := slices.ContainsFunc(weakPasswords, func(w string) bool { return strings.Contains(pw, w) })
		for _, part := range []*string{a.username, a.name, a.email} {
			if part != nil && len(*part) >= 4 && strings.Contains(pw, strings.ToLower(strings.SplitN(*part, "@", 2)[0])) {
				weak = true
			}
		}
		if current != nil && len(current.Username) >= 4 && strings.Contains(pw, strings.ToLower(current.Username)) {
			weak = true
		}
		if weak {
			add("password", "must not contain commonly used combinations of words and letters")
		}
	}
	if a.email != nil && !emailFormat.MatchString(*a.email) {
		add("email", "is invalid")
	}
	if a.username != nil && !validUsername(*a.username) {
		add("username", usernameFormatMessage)
	}
	if a.username != nil && len(*a.username) > 255 {
		add("username", "is too long (maximum is 255 characters)")
	}
	if a.name != nil && *a.name == "" {
		add("name", "can't be blank")
	}
	if a.name != nil && len(*a.name) > 255 {
		add("name", "is too long (maximum is 255 characters)")
	}
	if a.bio != nil && len(*a.bio) > 255 {
		add("bio", "is too long (maximum is 255 characters)")
	}
	if a.projectsLimit != nil && *a.projectsLimit < 0 {
		add("projects_limit", "must be greater than or equal to 0")
	}
	if a.themeID != nil && (*a.themeID < 1 || *a.themeID > 11) {
		add("theme_id", strconv.FormatInt(*a.themeID, 10)+" is not a valid theme")
	}
	if a.colorSchemeID != nil && (*a.colorSchemeID < 1 || *a.colorSchemeID > 6) {
		add("color_scheme_id", strconv.FormatInt(*a.colorSchemeID, 10)+" is not a valid color scheme")
	}
	if a.publicEmail != nil && *a.publicEmail != "" && !emailFormat.MatchString(*a.publicEmail) {
		add("public_email", "is invalid")
	}
	if len(errs) == 0 {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, body: map[string]any{"message": errs}}
}

// apply copies the given attributes onto u.
func (a *userAttrs) apply(u *store.User) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&u.Name, a.name)
	set(&u.Username, a.username)
	set(&u.Skype, a.skype)
	set(&u.Linkedin, a.linkedin)
	set(&u.Twitter, a.twitter)
	set(&u.Discord, a.discord)
	set(&u.WebsiteURL, a.websiteURL)
	set(&u.Organization, a.organization)
	set(&u.Bio, a.bio)
	set(&u.Location, a.location)
	set(&u.Pronouns, a.pronouns)
	set(&u.PublicEmail, a.publicEmail)
	set(&u.Note, a.note)
	set(&u.JobTitle, a.jobTitle)
	if a.commitEmail != nil {
		u.CommitEmail = *a.commitEmail
		if u.CommitEmail == "_private" {
			u.CommitEmail = strconv.FormatInt(u.ID, 10) + "-" + u.Username + "@users.noreply.gitlab.example.com"
		}
	}
	if a.password != nil && *a.password != "" {
		u.Password = *a.password
	}
	if a.projectsLimit != nil {
		u.ProjectsLimit = int(*a.projectsLimit)
	}
	if a.themeID != nil {
		u.ThemeID = int(*a.themeID)
	}
	if a.colorSchemeID != nil {
		u.ColorSchemeID = int(*a.colorSchemeID)
	}
	setBool := func(dst *bool, src *bool) {
		if src != nil {
			*dst = *src
		}
	}
	setBool(&u.Admin, a.admin)
	setBool(&u.CanCreateGroup, a.canCreateGroup)
	setBool(&u.External, a.external)
	setBool(&u.PrivateProfile, a.privateProfile)
	setBool(&u.ViewDiffsFileByFile, a.viewDiffsFileByFile)
	if a.avatar != nil && u.ID != 0 { // a new user gets its avatar once it has an id
		// A file upload stores an avatar; "" removes it.
		if name, ok := strings.CutPrefix(*a.avatar, "file:"); ok {
			u.AvatarURL = "/uploads/-/system/user/avatar/" + strconv.FormatInt(u.ID, 10) + "/" + name
		} else if *a.avatar == "" {
			u.AvatarURL = ""
		}
	}
	if a.externUID != nil && a.provider != nil && *a.provider != "" {
		i := slices.IndexFunc(u.Identities, func(id store.Identity) bool { return id.Provider == *a.provider })
		if i < 0 {
			u.Identities = append(u.Identities, store.Identity{Provider: *a.provider, ExternUID: *a.externUID})
		} else {
			u.Identities[i].ExternUID = *a.externUID
		}
	}
}

// createUser is POST /users.
func (s *Server) createUser(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers) // authenticate_non_get!
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.require("email", "name", "username")
	if !p.has("password") && !p.has("reset_password") && !p.has("force_random_password") {
		p.errs.add("password, reset_password, force_random_password are missing, at least one parameter must be provided")
	}
	a := parseUserAttrs(p)
	resetPassword, _ := p.boolean("reset_password")
	forceRandom, _ := p.boolean("force_random_password")
	skipConfirmation, _ := p.boolean("skip_confirmation")
	if e := p.errs.err(); e != nil {
		return e
	}
	if !w.admin() {
		return errForbidden
	}
	if !resetPassword && !forceRandom && (a.password == nil || *a.password == "") {
		return validationError("password", "can't be blank")
	}
	if e := a.validate(nil); e != nil {
		return e
	}
	if e := s.identityTaken(a, 0); e != nil {
		return e
	}
	now := s.clock.Now()
	u := store.User{
		Email: *a.email, State: store.StateActive, CreatedAt: now, UpdatedAt: now,
		ThemeID: 3, ColorSchemeID: 1, ProjectsLimit: 100000, CanCreateGroup: true, CanCreateProject: true,
		CreatedByID: w.user.ID,
	}
	a.apply(&u)
	if a.projectsLimit != nil {
		u.CanCreateProject = u.ProjectsLimit > 0
	}
	if skipConfirmation {
		u.ConfirmedAt = &now
	}
	created, serr := s.store.CreateUser(u)
	if serr != nil {
		return storeError(serr)
	}
	if a.avatar != nil {
		// The upload path contains the new id; this update cannot fail.
		created, _ = s.store.UpdateUser(created.ID, func(u *store.User) error { a.apply(u); return nil })
	}
	writeJSON(c, http.StatusCreated, s.userWithAdmin(s.viewFor(c, w), created))
	return nil
}

// updateUser is PUT /users/:id.
func (s *Server) updateUser(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	a := parseUserAttrs(p)
	skipReconfirmation, _ := p.boolean("skip_reconfirmation")
	if e := p.errs.err(); e != nil {
		return e
	}
	if !w.admin() {
		return errForbidden
	}
	current := s.store.User(id)
	if current == nil {
		return notFound("User")
	}
	if e := a.validate(current); e != nil {
		return e
	}
	if e := s.identityTaken(a, id); e != nil {
		return e
	}
	now := s.clock.Now()
	updated, serr := s.store.UpdateUser(id, func(u *store.User) error {
		a.apply(u)
		if a.email != nil && !strings.EqualFold(*a.email, u.Email) {
			if skipReconfirmation {
				u.Email, u.UnconfirmedEmail = *a.email, ""
			} else {
				// Devise reconfirmable: the new address waits for confirmation;
				// uniqueness is still checked against it.
				u.UnconfirmedEmail = *a.email
			}
		}
		u.UpdatedAt = now
		return nil
	})
	if serr != nil {
		return storeError(serr)
	}
	writeJSON(c, http.StatusOK, s.userWithAdmin(s.viewFor(c, w), updated))
	return nil
}

// deleteUser is DELETE /users/:id: 204, with destroy_conditionally!'s
// If-Unmodified-Since check.
func (s *Server) deleteUser(c *gin.Context) *apiError {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	p.boolean("hard_delete")
	if e := p.errs.err(); e != nil {
		return e
	}
	if !w.admin() {
		return errForbidden
	}
	u := s.store.User(id)
	if u == nil {
		return notFound("User")
	}
	if e := checkUnmodifiedSince(c, u.UpdatedAt); e != nil {
		return e
	}
	if serr := s.store.DeleteUser(id); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// checkUnmodifiedSince answers 412 when the resource changed after the
// client's If-Unmodified-Since.
func checkUnmodifiedSince(c *gin.Context, updatedAt time.Time) *apiError {
	h := c.GetHeader("If-Unmodified-Since")
	if h == "" {
		return nil
	}
	since, err := http.ParseTime(h)
	if err == nil && updatedAt.Truncate(time.Second).After(since) {
		return errPreconditionFailed
	}
	return nil
}

// identityTaken is Identity's uniqueness of extern_uid per provider (case-
// insensitive): another user's identity makes the user invalid, reported
// through the autosaved association as "identities.extern_uid".
func (s *Server) identityTaken(a userAttrs, self int64) *apiError {
	if a.externUID == nil || a.provider == nil || *a.externUID == "" || *a.provider == "" {
		return nil
	}
	for _, u := range s.store.Users() {
		if u.ID == self {
			continue
		}
		for _, id := range u.Identities {
			if id.Provider == *a.provider && strings.EqualFold(id.ExternUID, *a.externUID) {
				return validationError("identities.extern_uid", "has already been taken")
			}
		}
	}
	return nil
}

// deleteIdentity is DELETE /users/:id/identities/:provider.
func (s *Server) deleteIdentity(c *gin.Context) *apiError {
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
	if serr := s.store.DeleteIdentity(id, c.Param("provider")); serr != nil {
		return storeError(serr)
	}
	c.Status(http.StatusNoContent)
	return nil
}
