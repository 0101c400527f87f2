package store

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Store is the mutable in-memory state of one mock instance, safe for
// concurrent use. It is a copy-on-write layer over an immutable Baseline:
// Reset drops the layer and NewFrom starts another store on the same
// baseline, both in O(1) whatever the number of users, because nothing of
// the baseline is copied (see cowMap).
type Store struct {
	mu sync.RWMutex
	b  *Baseline

	users      cowMap[int64, *User]
	newUserIDs []int64                    // users created since the baseline, ascending
	touched    []uint64                   // bitset over baseline positions: user changed or deleted (nil: none)
	byUsername cowMap[string, int64]      // lower-cased username -> id
	emails     cowMap[string, emailOwner] // lower-cased address -> owner (primary and secondary)
	sshKeys    cowMap[int64, *SSHKey]
	gpgKeys    cowMap[int64, *GPGKey]
	secEmails  cowMap[int64, *Email]
	tokens     cowMap[int64, *Token]
	byToken    cowMap[string, int64] // token value -> token id
	events     cowMap[int64, *Event]
	// Per-user child ids, ascending; slices are replaced, never modified.
	keysOf, gpgKeysOf, emailsOf, tokensOf, eventsOf cowMap[int64, []int64]
	x                                               extra // follows, statuses, preferences, PINs (state.go)

	keyIdx keyIndexes // SSH/GPG keys by fingerprint (keys.go)

	next counters
}

// counters are the next ids. GitLab's ids are monotonic and never reused
// after a delete (until a reset returns to the baseline).
type counters struct{ user, key, gpgKey, email, token, event int64 }

// Baseline is an immutable state many stores can share.
type Baseline struct {
	now       *time.Time
	users     map[int64]*User
	userOrder []int64 // ascending ids
	userList  []*User // the users in userOrder's order
	// orders holds positions in userList sorted by each order_by GitLab
	// offers (ties by id), so listing never sorts the baseline.
	orders map[string][]int32
	search searchIndex

	followingOf, followersOf map[int64][]int64
	statuses                 map[int64]*UserStatus
	prefs                    map[int64]*Preferences
	byUsername               map[string]int64
	emails                   map[string]emailOwner
	sshKeys                  map[int64]*SSHKey
	gpgKeys                  map[int64]*GPGKey
	secEmails                map[int64]*Email
	tokens                   map[int64]*Token
	byToken                  map[string]int64
	events                   map[int64]*Event

	keysOf, gpgKeysOf, emailsOf, tokensOf, eventsOf map[int64][]int64
	next                                            counters

	keyIdx baselineKeyIndexes // SSH/GPG keys by fingerprint (keys.go)
}

type emailOwner struct {
	userID    int64
	emailID   int64 // 0 for the primary email
	confirmed bool  // primary emails count as confirmed for uniqueness
}

// New returns an empty store.
func New() *Store {
	b, _ := NewBaseline(&Data{})
	return NewFrom(b)
}

// NewFrom returns a store whose state is b. O(1).
func NewFrom(b *Baseline) *Store {
	s := &Store{}
	s.resetTo(b)
	return s
}

func (s *Store) resetTo(b *Baseline) {
	s.b = b
	s.users = newCowMap(b.users)
	s.newUserIDs = nil
	s.touched = nil
	s.byUsername = newCowMap(b.byUsername)
	s.emails = newCowMap(b.emails)
	s.sshKeys = newCowMap(b.sshKeys)
	s.gpgKeys = newCowMap(b.gpgKeys)
	s.secEmails = newCowMap(b.secEmails)
	s.tokens = newCowMap(b.tokens)
	s.byToken = newCowMap(b.byToken)
	s.events = newCowMap(b.events)
	s.keysOf = newCowMap(b.keysOf)
	s.gpgKeysOf = newCowMap(b.gpgKeysOf)
	s.emailsOf = newCowMap(b.emailsOf)
	s.tokensOf = newCowMap(b.tokensOf)
	s.eventsOf = newCowMap(b.eventsOf)
	s.x = newExtra(b)
	s.keyIdx = newKeyIndexes(b)
	s.next = b.next
}

