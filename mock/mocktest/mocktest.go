// Package mocktest starts gitlab-mock servers for Go tests:
//
//	srv := mocktest.Start(t)                                  // default fixtures
//	client, _ := gitlab.NewClient(srv.AdminToken, gitlab.WithBaseURL(srv.URL))
//	srv.AddFault(mock.Fault{Match: mock.FaultMatch{Path: "/api/v4/users"}, Error: mock.FaultBadGateway, Times: 2})
//
// Each server is its own httptest.Server and mock.Server, closed by
// t.Cleanup; many may run in one process (in parallel tests too) and share
// nothing.
package mocktest

import (
	"io/fs"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// Server is a running mock. The embedded *mock.Server is the Go control API
// (Reset, AddFault, Requests, WaitFor, ApplyScenario, Clock, ...).
type Server struct {
	*mock.Server
	// URL is the base URL of the mock, e.g. http://127.0.0.1:41234: give it
	// to a client as its base URL (clients add /api/v4/).
	URL string
	// AdminToken is an administrator's token with the api scope (and sudo,
	// if the fixtures have one): 9koXpg98eAheJpvBs5tK for the default
	// fixtures. Empty if the fixtures have no admin token.
	AdminToken string
	// HTTP is the underlying test server.
	HTTP *httptest.Server
}

// Option changes the mock.Options a server starts with.
type Option func(*mock.Options)

// WithOptions starts from o instead of the zero Options (later options
// still apply on top).
func WithOptions(o mock.Options) Option { return func(opts *mock.Options) { *opts = o } }

// WithFixtures starts from a fixture document (YAML or JSON).
func WithFixtures(doc []byte) Option { return func(o *mock.Options) { o.Fixtures = doc } }

// WithFixturesFS starts from a fixture file or directory inside fsys.
func WithFixturesFS(fsys fs.FS, path string) Option {
	return func(o *mock.Options) { o.FixturesFS, o.FixturesPath = fsys, path }
}

// WithScenario applies a scenario at start and on every reset.
func WithScenario(name string) Option { return func(o *mock.Options) { o.Scenario = name } }

// WithNow freezes the mock clock at t (until the test moves it).
func WithNow(t time.Time) Option {
	return func(o *mock.Options) { o.Now = func() time.Time { return t } }
}

// WithControlToken requires token on the HTTP control API.
func WithControlToken(token string) Option { return func(o *mock.Options) { o.ControlToken = token } }

// WithJournalSize sets how many requests the journal keeps.
func WithJournalSize(n int) Option { return func(o *mock.Options) { o.JournalSize = n } }

// Start builds a mock with opts, serves it on a local port and closes it
// when the test ends. A bad option (invalid fixtures, unknown scenario)
// fails the test at once.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var o mock.Options
	for _, opt := range opts {
		opt(&o)
	}
	m, err := mock.New(o)
	if err != nil {
		t.Fatalf("mocktest.Start: %v", err)
	}
	hs := httptest.NewServer(m)
	t.Cleanup(hs.Close)
	return &Server{Server: m, URL: hs.URL, AdminToken: m.AdminToken(), HTTP: hs}
}
