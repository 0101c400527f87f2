package store

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Store is the mutable in-memory state of one mock instance. It is safe for
// concurrent use. All access goes through its methods, so the representation
// (plain maps today) can become a copy-on-write overlay over an immutable
// baseline without touching callers: reads consult the overlay then the
// baseline, writes go to the overlay, and reset drops the overlay.
type Store struct {
	mu sync.RWMutex

	users      map[int64]*User
	userOrder  []int64               // user ids, ascending
	byUsername map[string]int64      // lower-cased username -> id
	emails     map[string]emailOwner // lower-cased address -> owner (primary and secondary)

	sshKeys   map[int64]*SSHKey
	gpgKeys   map[int64]*GPGKey
	secEmails map[int64]*Email
	tokens    map[int64]*Token
	byToken   map[string]int64 // token value -> token id
	events    map[int64]*Event

	// next ids: GitLab ids are monotonic and never reused after a delete.
	nextUserID, nextKeyID, nextGPGKeyID, nextEmailID, nextTokenID, nextEventID int64
}

type emailOwner struct {
	userID    int64
	emailID   int64 // 0 for the primary email
	confirmed bool  // primary emails count as confirmed for uniqueness
}

// New returns an empty store.
func New() *Store {
	s := &Store{}
	s.clear()
	return s
}

func (s *Store) clear() {
	s.users = map[int64]*User{}
	s.userOrder = nil
	s.byUsername = map[string]int64{}
	s.emails = map[string]emailOwner{}
	s.sshKeys = map[int64]*SSHKey{}
	s.gpgKeys = map[int64]*GPGKey{}
	s.secEmails = map[int64]*Email{}
	s.tokens = map[int64]*Token{}
	s.byToken = map[string]int64{}
	s.events = map[int64]*Event{}
	s.nextUserID, s.nextKeyID, s.nextGPGKeyID, s.nextEmailID, s.nextTokenID, s.nextEventID = 1, 1, 1, 1, 1, 1
}

func lower(s string) string { return strings.ToLower(s) }

// Load replaces the whole state with d. d must already be valid (package
// fixture validates with file and line); Load re-checks uniqueness and ids so
// that it never leaves a half-loaded state: on error the store is unchanged.
func (s *Store) Load(d *Data) error {
	n := New()
	for i := range d.Users {
		u := d.Users[i]
		u.Identities = slices.Clone(u.Identities)
		u.CustomAttributes = slices.Clone(u.CustomAttributes)
		if _, dup := n.users[u.ID]; dup || u.ID <= 0 {
			return invalid("id", "is invalid or duplicated")
		}
		if _, dup := n.byUsername[lower(u.Username)]; dup {
			return ErrUsernameTaken
		}
		if _, dup := n.emails[lower(u.Email)]; dup {
			return ErrEmailTaken
		}
		n.putUser(&u)
		n.nextUserID = max(n.nextUserID, u.ID+1)
	}
	for i := range d.Emails {
		e := d.Emails[i]
		if n.users[e.UserID] == nil {
			return ErrUserNotFound
		}
		if _, dup := n.emails[lower(e.Email)]; dup {
			return ErrEmailTaken
		}
		n.secEmails[e.ID] = &e
		n.emails[lower(e.Email)] = emailOwner{userID: e.UserID, emailID: e.ID, confirmed: e.ConfirmedAt != nil}
		n.nextEmailID = max(n.nextEmailID, e.ID+1)
	}
	for i := range d.SSHKeys {
		k := d.SSHKeys[i]
		n.sshKeys[k.ID] = &k
		n.nextKeyID = max(n.nextKeyID, k.ID+1)
	}
	for i := range d.GPGKeys {
		k := d.GPGKeys[i]
		n.gpgKeys[k.ID] = &k
		n.nextGPGKeyID = max(n.nextGPGKeyID, k.ID+1)
	}
	for i := range d.Tokens {
		t := d.Tokens[i]
		t.Scopes = slices.Clone(t.Scopes)
		if _, dup := n.byToken[t.Token]; dup && t.Token != "" {
			return ErrTokenTaken
		}
		n.tokens[t.ID] = &t
		if t.Token != "" {
			n.byToken[t.Token] = t.ID
		}
		n.nextTokenID = max(n.nextTokenID, t.ID+1)
	}
	for i := range d.Events {
		e := d.Events[i]
		n.events[e.ID] = &e
		n.nextEventID = max(n.nextEventID, e.ID+1)
	}
	slices.Sort(n.userOrder)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.users, s.userOrder, s.byUsername, s.emails = n.users, n.userOrder, n.byUsername, n.emails
	s.sshKeys, s.gpgKeys, s.secEmails, s.tokens, s.byToken, s.events = n.sshKeys, n.gpgKeys, n.secEmails, n.tokens, n.byToken, n.events
	s.nextUserID, s.nextKeyID, s.nextGPGKeyID, s.nextEmailID, s.nextTokenID, s.nextEventID = n.nextUserID, n.nextKeyID, n.nextGPGKeyID, n.nextEmailID, n.nextTokenID, n.nextEventID
	return nil
}