// Reset returns the store to its baseline. O(1).
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetTo(s.b)
}

// Baseline returns the baseline the store resets to.
func (s *Store) Baseline() *Baseline {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.b
}

// Now is the baseline's `now:` (nil: real time).
func (b *Baseline) Now() *time.Time { return b.now }

func lower(s string) string { return strings.ToLower(s) }

// NewBaseline builds an immutable state from d. d must already be valid
// (package fixture validates with file and line); uniqueness and ids are
// re-checked so that a bad state is never half-built.
func NewBaseline(d *Data) (*Baseline, error) {
	b := &Baseline{
		now: d.Now, users: map[int64]*User{}, byUsername: map[string]int64{}, emails: map[string]emailOwner{},
		sshKeys: map[int64]*SSHKey{}, gpgKeys: map[int64]*GPGKey{}, secEmails: map[int64]*Email{},
		tokens: map[int64]*Token{}, byToken: map[string]int64{}, events: map[int64]*Event{},
		keysOf: map[int64][]int64{}, gpgKeysOf: map[int64][]int64{}, emailsOf: map[int64][]int64{},
		tokensOf: map[int64][]int64{}, eventsOf: map[int64][]int64{},
		next: counters{1, 1, 1, 1, 1, 1},
	}
	for i := range d.Users {
		u := d.Users[i]
		u.Identities = slices.Clone(u.Identities)
		u.CustomAttributes = slices.Clone(u.CustomAttributes)
		u.indexSearchText()
		if _, dup := b.users[u.ID]; dup || u.ID <= 0 {
			return nil, invalid("id", "is invalid or duplicated")
		}
		if _, dup := b.byUsername[lower(u.Username)]; dup {
			return nil, ErrUsernameTaken
		}
		if _, dup := b.emails[lower(u.Email)]; dup {
			return nil, ErrEmailTaken
		}
		b.users[u.ID] = &u
		b.userOrder = append(b.userOrder, u.ID)
		b.byUsername[lower(u.Username)] = u.ID
		b.emails[lower(u.Email)] = emailOwner{userID: u.ID, confirmed: true}
		b.next.user = max(b.next.user, u.ID+1)
	}
	slices.Sort(b.userOrder)
	b.userList = make([]*User, len(b.userOrder))
	for i, id := range b.userOrder {
		b.userList[i] = b.users[id]
	}
	b.orders = map[string][]int32{}
	for _, key := range []string{"name", "username", "created_at", "updated_at"} {
		pos := make([]int32, len(b.userList))
		for i := range pos {
			pos[i] = int32(i)
		}
		slices.SortFunc(pos, func(x, y int32) int { return CompareUsers(b.userList[x], b.userList[y], key) })
		b.orders[key] = pos
	}
	b.search = newSearchIndex(b.userList)
	if err := b.loadExtra(d); err != nil {
		return nil, err
	}
	for i := range d.Emails {
		e := d.Emails[i]
		if b.users[e.UserID] == nil {
			return nil, ErrUserNotFound
		}
		if _, dup := b.emails[lower(e.Email)]; dup {
			return nil, ErrEmailTaken
		}
		b.secEmails[e.ID] = &e
		b.emails[lower(e.Email)] = emailOwner{userID: e.UserID, emailID: e.ID, confirmed: e.ConfirmedAt != nil}
		b.emailsOf[e.UserID] = append(b.emailsOf[e.UserID], e.ID)
		b.next.email = max(b.next.email, e.ID+1)
	}
	for i := range d.SSHKeys {
		k := d.SSHKeys[i]
		b.sshKeys[k.ID] = &k
		b.keysOf[k.UserID] = append(b.keysOf[k.UserID], k.ID)
		b.next.key = max(b.next.key, k.ID+1)
	}
	for i := range d.GPGKeys {
		k := d.GPGKeys[i]
		b.gpgKeys[k.ID] = &k
		b.gpgKeysOf[k.UserID] = append(b.gpgKeysOf[k.UserID], k.ID)
		b.next.gpgKey = max(b.next.gpgKey, k.ID+1)
	}
	for i := range d.Tokens {
		t := d.Tokens[i]
		t.Scopes = slices.Clone(t.Scopes)
		if _, dup := b.byToken[t.Token]; dup && t.Token != "" {
			return nil, ErrTokenTaken
		}
		b.tokens[t.ID] = &t
		if t.Token != "" {
			b.byToken[t.Token] = t.ID
		}
		b.tokensOf[t.UserID] = append(b.tokensOf[t.UserID], t.ID)
		b.next.token = max(b.next.token, t.ID+1)
	}
	for i := range d.Events {
		e := d.Events[i]
		b.events[e.ID] = &e
		b.eventsOf[e.AuthorID] = append(b.eventsOf[e.AuthorID], e.ID)
		b.next.event = max(b.next.event, e.ID+1)
	}
	b.indexKeys()
	for _, idx := range []map[int64][]int64{b.keysOf, b.gpgKeysOf, b.emailsOf, b.tokensOf, b.eventsOf} {
		for _, ids := range idx {
			slices.Sort(ids)
		}
	}
	return b, nil
}

