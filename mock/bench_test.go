package mock

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/fixture"
	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// generatedServer is a server holding n generated users (see fixture.Generate).
func generatedServer(b *testing.B, n int) *Server {
	b.Helper()
	return newTestServer(b, Options{GenerateUsers: n})
}

// serve runs one request per iteration and fails on an unexpected status.
func serve(b *testing.B, s http.Handler, method, target, token string, want int) {
	b.Helper()
	r := httptest.NewRequest(method, "http://gitlab.test"+target, nil)
	r.Header.Set("PRIVATE-TOKEN", token)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != want {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

// BenchmarkGetUser measures GET /api/v4/users/:id as an admin, in-process,
// through the full router (auth, lookup, entity, JSON).
func BenchmarkGetUser(b *testing.B) {
	serve(b, newTestServer(b, Options{}), "GET", "/api/v4/users/1", rootToken, 200)
}

// BenchmarkListUsers measures one admin page of GET /api/v4/users (filter,
// sort, paginate) at 1k and 100k users.
func BenchmarkListUsers(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		s := generatedServer(b, n)
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			serve(b, s, "GET", "/api/v4/users?per_page=20&page=3", fixture.GenerateAdminToken, 200)
		})
		b.Run(fmt.Sprintf("users=%d/active_order_by_name", n), func(b *testing.B) {
			serve(b, s, "GET", "/api/v4/users?active=true&order_by=name&sort=asc&per_page=50", fixture.GenerateAdminToken, 200)
		})
		b.Run(fmt.Sprintf("users=%d/non_admin", n), func(b *testing.B) {
			serve(b, s, "GET", "/api/v4/users?per_page=20", "glpat-gen-2", 200)
		})
	}
}

// BenchmarkSearchUsers measures ?search= at 100k users.
func BenchmarkSearchUsers(b *testing.B) {
	s := generatedServer(b, 100_000)
	serve(b, s, "GET", "/api/v4/users?search=user09999", fixture.GenerateAdminToken, 200)
}

// BenchmarkCreateUser measures POST /api/v4/users.
func BenchmarkCreateUser(b *testing.B) {
	s := newTestServer(b, Options{})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		w := do(b, s, req{method: "POST", path: "/api/v4/users", token: rootToken,
			body: fmt.Sprintf(`{"email":"b%d@example.com","name":"B","username":"bench%d","reset_password":true}`, i, i)})
		if w.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

// BenchmarkReset measures a reset of a changed store holding 100k users.
func BenchmarkReset(b *testing.B) {
	s := generatedServer(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		s.store.UpdateUser(5, func(u *store.User) error { u.Bio = "changed"; return nil })
		s.store.Reset()
	}
}

// BenchmarkNewSessionStore measures forking a store from a 100k-user baseline.
func BenchmarkNewSessionStore(b *testing.B) {
	base := generatedServer(b, 100_000).store.Baseline()
	b.ReportAllocs()
	for b.Loop() {
		if store.NewFrom(base).UserCount() != 100_000 {
			b.Fatal("fork lost users")
		}
	}
}

// BenchmarkNew measures mock.New with the embedded default fixtures.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateSession measures starting and ending a session on a
// 100k-user baseline (copy-on-write: independent of the number of users).
func BenchmarkCreateSession(b *testing.B) {
	s := generatedServer(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		info, err := s.CreateSession(SessionOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if !s.EndSession(info.ID) {
			b.Fatal("EndSession")
		}
	}
}
