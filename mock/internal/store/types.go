// Package store holds gitlab-mock's in-memory state: users and what hangs off
// them (identities, SSH and GPG keys, emails, tokens, events). It knows nothing
// of HTTP: handlers in package mock translate its errors into GitLab bodies.
//
// Objects handed out by the store are immutable snapshots: a write never
// modifies an object in place, it stores a modified copy. Readers may keep the
// pointers they got without locking; they must not modify them.
package store

import (
	"strings"
	"time"
)

// User states, as GitLab names them.
const (
	StateActive                 = "active"
	StateBlocked                = "blocked"
	StateLDAPBlocked            = "ldap_blocked"
	StateDeactivated            = "deactivated"
	StateBanned                 = "banned"
	StateBlockedPendingApproval = "blocked_pending_approval"
)

// ValidStates lists every state a user may have.
var ValidStates = []string{StateActive, StateBlocked, StateLDAPBlocked, StateDeactivated, StateBanned, StateBlockedPendingApproval}

// ValidState reports whether s is a GitLab user state.
func ValidState(s string) bool {
	for _, v := range ValidStates {
		if v == s {
			return true
		}
	}
	return false
}

// User is one GitLab account with the fields GitLab's user entities expose.
type User struct {
	ID               int64
	Username         string
	Name             string
	Email            string
	UnconfirmedEmail string // an email change awaiting reconfirmation
	Password         string // never rendered; kept so fixtures round-trip
	State            string
	Admin            bool
	Bot              bool
	Internal         bool // GitLab's internal users (alert bot, support bot, ghost)
	External         bool
	PrivateProfile   bool
	TwoFactorEnabled bool
	Locked           bool

	CreatedAt       time.Time
	UpdatedAt       time.Time
	LastSignInAt    *time.Time
	CurrentSignInAt *time.Time
	ConfirmedAt     *time.Time
	LastActivityOn  *time.Time // a date; time of day is ignored
	CurrentSignInIP string
	LastSignInIP    string
	SignInCount     int

	Bio          string
	Location     string
	PublicEmail  string
	CommitEmail  string
	Skype        string
	Linkedin     string
	Twitter      string
	Discord      string
	WebsiteURL   string
	Organization string
	JobTitle     string
	Pronouns     string
	Note         string
	AvatarURL    string

	ThemeID             int
	ColorSchemeID       int
	ProjectsLimit       int
	CanCreateGroup      bool
	CanCreateProject    bool
	ViewDiffsFileByFile bool
	PreferredLanguage   string
	CreatedByID         int64 // 0: self-registered
	NamespaceID         int64
	EmailResetOfferedAt *time.Time
	Identities          []Identity
	CustomAttributes    []CustomAttribute

	searchText string // lower-cased name and username, kept by the store for search
}

// SearchText is the user's name and username, lower-cased, as one string:
// what GitLab's user search matches a query against.
func (u *User) SearchText() string { return u.searchText }

func (u *User) indexSearchText() {
	u.searchText = strings.ToLower(u.Name) + "\x00" + strings.ToLower(u.Username)
}

// Identity links a user to an external authentication provider.
type Identity struct {
	Provider  string
	ExternUID string
}

// CustomAttribute is an admin-managed key/value pair on a user.
type CustomAttribute struct {
	Key   string
	Value string
}

// SSHKey is a public SSH key of a user.
type SSHKey struct {
	ID                int64
	UserID            int64
	Title             string
	Key               string
	FingerprintMD5    string
	FingerprintSHA256 string
	UsageType         string
	CreatedAt         time.Time
	ExpiresAt         *time.Time
}

// GPGKey is an armored public GPG key of a user.
type GPGKey struct {
	ID        int64
	UserID    int64
	Key       string
	CreatedAt time.Time
	Revoked   bool

	fingerprint string // GPGFingerprint(Key), kept by the store so deletes need no parse
}

// Email is a secondary email address of a user.
type Email struct {
	ID          int64
	UserID      int64
	Email       string
	ConfirmedAt *time.Time
	CreatedAt   time.Time
}

// Token is a personal access token or, with Impersonation, an impersonation token.
type Token struct {
	ID            int64
	UserID        int64
	Name          string
	Description   string
	Token         string
	Scopes        []string
	CreatedAt     time.Time
	ExpiresAt     *time.Time // a date: the token expires at the start of that day (UTC)
	LastUsedAt    *time.Time
	Revoked       bool
	Impersonation bool
}

// Expired reports whether the token has expired at now. GitLab expires a
// token at the beginning of its expires_at day.
func (t *Token) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// Active reports whether the token is neither revoked nor expired.
func (t *Token) Active(now time.Time) bool { return !t.Revoked && !t.Expired(now) }

// Event is a contribution event authored by a user.
type Event struct {
	ID          int64
	AuthorID    int64
	ProjectID   *int64
	ActionName  string
	TargetID    *int64
	TargetIID   *int64
	TargetType  string
	TargetTitle string
	CreatedAt   time.Time
	PushData    *PushData
	Note        map[string]any
}

// PushData is the push_data of a push event.
type PushData struct {
	CommitCount int
	Action      string
	RefType     string
	CommitFrom  string
	CommitTo    string
	Ref         string
	CommitTitle string
	RefCount    *int
}

// Data is a whole state as plain values: what fixtures load and state export
// returns. Slices are ordered by id.
type Data struct {
	Now     *time.Time
	Users   []User
	SSHKeys []SSHKey
	GPGKeys []GPGKey
	Emails  []Email
	Tokens  []Token
	Events  []Event
	// Follows, Statuses and Preferences are the state fixtures keep beyond
	// GitLab's user entity, ordered by user id.
	Follows     []Follow
	Statuses    []StatusOf
	Preferences []PreferencesOf
}

// Follow says Follower follows Followee.
type Follow struct{ Follower, Followee int64 }

// StatusOf is a user's status.
type StatusOf struct {
	UserID int64
	Status UserStatus
}

// PreferencesOf are a user's preferences.
type PreferencesOf struct {
	UserID      int64
	Preferences Preferences
}
