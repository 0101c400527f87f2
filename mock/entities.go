package mock

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// apiTime renders like Rails: UTC with milliseconds, "2012-05-23T08:00:58.000Z".
type apiTime time.Time

// MarshalText (rather than MarshalJSON) spares encoding/json from
// re-validating the output: timestamps are on every entity.
func (t apiTime) MarshalText() ([]byte, error) {
	u := time.Time(t).UTC()
	y, mo, d := u.Date()
	h, mi, s := u.Clock()
	b := make([]byte, 0, 24)
	b = appendDigits(b, y, 4)
	b = appendDigits(append(b, '-'), int(mo), 2)
	b = appendDigits(append(b, '-'), d, 2)
	b = appendDigits(append(b, 'T'), h, 2)
	b = appendDigits(append(b, ':'), mi, 2)
	b = appendDigits(append(b, ':'), s, 2)
	b = appendDigits(append(b, '.'), u.Nanosecond()/1e6, 3)
	return append(b, 'Z'), nil
}

// appendDigits appends n zero-padded to width digits (time.Format is several
// times slower, and every entity carries timestamps).
func appendDigits(b []byte, n, width int) []byte {
	var buf [8]byte
	i := len(buf)
	for ; width > 0 || n > 0; width-- {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, buf[i:]...)
}

func timeOrNil(t *time.Time) *apiTime {
	if t == nil {
		return nil
	}
	v := apiTime(*t)
	return &v
}

// apiDate renders a date, "2012-05-23" (go-gitlab's ISOTime needs exactly that).
type apiDate time.Time

func (d apiDate) MarshalText() ([]byte, error) {
	return time.Time(d).UTC().AppendFormat(make([]byte, 0, 10), "2006-01-02"), nil
}