// Load replaces the whole state with d, which also becomes the baseline
// that Reset returns to. On error the store is unchanged.
func (s *Store) Load(d *Data) error {
	b, err := NewBaseline(d)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetTo(b)
	return nil
}

// addChild and removeChild maintain an index of ascending ids (per user,
// per fingerprint) copy-on-write: slices are replaced, never modified.
func addChild[K comparable](idx *cowMap[K, []int64], key K, id int64) {
	old, _ := idx.get(key)
	if i, found := slices.BinarySearch(old, id); !found {
		idx.set(key, slices.Insert(slices.Clone(old), i, id))
	}
}

func removeChild[K comparable](idx *cowMap[K, []int64], key K, id int64) {
	old, _ := idx.get(key)
	i, found := slices.BinarySearch(old, id)
	switch {
	case !found:
	case len(old) == 1:
		idx.del(key)
	default:
		idx.set(key, slices.Delete(slices.Clone(old), i, i+1))
	}
}

// putUser stores u and indexes its username and email; the caller holds
// the write lock and has removed the old indexes of an existing user.
func (s *Store) putUser(u *User) {
	u.indexSearchText()
	if _, exists := s.users.get(u.ID); !exists && !s.inBaseline(u.ID) {
		s.newUserIDs = append(s.newUserIDs, u.ID) // new ids are above every baseline id
	}
	s.touch(u.ID)
	s.users.set(u.ID, u)
	s.byUsername.set(lower(u.Username), u.ID)
	s.emails.set(lower(u.Email), emailOwner{userID: u.ID, confirmed: true})
}

// Export returns the whole state as plain values, ordered by id.
func (s *Store) Export() *Data {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := &Data{Now: s.b.now}
	s.eachUser(func(u *User) {
		c := *u
		c.Identities = slices.Clone(u.Identities)
		c.CustomAttributes = slices.Clone(u.CustomAttributes)
		c.searchText = ""
		d.Users = append(d.Users, c)
	})
	d.SSHKeys = sortedValues(&s.sshKeys, func(k *SSHKey) int64 { return k.ID })
	d.GPGKeys = sortedValues(&s.gpgKeys, func(k *GPGKey) int64 { return k.ID })
	for i := range d.GPGKeys {
		d.GPGKeys[i].fingerprint = "" // derived, like searchText
	}
	d.Emails = sortedValues(&s.secEmails, func(e *Email) int64 { return e.ID })
	d.Tokens = sortedValues(&s.tokens, func(t *Token) int64 { return t.ID })
	d.Events = sortedValues(&s.events, func(e *Event) int64 { return e.ID })
	s.exportExtra(d)
	return d
}

