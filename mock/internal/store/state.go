package store

import (
	"cmp"
	"slices"
	"time"
)

// extra is the per-user state beyond GitLab's user entity: follow
// relations, statuses, preferences (all three in fixtures too), support PINs
// and runner ids. Its maps are cowMaps over the baseline's (PINs and service
// accounts: empty), so Reset and NewFrom stay O(1).
type extra struct {
	followingOf cowMap[int64, []int64] // follower -> followee ids, ascending
	followersOf cowMap[int64, []int64] // followee -> follower ids, ascending
	statuses    cowMap[int64, *UserStatus]
	prefs       cowMap[int64, *Preferences]
	pins        cowMap[int64, *SupportPin]
	serviceAccs cowMap[int64, bool] // ids of users created by POST /service_accounts
	nextRunner  int64
}

func newExtra(b *Baseline) extra {
	return extra{
		followingOf: newCowMap(b.followingOf), followersOf: newCowMap(b.followersOf),
		statuses: newCowMap(b.statuses), prefs: newCowMap(b.prefs),
		pins: newCowMap(map[int64]*SupportPin{}), serviceAccs: newCowMap(map[int64]bool{}),
		nextRunner: 1,
	}
}

// UserStatus is a user's status (emoji, message, availability).
type UserStatus struct {
	Emoji        string
	Message      string
	Availability string // "not_set" or "busy"
	ClearAt      *time.Time
}

// Preferences are a user's API-visible preferences.
type Preferences struct {
	ViewDiffsFileByFile       bool
	ShowWhitespaceInDiffs     bool
	PassUserIdentitiesToCIJWT bool
}

// SupportPin is a user's support PIN.
type SupportPin struct {
	Pin       string
	ExpiresAt time.Time
}

// SetUserState moves user id to state, checking nothing: package mock
// applies GitLab's transition rules first.
func (s *Store) SetUserState(id int64, state string, now time.Time) (*User, error) {
	return s.UpdateUser(id, func(u *User) error {
		u.State = state
		u.UpdatedAt = now
		return nil
	})
}

// TouchActivity records API use by user id on now's date. Like GitLab's
// Users::ActivityService it writes at most once per day.
func (s *Store) TouchActivity(id int64, now time.Time) {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	s.mu.RLock()
	u, _ := s.users.get(id)
	fresh := u == nil || (u.LastActivityOn != nil && !u.LastActivityOn.Before(day))
	s.mu.RUnlock()
	if fresh {
		return
	}
	s.setLastActivity(id, day)
}

// setLastActivity is apart from TouchActivity so that the common fresh path
// does not allocate (the closure makes day escape).
func (s *Store) setLastActivity(id int64, day time.Time) {
	s.UpdateUser(id, func(u *User) error { u.LastActivityOn = &day; return nil })
}

// Follow makes follower follow followee; false if it already did.
func (s *Store) Follow(follower, followee int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids, _ := s.x.followingOf.get(follower)
	if containsID(ids, followee) {
		return false
	}
	addChild(&s.x.followingOf, follower, followee)
	addChild(&s.x.followersOf, followee, follower)
	return true
}

// Unfollow ends a follow relation; false if there was none.
func (s *Store) Unfollow(follower, followee int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids, _ := s.x.followingOf.get(follower)
	if !containsID(ids, followee) {
		return false
	}
	removeChild(&s.x.followingOf, follower, followee)
	removeChild(&s.x.followersOf, followee, follower)
	return true
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Following returns the users id follows, ascending by id (deleted users skipped).
func (s *Store) Following(id int64) []*User { return s.followUsers(&s.x.followingOf, id) }

// Followers returns the users following id, ascending by id.
func (s *Store) Followers(id int64) []*User { return s.followUsers(&s.x.followersOf, id) }

func (s *Store) followUsers(idx *cowMap[int64, []int64], id int64) []*User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, _ := idx.get(id)
	out := make([]*User, 0, len(ids))
	for _, uid := range ids {
		if u, ok := s.users.get(uid); ok {
			out = append(out, u)
		}
	}
	return out
}

// IsFollowing reports whether follower follows followee.
func (s *Store) IsFollowing(follower, followee int64) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids, _ := s.x.followingOf.get(follower)
	return containsID(ids, followee)
}

// Status returns the user's status, or nil if none was set.
func (s *Store) Status(id int64) *UserStatus {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, _ := s.x.statuses.get(id)
	return st
}

// SetStatus stores the user's status.
func (s *Store) SetStatus(id int64, st UserStatus) *UserStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.x.statuses.set(id, &st)
	return &st
}

// Preferences returns the user's preferences (defaults if never set).
func (s *Store) Preferences(id int64) Preferences {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p, ok := s.x.prefs.get(id); ok {
		return *p
	}
	return Preferences{ShowWhitespaceInDiffs: true}
}

// SetPreferences stores the user's preferences.
func (s *Store) SetPreferences(id int64, p Preferences) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.x.prefs.set(id, &p)
}

// SupportPin returns the user's PIN if it has not expired at now.
func (s *Store) SupportPin(id int64, now time.Time) *SupportPin {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.x.pins.get(id)
	if !ok || !now.Before(p.ExpiresAt) {
		return nil
	}
	return p
}