func dateOrNil(t *time.Time) *apiDate {
	if t == nil {
		return nil
	}
	v := apiDate(*t)
	return &v
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// view is what a renderer needs to know about the request.
type view struct {
	base       string // external URL or request host
	caller     *caller
	customAttr bool          // with_custom_attributes=true from an admin
	follows    followCounter // follow.go; nil: no follow relations
}

func (s *Server) viewFor(c *gin.Context, w *caller) view {
	return view{base: s.baseURL(c), caller: w, follows: s.store}
}

// The user entities nest as GitLab's do; embedding keeps Grape's field order.

type customAttributeJSON struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// userBasicJSON is UserBasic (UserSafe + state, locked, avatar_url, web_url).
type userBasicJSON struct {
	ID               int64                  `json:"id"`
	Username         string                 `json:"username"`
	Name             string                 `json:"name"`
	State            string                 `json:"state"`
	Locked           bool                   `json:"locked"`
	AvatarURL        string                 `json:"avatar_url"`
	CustomAttributes *[]customAttributeJSON `json:"custom_attributes,omitempty"`
	WebURL           string                 `json:"web_url"`
}

// userJSON is User: the profile as other users see it.
type userJSON struct {
	userBasicJSON
	CreatedAt       *apiTime `json:"created_at,omitempty"` // absent for private profiles
	Bio             string   `json:"bio"`
	Location        string   `json:"location"`
	PublicEmail     *string  `json:"public_email"`
	Skype           string   `json:"skype"`
	Linkedin        string   `json:"linkedin"`
	Twitter         string   `json:"twitter"`
	Discord         string   `json:"discord"`
	WebsiteURL      string   `json:"website_url"`
	Organization    string   `json:"organization"`
	JobTitle        string   `json:"job_title"`
	Pronouns        *string  `json:"pronouns"`
	Bot             bool     `json:"bot"`
	WorkInformation *string  `json:"work_information"`
	Followers       *int     `json:"followers,omitempty"`
	Following       *int     `json:"following,omitempty"`
	IsFollowed      *bool    `json:"is_followed,omitempty"`
	LocalTime       *string  `json:"local_time"`
}

type identityJSON struct {
	Provider  string `json:"provider"`
	ExternUID string `json:"extern_uid"`
}

// userPublicJSON is UserPublic: what a user sees of themselves.
type userPublicJSON struct {
	userJSON
	LastSignInAt      *apiTime       `json:"last_sign_in_at"`
	ConfirmedAt       *apiTime       `json:"confirmed_at"`
	LastActivityOn    *apiDate       `json:"last_activity_on"`
	Email             string         `json:"email"`
	ThemeID           int            `json:"theme_id"`
	ColorSchemeID     int            `json:"color_scheme_id"`
	ProjectsLimit     int            `json:"projects_limit"`
	CurrentSignInAt   *apiTime       `json:"current_sign_in_at"`
	Identities        []identityJSON `json:"identities"`
	CanCreateGroup    bool           `json:"can_create_group"`
	CanCreateProject  bool           `json:"can_create_project"`
	TwoFactorEnabled  bool           `json:"two_factor_enabled"`
	External          bool           `json:"external"`
	PrivateProfile    bool           `json:"private_profile"`
	CommitEmail       string         `json:"commit_email"`
	PreferredLanguage string         `json:"preferred_language"`
}

// userWithAdminJSON is UserWithAdmin: admin lists, POST/PUT results, GET /user as admin.
type userWithAdminJSON struct {
	userPublicJSON
	IsAdmin             bool           `json:"is_admin"`
	Note                *string        `json:"note"`
	NamespaceID         int64          `json:"namespace_id"`
	CreatedBy           *userBasicJSON `json:"created_by"`
	EmailResetOfferedAt *apiTime       `json:"email_reset_offered_at"`
}

// userDetailsWithAdminJSON is UserDetailsWithAdmin: GET /users/:id as admin.
type userDetailsWithAdminJSON struct {
	userWithAdminJSON
	HighestRole     int     `json:"highest_role"`
	CurrentSignInIP *string `json:"current_sign_in_ip"`
	LastSignInIP    *string `json:"last_sign_in_ip"`
	SignInCount     int     `json:"sign_in_count"`
}

// avatarURL is the user's uploaded avatar (absolute, on the instance host)
// or, as GitLab does without one, a Gravatar URL.
func avatarURL(base string, u *store.User) string {
	switch {
	case strings.HasPrefix(u.AvatarURL, "http://"), strings.HasPrefix(u.AvatarURL, "https://"):
		return u.AvatarURL
	case u.AvatarURL != "":
		return base + "/" + strings.TrimPrefix(u.AvatarURL, "/")
	}
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(u.Email))))
	return "https://www.gravatar.com/avatar/" + hex.EncodeToString(sum[:]) + "?s=80&d=identicon"
}

func (v view) basic(u *store.User) userBasicJSON {
	b := userBasicJSON{
		ID: u.ID, Username: u.Username, Name: u.Name, State: u.State, Locked: u.Locked,
		AvatarURL: avatarURL(v.base, u), WebURL: v.base + "/" + u.Username,
	}
	if v.customAttr && v.caller != nil && v.caller.admin() {
		attrs := make([]customAttributeJSON, 0, len(u.CustomAttributes))
		for _, a := range u.CustomAttributes {
			attrs = append(attrs, customAttributeJSON{Key: a.Key, Value: a.Value})
		}
		b.CustomAttributes = &attrs
	}
	return b
}

// workInformation is GitLab's "<job title> at <organization>".
func workInformation(u *store.User) *string {
	switch {
	case u.JobTitle != "" && u.Organization != "":
		s := u.JobTitle + " at " + u.Organization
		return &s
	case u.JobTitle != "":
		return &u.JobTitle
	case u.Organization != "":
		return &u.Organization
	}
	return nil
}