func sortedValues[T any](m *cowMap[int64, *T], id func(*T) int64) []T {
	out := make([]T, 0, m.len())
	m.each(func(_ int64, v *T) bool { out = append(out, *v); return true })
	sort.Slice(out, func(i, j int) bool { return id(&out[i]) < id(&out[j]) })
	return out
}

// eachUser calls fn for every user in ascending id order; the caller holds
// a lock. Untouched baseline users are read straight from the baseline.
func (s *Store) eachUser(fn func(*User)) {
	for i, u := range s.b.userList {
		if s.isTouched(i) {
			if u, ok := s.users.over[u.ID]; ok {
				fn(u)
			}
			continue
		}
		fn(u)
	}
	for _, id := range s.newUserIDs {
		if u, ok := s.users.over[id]; ok {
			fn(u)
		}
	}
}

// baselinePos is the position of id in the baseline's users, or -1.
func (s *Store) baselinePos(id int64) int {
	if i, found := slices.BinarySearch(s.b.userOrder, id); found {
		return i
	}
	return -1
}

func (s *Store) inBaseline(id int64) bool { return s.baselinePos(id) >= 0 }

// touch marks a baseline user as changed or deleted.
func (s *Store) touch(id int64) {
	i := s.baselinePos(id)
	if i < 0 {
		return
	}
	if s.touched == nil {
		s.touched = make([]uint64, (len(s.b.userOrder)+63)/64)
	}
	s.touched[i/64] |= 1 << (i % 64)
}

func (s *Store) isTouched(i int) bool {
	return s.touched != nil && s.touched[i/64]&(1<<(i%64)) != 0
}

// CompareUsers orders users by one of GitLab's order_by keys (id, name,
// username, created_at, updated_at), then by id.
func CompareUsers(a, b *User, orderBy string) int {
	var c int
	switch orderBy {
	case "name":
		c = strings.Compare(a.Name, b.Name)
	case "username":
		c = strings.Compare(a.Username, b.Username)
	case "created_at":
		c = a.CreatedAt.Compare(b.CreatedAt)
	case "updated_at":
		c = a.UpdatedAt.Compare(b.UpdatedAt)
	}
	if c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// EachUserOrdered calls fn for every user in orderBy order (descending if
// desc) until fn returns false. Baseline users come from the baseline's
// precomputed orders; only users changed since are sorted, so a listing is
// O(n) even at 100k users.
func (s *Store) EachUserOrdered(orderBy string, desc bool, fn func(*User) bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	order, ok := s.b.orders[orderBy]
	if !ok { // id
		s.eachUserOrderedByID(desc, fn)
		return
	}
	cmp := func(a, b *User) int {
		if desc {
			return CompareUsers(b, a, orderBy)
		}
		return CompareUsers(a, b, orderBy)
	}
	// Users changed or created since the baseline, sorted.
	var changed []*User
	for _, u := range s.users.over {
		changed = append(changed, u)
	}
	slices.SortFunc(changed, cmp)
	n := len(order)
	for k := 0; k < n; k++ {
		pos := order[k]
		if desc {
			pos = order[n-1-k]
		}
		if s.isTouched(int(pos)) {
			continue
		}
		u := s.b.userList[pos]
		for len(changed) > 0 && cmp(changed[0], u) < 0 {
			if !fn(changed[0]) {
				return
			}
			changed = changed[1:]
		}
		if !fn(u) {
			return
		}
	}
	for _, u := range changed {
		if !fn(u) {
			return
		}
	}
}

func (s *Store) eachUserOrderedByID(desc bool, fn func(*User) bool) {
	if !desc {
		stop := false
		s.eachUser(func(u *User) {
			if !stop && !fn(u) {
				stop = true
			}
		})
		return
	}
	for i := len(s.newUserIDs) - 1; i >= 0; i-- {
		if u, ok := s.users.over[s.newUserIDs[i]]; ok && !fn(u) {
			return
		}
	}
	for i := len(s.b.userList) - 1; i >= 0; i-- {
		u := s.b.userList[i]
		if s.isTouched(i) {
			var ok bool
			if u, ok = s.users.over[u.ID]; !ok {
				continue
			}
		}
		if !fn(u) {
			return
		}
	}
}

// User returns the user with id, or nil.
func (s *Store) User(id int64) *User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, _ := s.users.get(id)
	return u
}

