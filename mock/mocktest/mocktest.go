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

// Option changes how a server starts: the mock.Options it is built with,
// or what is done to it before it serves.
type Option func(*config)

// config is what the options build.
type config struct {
	opts   mock.Options
	frozen *time.Time // WithNow: the clock is set here after mock.New
}

// WithOptions starts from o instead of the zero Options (earlier options are
// dropped; later options still apply on top).
func WithOptions(o mock.Options) Option { return func(c *config) { *c = config{opts: o} } }

// WithFixtures starts from a fixture document (YAML or JSON).
func WithFixtures(doc []byte) Option { return func(c *config) { c.opts.Fixtures = doc } }

// WithFixturesFS starts from a fixture file or directory inside fsys.
func WithFixturesFS(fsys fs.FS, path string) Option {
	return func(c *config) { c.opts.FixturesFS, c.opts.FixturesPath = fsys, path }
}

// WithScenario applies a scenario at start and on every reset.
func WithScenario(name string) Option { return func(c *config) { c.opts.Scenario = name } }

// WithNow freezes the mock clock at t: it stays there (GET /-/mock/clock
// says frozen) until the test sets or advances it. A reset returns the
// clock to t (Options.Now).
func WithNow(t time.Time) Option {
	return func(c *config) {
		c.opts.Now = func() time.Time { return t }
		c.frozen = &t
	}
}

// WithControlToken requires token on the HTTP control API.
func WithControlToken(token string) Option {
	return func(c *config) { c.opts.ControlToken = token }
}

// WithJournalSize sets how many requests the journal keeps.
func WithJournalSize(n int) Option { return func(c *config) { c.opts.JournalSize = n } }

// Start builds a mock with opts, serves it on a local port and closes it
// when the test ends. A bad option (invalid fixtures, unknown scenario)
// fails the test at once.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var c config
	for _, opt := range opts {
		opt(&c)
	}
	m, err := mock.New(c.opts)
	if err != nil {
		t.Fatalf("mocktest.Start: %v", err)
	}
	if c.frozen != nil {
		m.Clock().Set(*c.frozen)
	}
	hs := httptest.NewServer(m)
	t.Cleanup(hs.Close)
	return &Server{Server: m, URL: hs.URL, AdminToken: m.AdminToken(), HTTP: hs}
}
