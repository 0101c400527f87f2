package store

import "strings"

// Email returns the secondary email with id, or nil.
func (s *Store) Email(id int64) *Email {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, _ := s.secEmails.get(id)
	return e
}

// EmailTaken reports whether addr is anyone's primary or secondary email
// (case-insensitive).
func (s *Store) EmailTaken(addr string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, taken := s.emails.get(lower(addr))
	return taken
}

// AddEmail stores e as a secondary email of e.UserID with the next email id.
// An address that is anyone's primary or secondary email is refused with
// ErrSecondaryEmailTaken. The address index records the owner and whether
// the address is confirmed, which user create and update rely on (409 for
// confirmed addresses, 400 for unconfirmed ones).
func (s *Store) AddEmail(e Email) (*Email, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users.get(e.UserID); !ok {
		return nil, ErrUserNotFound
	}
	if _, taken := s.emails.get(lower(e.Email)); taken {
		return nil, ErrSecondaryEmailTaken
	}
	e.ID = s.next.email
	s.next.email++
	s.secEmails.set(e.ID, &e)
	s.emails.set(lower(e.Email), emailOwner{userID: e.UserID, emailID: e.ID, confirmed: e.ConfirmedAt != nil})
	addChild(&s.emailsOf, e.UserID, e.ID)
	return &e, nil
}

// DeleteEmail removes the user's secondary email id. As GitLab's
// Emails::DestroyService does, a public or commit email equal to the deleted
// address is unset in the same step.
func (s *Store) DeleteEmail(userID, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, _ := s.secEmails.get(id)
	if e == nil || e.UserID != userID {
		return ErrEmailNotFound
	}
	s.secEmails.del(id)
	if o, ok := s.emails.get(lower(e.Email)); ok && o.emailID == id {
		s.emails.del(lower(e.Email))
	}
	removeChild(&s.emailsOf, userID, id)
	if u, ok := s.users.get(userID); ok &&
		(strings.EqualFold(u.PublicEmail, e.Email) || strings.EqualFold(u.CommitEmail, e.Email)) {
		c := *u
		if strings.EqualFold(c.PublicEmail, e.Email) {
			c.PublicEmail = ""
		}
		if strings.EqualFold(c.CommitEmail, e.Email) {
			c.CommitEmail = ""
		}
		s.putUser(&c)
	}
	return nil
}
