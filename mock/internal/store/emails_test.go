package store

import (
	"errors"
	"testing"
	"time"
)

func TestAddEmailKeepsTheAddressIndexCoherent(t *testing.T) {
	s := seeded(t)
	for _, taken := range []string{"ALICE@example.com", "bob@example.com", "alice.confirmed@example.com", "Alice.Pending@example.com"} {
		if _, err := s.AddEmail(Email{UserID: 5, Email: taken}); !errors.Is(err, ErrSecondaryEmailTaken) {
			t.Fatalf("%s: %v", taken, err)
		}
	}
	if _, err := s.AddEmail(Email{UserID: 99, Email: "x@x"}); !errors.Is(err, ErrUserNotFound) {
		t.Fatalf("missing user: %v", err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	confirmed, err := s.AddEmail(Email{UserID: 5, Email: "bob.c@example.com", ConfirmedAt: &now})
	if err != nil || confirmed.ID != 3 {
		t.Fatalf("add: %v %v", confirmed, err)
	}
	unconfirmed, _ := s.AddEmail(Email{UserID: 5, Email: "bob.u@example.com"})
	// User create and update see them: confirmed is a conflict, unconfirmed a validation error.
	if _, err := s.CreateUser(User{Username: "n", Email: "BOB.C@example.com"}); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("create with a confirmed secondary email: %v", err)
	}
	if _, err := s.CreateUser(User{Username: "n", Email: "bob.u@example.com"}); !errors.Is(err, ErrEmailTakenUnconfirmed) {
		t.Fatalf("create with an unconfirmed secondary email: %v", err)
	}
	if err := s.DeleteEmail(1, unconfirmed.ID); !errors.Is(err, ErrEmailNotFound) {
		t.Fatalf("delete through the wrong user: %v", err)
	}
	if err := s.DeleteEmail(5, unconfirmed.ID); err != nil || s.EmailTaken("bob.u@example.com") || s.Email(unconfirmed.ID) != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := s.CreateUser(User{Username: "n", Email: "bob.u@example.com"}); err != nil {
		t.Fatalf("a deleted address is free: %v", err)
	}
	if err := s.DeleteUser(5); err != nil || s.EmailTaken("bob.c@example.com") {
		t.Fatalf("deleting the owner frees its secondary emails: %v", err)
	}
}

func TestDeleteEmailUnsetsPublicAndCommitEmail(t *testing.T) {
	s := seeded(t)
	if _, err := s.UpdateUser(1, func(u *User) error {
		u.PublicEmail, u.CommitEmail = "alice.confirmed@example.com", "ALICE.CONFIRMED@example.com"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEmail(1, 1); err != nil {
		t.Fatal(err)
	}
	if u := s.User(1); u.PublicEmail != "" || u.CommitEmail != "" || u.Email != "alice@example.com" || s.UserByUsername("alice") != u {
		t.Fatalf("after delete: %+v", u)
	}
	if len(s.EmailsOf(1)) != 1 {
		t.Fatalf("emails %v", s.EmailsOf(1))
	}
}
