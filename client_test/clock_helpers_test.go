package client_test

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// testClock is a mock clock the test moves by hand (Options.Now).
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newClockMock serves the default fixtures on a hand-moved clock starting at
// start, with deterministic token values.
func newClockMock(t *testing.T, start time.Time) (*mock.Server, string, *testClock) {
	t.Helper()
	clk := &testClock{t: start}
	s, err := mock.New(mock.Options{Now: clk.now, TokenSeed: 5})
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL, clk
}

var clockStart = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