// UserByUsername returns the user with that username (case-insensitive), or nil.
func (s *Store) UserByUsername(username string) *User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if id, ok := s.byUsername.get(lower(username)); ok {
		u, _ := s.users.get(id)
		return u
	}
	return nil
}

// Users returns every user in ascending id order. The slice is the caller's.
func (s *Store) Users() []*User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*User, 0, s.users.len())
	s.eachUser(func(u *User) { out = append(out, u) })
	return out
}

// UserCount returns the number of users.
func (s *Store) UserCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.users.len()
}

// checkEmail reports whether addr may become userID's primary email:
// someone else's primary or confirmed secondary email is a conflict (409),
// someone's unconfirmed secondary email a validation error (400).
func (s *Store) checkEmail(addr string, userID int64) error {
	o, taken := s.emails.get(lower(addr))
	if !taken || (o.userID == userID && o.emailID == 0) {
		return nil
	}
	if o.confirmed {
		return ErrEmailTaken
	}
	return ErrEmailTakenUnconfirmed
}

func (s *Store) checkUsername(name string, userID int64) error {
	if id, taken := s.byUsername.get(lower(name)); taken && id != userID {
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
	u.ID = s.next.user
	s.next.user++
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
	old, _ := s.users.get(id)
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
	s.byUsername.del(lower(old.Username))
	s.emails.del(lower(old.Email))
	s.putUser(&u)
	return &u, nil
}

// DeleteUser removes the user and everything it owns.
func (s *Store) DeleteUser(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, _ := s.users.get(id)
	if u == nil {
		return ErrUserNotFound
	}
	s.users.del(id)
	s.touch(id)
	if i, found := slices.BinarySearch(s.newUserIDs, id); found {
		s.newUserIDs = slices.Delete(s.newUserIDs, i, i+1)
	}
	s.byUsername.del(lower(u.Username))
	s.emails.del(lower(u.Email))
	s.unindexKeysOf(id)
	for _, kid := range s.children(&s.keysOf, id) {
		s.sshKeys.del(kid)
	}
	for _, kid := range s.children(&s.gpgKeysOf, id) {
		s.gpgKeys.del(kid)
	}
	for _, eid := range s.children(&s.emailsOf, id) {
		if e, ok := s.secEmails.get(eid); ok {
			s.emails.del(lower(e.Email))
		}
		s.secEmails.del(eid)
	}
	for _, tid := range s.children(&s.tokensOf, id) {
		if t, ok := s.tokens.get(tid); ok {
			s.byToken.del(t.Token)
		}
		s.tokens.del(tid)
	}
	for _, idx := range []*cowMap[int64, []int64]{&s.keysOf, &s.gpgKeysOf, &s.emailsOf, &s.tokensOf} {
		idx.del(id)
	}
	// Events stay, as GitLab moves them to the ghost user; they are not
	// reachable through the deleted user any more.
	return nil
}

func (s *Store) children(idx *cowMap[int64, []int64], userID int64) []int64 {
	ids, _ := idx.get(userID)
	return ids
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

// TokenByValue returns the token with that secret value, or nil.
func (s *Store) TokenByValue(value string) *Token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if id, ok := s.byToken.get(value); ok {
		t, _ := s.tokens.get(id)
		return t
	}
	return nil
}

// Token returns the token with id, or nil.
func (s *Store) Token(id int64) *Token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, _ := s.tokens.get(id)
	return t
}