// user renders the User entity. Profile dates and follow counts are omitted
// for private profiles unless the caller is that user or an admin.
func (v view) user(u *store.User) userJSON {
	j := userJSON{
		userBasicJSON: v.basic(u),
		Bio:           u.Bio, Location: u.Location, PublicEmail: strOrNil(u.PublicEmail),
		Skype: u.Skype, Linkedin: u.Linkedin, Twitter: u.Twitter, Discord: u.Discord,
		WebsiteURL: u.WebsiteURL, Organization: u.Organization, JobTitle: u.JobTitle,
		Pronouns: strOrNil(u.Pronouns), Bot: u.Bot, WorkInformation: workInformation(u),
	}
	// UserPolicy: read_user_profile is denied for private profiles and
	// blocked users, except to themselves and admins.
	readable := !(u.PrivateProfile || blockedState(u.State)) || (v.caller != nil && (v.caller.is(u) || v.caller.admin()))
	if readable {
		j.CreatedAt = timeOrNil(&u.CreatedAt)
		followers, following := 0, 0
		if v.follows != nil {
			followers, following = v.follows.FollowCounts(u.ID)
		}
		j.Followers, j.Following = &followers, &following
		if v.caller != nil && !v.caller.anonymous() {
			f := v.follows != nil && v.follows.IsFollowing(v.caller.user.ID, u.ID)
			j.IsFollowed = &f
		}
	}
	return j
}

func (v view) userPublic(u *store.User) userPublicJSON {
	ids := make([]identityJSON, 0, len(u.Identities))
	for _, id := range u.Identities {
		ids = append(ids, identityJSON{Provider: id.Provider, ExternUID: id.ExternUID})
	}
	commit := u.CommitEmail
	if commit == "" {
		commit = u.Email
	}
	lang := u.PreferredLanguage
	if lang == "" {
		lang = "en"
	}
	return userPublicJSON{
		userJSON:     v.user(u),
		LastSignInAt: timeOrNil(u.LastSignInAt), ConfirmedAt: timeOrNil(u.ConfirmedAt),
		LastActivityOn: dateOrNil(u.LastActivityOn), Email: u.Email,
		ThemeID: u.ThemeID, ColorSchemeID: u.ColorSchemeID, ProjectsLimit: u.ProjectsLimit,
		CurrentSignInAt: timeOrNil(u.CurrentSignInAt), Identities: ids,
		CanCreateGroup: u.CanCreateGroup, CanCreateProject: u.CanCreateProject,
		TwoFactorEnabled: u.TwoFactorEnabled, External: u.External, PrivateProfile: u.PrivateProfile,
		CommitEmail: commit, PreferredLanguage: lang,
	}
}

func (s *Server) userWithAdmin(v view, u *store.User) userWithAdminJSON {
	j := userWithAdminJSON{
		userPublicJSON: v.userPublic(u),
		IsAdmin:        u.Admin, Note: strOrNil(u.Note), NamespaceID: u.NamespaceID,
		EmailResetOfferedAt: timeOrNil(u.EmailResetOfferedAt),
	}
	if u.CreatedByID != 0 {
		if by := s.store.User(u.CreatedByID); by != nil {
			b := v.basic(by)
			b.CustomAttributes = nil
			j.CreatedBy = &b
		}
	}
	return j
}

func (s *Server) userDetailsWithAdmin(v view, u *store.User) userDetailsWithAdminJSON {
	return userDetailsWithAdminJSON{
		userWithAdminJSON: s.userWithAdmin(v, u),
		CurrentSignInIP:   strOrNil(u.CurrentSignInIP),
		LastSignInIP:      strOrNil(u.LastSignInIP),
		SignInCount:       u.SignInCount,
	}
}

// blockedState is GitLab's User#blocked?: every state of the blocked family.
func blockedState(state string) bool {
	switch state {
	case store.StateBlocked, store.StateLDAPBlocked, store.StateBlockedPendingApproval, store.StateBanned:
		return true
	}
	return false
}