// SetSupportPin stores a PIN for the user.
func (s *Store) SetSupportPin(id int64, p SupportPin) *SupportPin {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.x.pins.set(id, &p)
	return &p
}

// NextRunnerID hands out runner ids.
func (s *Store) NextRunnerID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.x.nextRunner
	s.x.nextRunner++
	return id
}

// SetCustomAttribute sets (or replaces) the user's attribute key.
func (s *Store) SetCustomAttribute(id int64, key, value string) (*User, error) {
	return s.UpdateUser(id, func(u *User) error {
		for i := range u.CustomAttributes {
			if u.CustomAttributes[i].Key == key {
				u.CustomAttributes[i].Value = value
				return nil
			}
		}
		u.CustomAttributes = append(u.CustomAttributes, CustomAttribute{Key: key, Value: value})
		return nil
	})
}

// DeleteCustomAttribute removes the user's attribute key.
func (s *Store) DeleteCustomAttribute(id int64, key string) error {
	_, err := s.UpdateUser(id, func(u *User) error {
		for i := range u.CustomAttributes {
			if u.CustomAttributes[i].Key == key {
				u.CustomAttributes = append(u.CustomAttributes[:i:i], u.CustomAttributes[i+1:]...)
				return nil
			}
		}
		return ErrCustomAttributeNotFound
	})
	return err
}

// ErrCustomAttributeNotFound: no attribute with that key.
var ErrCustomAttributeNotFound = notFound("Custom Attribute")

// CreateServiceAccount creates u (a bot) and records it as a service account.
func (s *Store) CreateServiceAccount(u User) (*User, error) {
	u.Bot = true
	created, err := s.CreateUser(u)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.x.serviceAccs.set(created.ID, true)
	return created, nil
}

// ServiceAccounts returns the service account users in ascending id order.
func (s *Store) ServiceAccounts() []*User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*User
	s.eachUser(func(u *User) {
		if ok, _ := s.x.serviceAccs.get(u.ID); ok {
			out = append(out, u)
		}
	})
	return out
}

// FollowCounts returns how many users follow id and how many id follows
// (relations are dropped from neither side when a user is deleted, so
// deleted users are not counted).
func (s *Store) FollowCounts(id int64) (followers, following int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	count := func(ids []int64) int {
		n := 0
		for _, uid := range ids {
			if _, ok := s.users.get(uid); ok {
				n++
			}
		}
		return n
	}
	a, _ := s.x.followersOf.get(id)
	b, _ := s.x.followingOf.get(id)
	return count(a), count(b)
}

// loadExtra fills the baseline's follows, statuses and preferences from d;
// each must name existing users.
func (b *Baseline) loadExtra(d *Data) error {
	b.followingOf, b.followersOf = map[int64][]int64{}, map[int64][]int64{}
	b.statuses, b.prefs = map[int64]*UserStatus{}, map[int64]*Preferences{}
	for _, f := range d.Follows {
		if b.users[f.Follower] == nil || b.users[f.Followee] == nil {
			return ErrUserNotFound
		}
		if !containsID(b.followingOf[f.Follower], f.Followee) {
			b.followingOf[f.Follower] = append(b.followingOf[f.Follower], f.Followee)
			b.followersOf[f.Followee] = append(b.followersOf[f.Followee], f.Follower)
		}
	}
	for _, idx := range []map[int64][]int64{b.followingOf, b.followersOf} {
		for _, ids := range idx {
			slices.Sort(ids)
		}
	}
	for _, st := range d.Statuses {
		if b.users[st.UserID] == nil {
			return ErrUserNotFound
		}
		v := st.Status
		b.statuses[st.UserID] = &v
	}
	for _, p := range d.Preferences {
		if b.users[p.UserID] == nil {
			return ErrUserNotFound
		}
		v := p.Preferences
		b.prefs[p.UserID] = &v
	}
	return nil
}

// exportExtra adds the follows, statuses and preferences of live users to
// d; the caller holds a lock.
func (s *Store) exportExtra(d *Data) {
	live := func(id int64) bool { _, ok := s.users.get(id); return ok }
	s.x.followingOf.each(func(follower int64, ids []int64) bool {
		for _, followee := range ids {
			if live(follower) && live(followee) {
				d.Follows = append(d.Follows, Follow{Follower: follower, Followee: followee})
			}
		}
		return true
	})
	slices.SortFunc(d.Follows, func(a, b Follow) int {
		if a.Follower != b.Follower {
			return cmp.Compare(a.Follower, b.Follower)
		}
		return cmp.Compare(a.Followee, b.Followee)
	})
	s.x.statuses.each(func(id int64, st *UserStatus) bool {
		if live(id) && *st != (UserStatus{}) {
			d.Statuses = append(d.Statuses, StatusOf{UserID: id, Status: *st})
		}
		return true
	})
	slices.SortFunc(d.Statuses, func(a, b StatusOf) int { return cmp.Compare(a.UserID, b.UserID) })
	s.x.prefs.each(func(id int64, p *Preferences) bool {
		if live(id) {
			d.Preferences = append(d.Preferences, PreferencesOf{UserID: id, Preferences: *p})
		}
		return true
	})
	slices.SortFunc(d.Preferences, func(a, b PreferencesOf) int { return cmp.Compare(a.UserID, b.UserID) })
}
