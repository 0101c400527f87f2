package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

func seeded(t *testing.T) *Store {
	t.Helper()
	s := New()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	err := s.Load(&Data{
		Users: []User{
			{ID: 1, Username: "alice", Name: "Alice", Email: "alice@example.com", State: StateActive},
			{ID: 5, Username: "Bob", Name: "Bob", Email: "bob@example.com", State: StateActive},
		},
		Emails: []Email{
			{ID: 1, UserID: 1, Email: "alice.confirmed@example.com", ConfirmedAt: &at},
			{ID: 2, UserID: 1, Email: "alice.pending@example.com"},
		},
		Tokens: []Token{{ID: 3, UserID: 5, Token: "bobtoken", Scopes: []string{"api"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIDsContinueAfterTheHighestAndAreNeverReused(t *testing.T) {
	s := seeded(t)
	u, err := s.CreateUser(User{Username: "carol", Name: "C", Email: "carol@example.com"})
	if err != nil || u.ID != 6 {
		t.Fatalf("create: %v %v", u, err)
	}
	if err := s.DeleteUser(6); err != nil {
		t.Fatal(err)
	}
	u, _ = s.CreateUser(User{Username: "dave", Name: "D", Email: "dave@example.com"})
	if u.ID != 7 {
		t.Fatalf("id after delete = %d, want 7", u.ID)
	}
}

func TestEmailAndUsernameUniqueness(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    User
		want error
	}{
		{"primary email, other case", User{Username: "x", Email: "ALICE@example.com"}, ErrEmailTaken},
		{"confirmed secondary email", User{Username: "x", Email: "alice.confirmed@example.com"}, ErrEmailTaken},
		{"unconfirmed secondary email is a validation error", User{Username: "x", Email: "alice.pending@example.com"}, ErrEmailTakenUnconfirmed},
		{"username, other case", User{Username: "BOB", Email: "new@example.com"}, ErrUsernameTaken},
		{"email is checked before username", User{Username: "bob", Email: "alice@example.com"}, ErrEmailTaken},
		{"free", User{Username: "new", Email: "new@example.com"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(t)
			before := s.UserCount()
			_, err := s.CreateUser(tc.u)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want != nil && s.UserCount() != before {
				t.Fatal("a refused create stored a user")
			}
		})
	}
}

func TestUpdateUserIsAllOrNothing(t *testing.T) {
	s := seeded(t)
	_, err := s.UpdateUser(1, func(u *User) error { u.Name = "changed"; u.Username = "bob"; return nil })
	if !errors.Is(err, ErrUsernameTaken) {
		t.Fatalf("err = %v", err)
	}
	if got := s.User(1); got.Name != "Alice" || s.UserByUsername("alice") == nil {
		t.Fatalf("half-applied update: %+v", got)
	}
	u, err := s.UpdateUser(1, func(u *User) error { u.Username = "ALICE2"; return nil })
	if err != nil || s.UserByUsername("alice2") != u || s.UserByUsername("alice") != nil {
		t.Fatalf("rename: %v", err)
	}
}

func TestDeleteUserRemovesWhatItOwns(t *testing.T) {
	s := seeded(t)
	if err := s.DeleteUser(5); err != nil {
		t.Fatal(err)
	}
	if s.TokenByValue("bobtoken") != nil || s.UserByUsername("bob") != nil {
		t.Fatal("token or username index survived the delete")
	}
	if !errors.Is(s.DeleteUser(5), ErrUserNotFound) {
		t.Fatal("second delete should be not found")
	}
}

func TestLoadRejectsDuplicatesWithoutTouchingTheStore(t *testing.T) {
	s := seeded(t)
	err := s.Load(&Data{Users: []User{
		{ID: 1, Username: "a", Email: "a@x"},
		{ID: 2, Username: "A", Email: "b@x"},
	}})
	if !errors.Is(err, ErrUsernameTaken) || s.User(5) == nil {
		t.Fatalf("err = %v; store replaced: %v", err, s.User(5) == nil)
	}
}

func TestConcurrentReadsAndWrites(t *testing.T) {
	s := seeded(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				u, err := s.CreateUser(User{Username: fmt.Sprintf("u%d_%d", g, i), Email: fmt.Sprintf("u%d_%d@x", g, i)})
				if err != nil {
					t.Error(err)
					return
				}
				s.UpdateUser(u.ID, func(u *User) error { u.Bio = "b"; return nil })
				_ = s.Users()
				s.TouchToken(3, time.Now())
				if i%2 == 0 {
					s.DeleteUser(u.ID)
				}
			}
		}(g)
	}
	wg.Wait()
	if got := s.UserCount(); got != 2+8*25 {
		t.Fatalf("users = %d", got)
	}
}

func TestResetAndForkShareTheBaselineWithoutCrossTalk(t *testing.T) {
	s := seeded(t)
	other := NewFrom(s.Baseline())
	s.UpdateUser(1, func(u *User) error { u.Name = "changed"; return nil })
	s.DeleteUser(5)
	created, _ := s.CreateUser(User{Username: "new", Email: "new@x"})
	if other.User(1).Name != "Alice" || other.User(5) == nil || other.UserByUsername("new") != nil {
		t.Fatal("a store forked from the same baseline sees another's writes")
	}
	if created.ID != 6 {
		t.Fatalf("id %d", created.ID)
	}
	s.Reset()
	if s.User(1).Name != "Alice" || s.User(5) == nil || s.TokenByValue("bobtoken") == nil || s.UserByUsername("new") != nil || s.UserCount() != 2 {
		t.Fatal("reset did not return to the baseline")
	}
	again, _ := s.CreateUser(User{Username: "new", Email: "new@x"})
	if again.ID != 6 {
		t.Fatalf("id counters not reset: %d", again.ID)
	}
	if got := s.SSHKeysOf(1); len(got) != 0 {
		t.Fatalf("keys %v", got)
	}
	if len(s.EmailsOf(1)) != 2 || len(other.EmailsOf(1)) != 2 {
		t.Fatal("child index")
	}
}

func TestCowMap(t *testing.T) {
	m := newCowMap(map[string]int{"a": 1, "b": 2})
	m.set("a", 10)
	m.set("c", 3)
	m.del("b")
	m.del("zz")
	if v, _ := m.get("a"); v != 10 || m.len() != 2 {
		t.Fatalf("a=%d len=%d", v, m.len())
	}
	if _, ok := m.get("b"); ok {
		t.Fatal("deleted key visible")
	}
	m.set("b", 20)
	if v, _ := m.get("b"); v != 20 || m.len() != 3 || m.base["b"] != 2 {
		t.Fatal("re-set after delete")
	}
	seen := map[string]int{}
	m.each(func(k string, v int) bool { seen[k] = v; return true })
	if fmt.Sprint(seen) != "map[a:10 b:20 c:3]" {
		t.Fatalf("each %v", seen)
	}
	m.reset()
	seen = map[string]int{}
	m.each(func(k string, v int) bool { seen[k] = v; return true })
	if m.len() != 2 || fmt.Sprint(seen) != "map[a:1 b:2]" {
		t.Fatal("reset")
	}
}

// EachUserOrdered must agree with a plain sort of Users() after any mix of
// creates, renames and deletes on top of the baseline.
func TestEachUserOrderedMatchesASortAfterChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	d := &Data{}
	for i := 1; i <= 200; i++ {
		at := time.Date(2020, 1, 1+rng.IntN(30), 0, 0, 0, 0, time.UTC)
		d.Users = append(d.Users, User{ID: int64(i), Username: fmt.Sprintf("u%03d", rng.IntN(1000)*1000+i), Name: fmt.Sprintf("N%02d", rng.IntN(20)),
			Email: fmt.Sprintf("%d@x", i), CreatedAt: at, UpdatedAt: at})
	}
	s := New()
	if err := s.Load(d); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 150; i++ {
		switch rng.IntN(3) {
		case 0:
			s.CreateUser(User{Username: fmt.Sprintf("new%d", i), Name: fmt.Sprintf("N%02d", rng.IntN(20)), Email: fmt.Sprintf("new%d@x", i),
				CreatedAt: time.Date(2020, 1, 1+rng.IntN(30), 0, 0, 0, 0, time.UTC)})
		case 1:
			s.UpdateUser(int64(1+rng.IntN(200)), func(u *User) error { u.Name = fmt.Sprintf("N%02d", rng.IntN(20)); return nil })
		case 2:
			s.DeleteUser(int64(1 + rng.IntN(200)))
		}
	}
	for _, key := range []string{"id", "name", "username", "created_at", "updated_at"} {
		for _, desc := range []bool{false, true} {
			want := s.Users()
			slices.SortFunc(want, func(a, b *User) int {
				if desc {
					return CompareUsers(b, a, key)
				}
				return CompareUsers(a, b, key)
			})
			var got []*User
			s.EachUserOrdered(key, desc, func(u *User) bool { got = append(got, u); return true })
			if !slices.Equal(got, want) {
				t.Fatalf("%s desc=%v: order differs (%d vs %d users)", key, desc, len(got), len(want))
			}
		}
	}
}
