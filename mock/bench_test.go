package mock

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkGetUser measures GET /api/v4/users/:id as an admin, in-process,
// through the full router (auth, lookup, entity, JSON).
func BenchmarkGetUser(b *testing.B) {
	s := newTestServer(b, Options{})
	r := httptest.NewRequest(http.MethodGet, "http://gitlab.test/api/v4/users/1", nil)
	r.Header.Set("PRIVATE-TOKEN", rootToken)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkListUsers measures the default admin list page of GET /api/v4/users.
func BenchmarkListUsers(b *testing.B) {
	s := newTestServer(b, Options{})
	r := httptest.NewRequest(http.MethodGet, "http://gitlab.test/api/v4/users?per_page=20", nil)
	r.Header.Set("PRIVATE-TOKEN", rootToken)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
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