// putUser indexes u; the caller holds the write lock (or owns s).
func (s *Store) putUser(u *User) {
	if _, exists := s.users[u.ID]; !exists {
		i, _ := slices.BinarySearch(s.userOrder, u.ID)
		s.userOrder = slices.Insert(s.userOrder, i, u.ID)
	}
	s.users[u.ID] = u
	s.byUsername[lower(u.Username)] = u.ID
	s.emails[lower(u.Email)] = emailOwner{userID: u.ID, confirmed: true}
}

// Export returns the whole state as plain values, ordered by id.
func (s *Store) Export() *Data {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := &Data{}
	for _, id := range s.userOrder {
		u := *s.users[id]
		u.Identities = slices.Clone(u.Identities)
		d.Users = append(d.Users, u)
	}
	d.SSHKeys = sortedValues(s.sshKeys, func(k *SSHKey) int64 { return k.ID })
	d.GPGKeys = sortedValues(s.gpgKeys, func(k *GPGKey) int64 { return k.ID })
	d.Emails = sortedValues(s.secEmails, func(e *Email) int64 { return e.ID })
	d.Tokens = sortedValues(s.tokens, func(t *Token) int64 { return t.ID })
	d.Events = sortedValues(s.events, func(e *Event) int64 { return e.ID })
	return d
}

func sortedValues[T any](m map[int64]*T, id func(*T) int64) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool { return id(&out[i]) < id(&out[j]) })
	return out
}

// User returns the user with id, or nil.
func (s *Store) User(id int64) *User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.users[id]
}

// UserByUsername returns the user with that username (case-insensitive), or nil.
func (s *Store) UserByUsername(username string) *User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if id, ok := s.byUsername[lower(username)]; ok {
		return s.users[id]
	}
	return nil
}

// Users returns every user in ascending id order. The slice is the caller's.
func (s *Store) Users() []*User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*User, len(s.userOrder))
	for i, id := range s.userOrder {
		out[i] = s.users[id]
	}
	return out
}

// UserCount returns the number of users.
func (s *Store) UserCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.userOrder)
}

// checkEmail reports whether addr may become userID's primary email:
// someone else's primary or confirmed secondary email is a conflict (409),
// someone's unconfirmed secondary email a validation error (400).
func (s *Store) checkEmail(addr string, userID int64) error {
	o, taken := s.emails[lower(addr)]
	if !taken || (o.userID == userID && o.emailID == 0) {
		return nil
	}
	if o.confirmed {
		return ErrEmailTaken
	}
	return ErrEmailTakenUnconfirmed
}

func (s *Store) checkUsername(name string, userID int64) error {
	if id, taken := s.byUsername[lower(name)]; taken && id != userID {
		return ErrUsernameTaken
	}
	return nil
}

// CreateUser stores u with the next user id and returns the stored copy.
// The email is checked before the username, as GitLab does.
func (s *Store) CreateUser(u User) (*User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkEmail(u.Email, 0); err != nil {
		return nil, err
	}
	if err := s.checkUsername(u.Username, 0); err != nil {
		return nil, err
	}
	u.ID = s.nextUserID
	s.nextUserID++
	if u.NamespaceID == 0 {
		u.NamespaceID = u.ID
	}
	u.Identities = slices.Clone(u.Identities)
	s.putUser(&u)
	return &u, nil
}

// UpdateUser applies change to a copy of user id and stores it if the new
// username and email are free. Nothing is stored if change or a check fails.
func (s *Store) UpdateUser(id int64, change func(u *User) error) (*User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.users[id]
	if old == nil {
		return nil, ErrUserNotFound
	}
	u := *old
	u.Identities = slices.Clone(old.Identities)
	u.CustomAttributes = slices.Clone(old.CustomAttributes)
	if err := change(&u); err != nil {
		return nil, err
	}
	u.ID = old.ID
	if !strings.EqualFold(u.Email, old.Email) {
		if err := s.checkEmail(u.Email, id); err != nil {
			return nil, err
		}
	}
	if u.UnconfirmedEmail != "" && !strings.EqualFold(u.UnconfirmedEmail, old.UnconfirmedEmail) {
		if err := s.checkEmail(u.UnconfirmedEmail, id); err != nil {
			return nil, err
		}
	}
	if !strings.EqualFold(u.Username, old.Username) {
		if err := s.checkUsername(u.Username, id); err != nil {
			return nil, err
		}
	}
	delete(s.byUsername, lower(old.Username))
	delete(s.emails, lower(old.Email))
	s.putUser(&u)
	return &u, nil
}