// TokensOf returns the user's tokens in ascending id order.
func (s *Store) TokensOf(userID int64) []*Token { return ownedBy(s, &s.tokensOf, &s.tokens, userID) }

// SSHKeysOf returns the user's SSH keys in ascending id order.
func (s *Store) SSHKeysOf(userID int64) []*SSHKey { return ownedBy(s, &s.keysOf, &s.sshKeys, userID) }

// GPGKeysOf returns the user's GPG keys in ascending id order.
func (s *Store) GPGKeysOf(userID int64) []*GPGKey {
	return ownedBy(s, &s.gpgKeysOf, &s.gpgKeys, userID)
}

// EmailsOf returns the user's secondary emails in ascending id order.
func (s *Store) EmailsOf(userID int64) []*Email { return ownedBy(s, &s.emailsOf, &s.secEmails, userID) }

// EventsOf returns the events the user authored in ascending id order.
func (s *Store) EventsOf(userID int64) []*Event { return ownedBy(s, &s.eventsOf, &s.events, userID) }

func ownedBy[T any](s *Store, idx *cowMap[int64, []int64], m *cowMap[int64, *T], userID int64) []*T {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, _ := idx.get(userID)
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		if v, ok := m.get(id); ok {
			out = append(out, v)
		}
	}
	return out
}

// CreateToken stores t with the next token id. t.Token must be unique.
func (s *Store) CreateToken(t Token) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users.get(t.UserID); !ok {
		return nil, ErrUserNotFound
	}
	if _, dup := s.byToken.get(t.Token); dup {
		return nil, ErrTokenTaken
	}
	t.ID = s.next.token
	s.next.token++
	t.Scopes = slices.Clone(t.Scopes)
	s.tokens.set(t.ID, &t)
	s.byToken.set(t.Token, t.ID)
	addChild(&s.tokensOf, t.UserID, t.ID)
	return &t, nil
}

// UpdateToken applies change to a copy of token id and stores it.
func (s *Store) UpdateToken(id int64, change func(t *Token) error) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, _ := s.tokens.get(id)
	if old == nil {
		return nil, ErrTokenNotFound
	}
	t := *old
	t.Scopes = slices.Clone(old.Scopes)
	if err := change(&t); err != nil {
		return nil, err
	}
	t.ID, t.UserID = old.ID, old.UserID
	if t.Token != old.Token {
		if _, dup := s.byToken.get(t.Token); dup {
			return nil, ErrTokenTaken
		}
		s.byToken.del(old.Token)
		s.byToken.set(t.Token, t.ID)
	}
	s.tokens.set(id, &t)
	return &t, nil
}

// RevokeToken marks the token revoked; it stops authorizing at once.
func (s *Store) RevokeToken(id int64) (*Token, error) {
	return s.UpdateToken(id, func(t *Token) error { t.Revoked = true; return nil })
}

// TouchToken records a use of the token at now. GitLab throttles these
// writes to one per minute; so does the store, keeping reads cheap.
func (s *Store) TouchToken(id int64, now time.Time) {
	s.mu.RLock()
	old, _ := s.tokens.get(id)
	fresh := old == nil || (old.LastUsedAt != nil && now.Sub(*old.LastUsedAt) < time.Minute && !now.Before(*old.LastUsedAt))
	s.mu.RUnlock()
	if fresh {
		return
	}
	s.setTokenLastUsed(id, now)
}

// setTokenLastUsed is apart from TouchToken so that the common fresh path
// does not allocate (the closure makes now escape).
func (s *Store) setTokenLastUsed(id int64, now time.Time) {
	s.UpdateToken(id, func(t *Token) error { t.LastUsedAt = &now; return nil })
}
