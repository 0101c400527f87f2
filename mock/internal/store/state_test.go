package store

import (
	"testing"
	"time"
)

func TestFollowStatusAndServiceAccountsResetWithTheStore(t *testing.T) {
	s := seeded(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !s.Follow(1, 5) || s.Follow(1, 5) {
		t.Fatal("Follow: first must change, second must not")
	}
	if f, g := s.FollowCounts(5); f != 1 || g != 0 || !s.IsFollowing(1, 5) {
		t.Fatalf("counts %d %d", f, g)
	}
	s.SetStatus(1, UserStatus{Emoji: "coffee"})
	s.SetSupportPin(1, SupportPin{Pin: "123456", ExpiresAt: now.Add(time.Hour)})
	sa, err := s.CreateServiceAccount(User{Username: "sa", Name: "SA", Email: "sa@example.com", State: StateActive})
	if err != nil || !sa.Bot || len(s.ServiceAccounts()) != 1 {
		t.Fatalf("CreateServiceAccount: %v %v", sa, err)
	}
	fork := NewFrom(s.Baseline())
	if fork.IsFollowing(1, 5) || fork.Status(1) != nil {
		t.Fatal("a fork of the baseline sees another store's follows or status")
	}
	s.Reset()
	if s.IsFollowing(1, 5) || s.Status(1) != nil || s.SupportPin(1, now) != nil || len(s.ServiceAccounts()) != 0 || s.NextRunnerID() != 1 {
		t.Fatal("Reset kept extra state")
	}
}

func TestDeletedUsersDropOutOfFollowCounts(t *testing.T) {
	s := seeded(t)
	s.Follow(1, 5)
	if err := s.DeleteUser(1); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.FollowCounts(5); f != 0 || len(s.Followers(5)) != 0 {
		t.Fatalf("followers of 5 after deleting 1: %d", f)
	}
}

func TestTouchActivityWritesOncePerDay(t *testing.T) {
	s := seeded(t)
	day := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	s.TouchActivity(1, day)
	u := s.User(1)
	if u.LastActivityOn == nil || !u.LastActivityOn.Equal(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("last_activity_on %v", u.LastActivityOn)
	}
	s.TouchActivity(1, day.Add(time.Hour))
	if s.User(1) != u {
		t.Fatal("a second use on the same day wrote again")
	}
	s.TouchActivity(1, day.Add(24*time.Hour))
	if !s.User(1).LastActivityOn.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)) {
		t.Fatal("the next day's use was not recorded")
	}
}