// DeleteUser removes the user and everything it owns.
func (s *Store) DeleteUser(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		return ErrUserNotFound
	}
	delete(s.users, id)
	if i, found := slices.BinarySearch(s.userOrder, id); found {
		s.userOrder = slices.Delete(s.userOrder, i, i+1)
	}
	delete(s.byUsername, lower(u.Username))
	delete(s.emails, lower(u.Email))
	for kid, k := range s.sshKeys {
		if k.UserID == id {
			delete(s.sshKeys, kid)
		}
	}
	for kid, k := range s.gpgKeys {
		if k.UserID == id {
			delete(s.gpgKeys, kid)
		}
	}
	for eid, e := range s.secEmails {
		if e.UserID == id {
			delete(s.secEmails, eid)
			delete(s.emails, lower(e.Email))
		}
	}
	for tid, t := range s.tokens {
		if t.UserID == id {
			delete(s.tokens, tid)
			delete(s.byToken, t.Token)
		}
	}
	// Events stay, as GitLab moves them to the ghost user; they are not
	// reachable through the deleted user any more.
	return nil
}

// DeleteIdentity removes the user's identity for provider.
func (s *Store) DeleteIdentity(userID int64, provider string) error {
	_, err := s.UpdateUser(userID, func(u *User) error {
		for i, id := range u.Identities {
			if id.Provider == provider {
				u.Identities = slices.Delete(u.Identities, i, i+1)
				return nil
			}
		}
		return ErrIdentityNotFound
	})
	return err
}

// UserByIdentity returns the user with that provider and extern_uid, or nil.
func (s *Store) UserByIdentity(provider, externUID string) *User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range s.userOrder {
		u := s.users[id]
		for _, ident := range u.Identities {
			if ident.Provider == provider && ident.ExternUID == externUID {
				return u
			}
		}
	}
	return nil
}

// TokenByValue returns the token with that secret value, or nil.
func (s *Store) TokenByValue(value string) *Token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if id, ok := s.byToken[value]; ok {
		return s.tokens[id]
	}
	return nil
}

// Token returns the token with id, or nil.
func (s *Store) Token(id int64) *Token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tokens[id]
}

// TokensOf returns the user's tokens in ascending id order.
func (s *Store) TokensOf(userID int64) []*Token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return ownedBy(s.tokens, userID, func(t *Token) (int64, int64) { return t.ID, t.UserID })
}

// SSHKeysOf returns the user's SSH keys in ascending id order.
func (s *Store) SSHKeysOf(userID int64) []*SSHKey {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return ownedBy(s.sshKeys, userID, func(k *SSHKey) (int64, int64) { return k.ID, k.UserID })
}

// EmailsOf returns the user's secondary emails in ascending id order.
func (s *Store) EmailsOf(userID int64) []*Email {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return ownedBy(s.secEmails, userID, func(e *Email) (int64, int64) { return e.ID, e.UserID })
}

// EventsOf returns the events the user authored in ascending id order.
func (s *Store) EventsOf(userID int64) []*Event {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return ownedBy(s.events, userID, func(e *Event) (int64, int64) { return e.ID, e.AuthorID })
}

func ownedBy[T any](m map[int64]*T, userID int64, ids func(*T) (id, owner int64)) []*T {
	var out []*T
	for _, v := range m {
		if _, owner := ids(v); owner == userID {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { a, _ := ids(out[i]); b, _ := ids(out[j]); return a < b })
	return out
}

// CreateToken stores t with the next token id. t.Token must be unique.
func (s *Store) CreateToken(t Token) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[t.UserID] == nil {
		return nil, ErrUserNotFound
	}
	if _, dup := s.byToken[t.Token]; dup {
		return nil, ErrTokenTaken
	}
	t.ID = s.nextTokenID
	s.nextTokenID++
	t.Scopes = slices.Clone(t.Scopes)
	s.tokens[t.ID] = &t
	s.byToken[t.Token] = t.ID
	return &t, nil
}

// RevokeToken marks the token revoked; it stops authorizing at once.
func (s *Store) RevokeToken(id int64) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.tokens[id]
	if old == nil {
		return nil, ErrTokenNotFound
	}
	t := *old
	t.Revoked = true
	s.tokens[id] = &t
	return &t, nil
}

// TouchToken records a use of the token at now. GitLab throttles these
// writes to one per minute; so does the store, keeping reads cheap.
func (s *Store) TouchToken(id int64, now time.Time) {
	s.mu.RLock()
	old := s.tokens[id]
	fresh := old == nil || (old.LastUsedAt != nil && now.Sub(*old.LastUsedAt) < time.Minute && !now.Before(*old.LastUsedAt))
	s.mu.RUnlock()
	if fresh {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old = s.tokens[id]; old == nil {
		return
	}
	t := *old
	t.LastUsedAt = &now
	s.tokens[id] = &t
}
