// Package mock is gitlab-mock: an in-memory, stateful fake of GitLab's REST v4
// users API. A *Server is an http.Handler; serve it with net/http/httptest in
// Go tests or with net/http in the gitlab-mock binary.
package mock

import (
	"bytes"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	gojson "github.com/goccy/go-json"

	"github.com/gitlab-mock/gitlab-mock/fixtures"
	"github.com/gitlab-mock/gitlab-mock/mock/internal/fixture"
	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// DefaultGitLabVersion is the GitLab release the mock reports by default.
const DefaultGitLabVersion = "18.5.1"

// DefaultMaxBodyBytes caps request bodies; larger ones get 413.
const DefaultMaxBodyBytes = 1 << 20

// Options configure a Server. The zero value serves the embedded default
// fixtures on real time.
type Options struct {
	// Fixtures is a fixture document (YAML or JSON). It wins over
	// FixturesPath and FixturesFS.
	Fixtures []byte
	// FixturesPath is a fixture file or a directory of fixture files.
	FixturesPath string
	// FixturesFS with FixturesPath names a file or directory inside an fs.FS.
	FixturesFS fs.FS
	// Empty starts with no users at all (ignored when fixtures are given).
	Empty bool
	// SessionTTL ends sessions idle for longer (wall time). Zero:
	// DefaultSessionTTL.
	SessionTTL time.Duration
	// MaxSessions caps live sessions; creating one more answers 429. Zero:
	// DefaultMaxSessions.
	MaxSessions int
	// GenerateUsers, when positive, starts with that many generated users
	// instead of fixtures (see GenerateFixtures): for load tests.
	GenerateUsers int

	// ExternalURL is the base of web_url, avatar_url and Link headers, e.g.
	// "https://gitlab.example.com". Empty: the scheme and host of each request.
	ExternalURL string
	// Now is the mock clock. Nil: real time, unless the fixtures set `now:`.
	Now func() time.Time
	// Logger receives one line per request (never with secrets). Nil: discard.
	Logger *slog.Logger
	// MaxBodyBytes caps request bodies (413 beyond). Zero: DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// GitLabVersion is reported by /api/v4/version. Empty: DefaultGitLabVersion.
	GitLabVersion string
	// CompatV3 also serves the legacy /api/v3 of the older GitLab docs (see
	// v3.go). Off: /api/v3/* answers 410 as modern GitLab does, except GET
	// /api/v3/user.
	CompatV3 bool
	// TokenSeed, when non-zero, makes the values of created tokens a
	// deterministic sequence (per server). Zero: random values.
	TokenSeed int64

	// Scenario is applied at start and on every reset (see ApplyScenario).
	Scenario string
	// ScenariosDir is a directory of scenario files (NAME.yaml); with
	// ScenariosFS, a directory inside it. Default: the embedded scenarios/.
	ScenariosDir string
	// ScenariosFS holds the scenario files (at ScenariosDir, or its root).
	ScenariosFS fs.FS
	// ControlToken, if set, is required in the X-Gitlab-Mock-Token header of
	// every control call (/-/mock/...). Empty: the control API is open.
	ControlToken string
	// JournalSize is how many requests the journal keeps (oldest dropped
	// first). Zero: DefaultJournalSize.
	JournalSize int
}

// Server is one mock GitLab instance. Many may run in one process; they share
// nothing.
type Server struct {
	opts          Options
	external      *url.URL // nil: derive from each request
	logger        *slog.Logger
	engine        *gin.Engine
	*instance                          // the root instance: store, clock, faults, journal (control.go)
	scenarios     map[string]*scenario // scenarios.go: loaded once, by scenarioSet
	scenariosOnce sync.Once
	scenariosErr  error
	controlToken  string
	gitlabVersion string
	maxBody       int64
	tokenGen      *tokenGen
	sessions      *sessions // sessions.go; nil in a session's own Server
	renders       renderCache

	mu     sync.Mutex
	panics int64
}

// New builds a Server from opts, loading its fixtures.
func New(opts Options) (*Server, error) {
	s := &Server{
		opts:          opts,
		logger:        opts.Logger,
		gitlabVersion: opts.GitLabVersion,
		maxBody:       opts.MaxBodyBytes,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.gitlabVersion == "" {
		s.gitlabVersion = DefaultGitLabVersion
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if opts.ExternalURL != "" {
		u, err := url.Parse(strings.TrimRight(opts.ExternalURL, "/"))
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("external URL %q: want scheme://host[:port][/path]", opts.ExternalURL)
		}
		s.external = u
	}
	b, err := loadBaseline(opts)
	if err != nil {
		return nil, err
	}
	if err := s.initControl(b); err != nil {
		return nil, err
	}
	s.tokenGen = newTokenGen(opts.TokenSeed)
	s.sessions = newSessions(opts)
	s.engine = s.routes()
	return s, nil
}

// defaultBaseline is the embedded default fixtures, parsed once per
// process. A Baseline is immutable (every server forks it copy-on-write), so
// sharing it between servers shares no mutable state; it only spares each
// mock.New the YAML parse.
var defaultBaseline = sync.OnceValues(func() (*store.Baseline, error) {
	data, err := fixture.LoadFS(fixtures.FS, fixtures.Default)
	if err != nil {
		return nil, err
	}
	return store.NewBaseline(data)
})

func loadBaseline(opts Options) (*store.Baseline, error) {
	data, err := loadFixtures(opts)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return defaultBaseline()
	}
	b, err := store.NewBaseline(data)
	if err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	return b, nil
}

// loadFixtures reads the fixtures opts name; nil data means the embedded
// defaults.
func loadFixtures(opts Options) (*store.Data, error) {
	switch {
	case opts.Fixtures != nil:
		return fixture.Parse("fixtures", opts.Fixtures)
	case opts.FixturesPath != "" && opts.FixturesFS != nil:
		return fixture.LoadFS(opts.FixturesFS, opts.FixturesPath)
	case opts.FixturesPath != "":
		return fixture.LoadPath(opts.FixturesPath)
	case opts.GenerateUsers > 0:
		return fixture.Generate(opts.GenerateUsers, generatedEpoch)
	case opts.Empty:
		return &store.Data{}, nil
	}
	return nil, nil
}

// ServeHTTP serves the GitLab API and the mock's own endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveSession(w, r) {
		return
	}
	s.engine.ServeHTTP(w, r)
}

// Now returns the mock clock's current time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// writeJSON sends v with GitLab's exact content type (Gin would add
// "; charset=utf-8", which some clients reject).
func writeJSON(c *gin.Context, status int, v any) {
	b, err := encodeJSON(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"500 Internal Server Error"}`)
	}
	c.Data(status, "application/json", b)
}

// encodeJSON encodes v as GitLab does: no HTML escaping, no trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(2048) // one allocation for a typical entity
	// goccy/go-json is encoding/json's behaviour (tags, omitempty, Marshaler
	// and TextMarshaler, sorted map keys) without its reflection cost: JSON
	// encoding is most of a request's CPU.
	enc := gojson.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Rails does not escape <, > and &
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
