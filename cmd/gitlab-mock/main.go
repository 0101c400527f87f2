// Command gitlab-mock serves a GitLab-compatible mock of the REST v4 users API
// for integration tests: flags and environment -> mock.Options -> net/http,
// with a graceful shutdown on SIGINT/SIGTERM.
//
// Usage:
//
//	gitlab-mock [flags]
//	gitlab-mock healthcheck [-addr ADDR]
//
// Run "gitlab-mock -h" for the flags and their environment variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

// version is the binary's version, set at build time with
// -ldflags "-X main.version=...".
var version = "dev"

const (
	defaultAddr     = "127.0.0.1:8080"
	shutdownTimeout = 10 * time.Second
	healthTimeout   = 2 * time.Second
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure: cannot listen, unhealthy, ...
	exitUsage   = 2 // bad flags, bad environment, invalid fixtures
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// config is the parsed command line.
type config struct {
	addr         string
	fixtures     string
	generate     int // -generate-users: start with N generated users instead of fixtures
	tokenSeed    int64
	scenarios    string // scenario directory ("": the embedded scenarios/)
	scenario     string // applied at start and on every reset
	controlToken string // guards the control API; never logged
	externalURL  string
	compat       string // "" or "v3": also serve the legacy /api/v3
	gitlabVer    string // reported by /api/v4/version and /metadata
	logFormat    string
	logLevel     slog.Level
	showVersion  bool
}

// usageError is a bad flag or environment value: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "healthcheck" {
		return healthcheck(ctx, args[1:], getenv, stderr)
	}
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		printErr(stderr, "gitlab-mock", err)
		return exitUsage
	}
	if cfg.showVersion {
		fmt.Fprintf(stdout, "gitlab-mock %s (GitLab %s)\n", binaryVersion(), cfg.gitlabVer)
		return exitOK
	}
	logger := newLogger(cfg, stderr)
	srv, err := mock.New(mock.Options{
		FixturesPath:  cfg.fixtures,
		GenerateUsers: cfg.generate,
		TokenSeed:     cfg.tokenSeed,
		ExternalURL:   cfg.externalURL,
		Logger:        logger,
		CompatV3:      cfg.compat == "v3",
		GitLabVersion: cfg.gitlabVer,
		ScenariosDir:  cfg.scenarios,
		Scenario:      cfg.scenario,
		ControlToken:  cfg.controlToken,
	})
	if err != nil {
		if errors.Is(err, mock.ErrUnknownScenario) {
			err = fmt.Errorf("-scenario: %w", err)
		}
		printErr(stderr, "gitlab-mock", err)
		return exitUsage
	}
	tuneGC(getenv)
	return serve(ctx, cfg, srv, logger, stdout, stderr)
}

// serve listens on cfg.addr and serves h until ctx is done.
func serve(ctx context.Context, cfg config, h http.Handler, logger *slog.Logger, stdout, stderr io.Writer) int {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		printErr(stderr, "gitlab-mock", err)
		return exitFailure
	}
	url := "http://" + ln.Addr().String()
	// The first line on stdout: scripts and tests read the picked port here.
	fmt.Fprintf(stdout, "listening on %s\n", url)
	logger.Info("gitlab-mock started",
		"url", url,
		"version", binaryVersion(),
		"gitlab_version", cfg.gitlabVer,
		"fixtures", fixturesName(cfg.fixtures),
		"compat", cfg.compat,
		"control_token_set", cfg.controlToken != "",
		"scenario", cfg.scenario,
	)

	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// A request holds its instance's reset gate while it is answered; a
		// client that stops reading must not hold it (and every reset) for
		// ever. Long enough for any fault delay or requests/wait a test sets.
		WriteTimeout: 10 * time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	select {
	case err := <-served:
		// Serve only returns early on a listener failure.
		printErr(stderr, "gitlab-mock", err)
		return exitFailure
	case <-ctx.Done():
	}

	logger.Info("shutting down", "timeout", shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		printErr(stderr, "gitlab-mock", fmt.Errorf("shutdown: %w", err))
		return exitFailure
	}
	<-served // http.ErrServerClosed
	logger.Info("stopped")
	return exitOK
}

// envFlag binds a flag to the environment variable that fills it when the
// flag is not given on the command line.
type envFlag struct {
	flag, env string
}

var envFlags = []envFlag{
	{"addr", "GITLAB_MOCK_ADDR"},
	{"fixtures", "GITLAB_MOCK_FIXTURES"},
	{"generate-users", "GITLAB_MOCK_GENERATE_USERS"},
	{"token-seed", "GITLAB_MOCK_TOKEN_SEED"},
	{"scenarios", "GITLAB_MOCK_SCENARIOS"},
	{"scenario", "GITLAB_MOCK_SCENARIO"},
	{"control-token", "GITLAB_MOCK_CONTROL_TOKEN"},
	{"external-url", "GITLAB_MOCK_EXTERNAL_URL"},
	{"compat", "GITLAB_MOCK_COMPAT"},
	{"gitlab-version", "GITLAB_MOCK_GITLAB_VERSION"},
	{"log-format", "GITLAB_MOCK_LOG_FORMAT"},
	{"log-level", "GITLAB_MOCK_LOG_LEVEL"},
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	var logLevel string
	fs := flag.NewFlagSet("gitlab-mock", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", defaultAddr, `listen `+"`address`"+`; ":0" picks a free port (env GITLAB_MOCK_ADDR)`)
	fs.StringVar(&cfg.fixtures, "fixtures", "", "fixture YAML `path`, a file or a directory (env GITLAB_MOCK_FIXTURES; default: the embedded fixtures/default.yaml)")
	fs.IntVar(&cfg.generate, "generate-users", 0, "start with `N` generated users (SSH keys, emails, tokens; admin token "+mock.GeneratedAdminToken+") instead of fixtures, for load tests (env GITLAB_MOCK_GENERATE_USERS)")
	fs.Int64Var(&cfg.tokenSeed, "token-seed", 0, "non-zero `seed`: created tokens get the same values on every run and after every reset (env GITLAB_MOCK_TOKEN_SEED; default: random)")
	fs.StringVar(&cfg.scenarios, "scenarios", "", "scenario `directory` of NAME.yaml files (env GITLAB_MOCK_SCENARIOS; default: the embedded scenarios/)")
	fs.StringVar(&cfg.scenario, "scenario", "", "apply the scenario `name` at start and on every reset (env GITLAB_MOCK_SCENARIO)")
	fs.StringVar(&cfg.controlToken, "control-token", "", "require this `token` in the X-Gitlab-Mock-Token header of control calls (/-/mock/...) (env GITLAB_MOCK_CONTROL_TOKEN; default: the control API is open, do not expose the mock)")
	fs.StringVar(&cfg.externalURL, "external-url", "", "`URL` used in web_url, avatar_url and Link headers (env GITLAB_MOCK_EXTERNAL_URL; default: each request's scheme and host)")
	fs.StringVar(&cfg.compat, "compat", "", "`v3`: also serve the legacy /api/v3 of the older GitLab docs (env GITLAB_MOCK_COMPAT; default: /api/v3 answers 410 as modern GitLab)")
	fs.StringVar(&cfg.gitlabVer, "gitlab-version", mock.DefaultGitLabVersion, "GitLab `version` reported by /api/v4/version and /api/v4/metadata (env GITLAB_MOCK_GITLAB_VERSION)")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log `format` on stderr: text or json (env GITLAB_MOCK_LOG_FORMAT)")
	fs.StringVar(&logLevel, "log-level", "info", "log `level`: debug, info, warn or error (env GITLAB_MOCK_LOG_LEVEL)")
	fs.BoolVar(&cfg.showVersion, "version", false, "print the version and exit")

	// The flag package prints its error and the whole usage text on a bad
	// flag; we want one line, so it writes nowhere and we print the error.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(fs, stderr)
			return cfg, err
		}
		return cfg, usageError{err}
	}
	if fs.NArg() > 0 {
		return cfg, usagef("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	if cfg.showVersion {
		return cfg, nil
	}

	// Flags win over the environment.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	source := map[string]string{} // flag name -> where its value came from
	for _, ef := range envFlags {
		source[ef.flag] = "-" + ef.flag
		if set[ef.flag] {
			continue
		}
		if v := getenv(ef.env); v != "" {
			if err := fs.Set(ef.flag, v); err != nil {
				return cfg, usagef("%s: %v", ef.env, err)
			}
			source[ef.flag] = ef.env
		}
	}

	if cfg.addr == "" {
		return cfg, usagef("%s: empty address", source["addr"])
	}
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return cfg, usagef("%s: %v", source["addr"], err)
	}
	if cfg.fixtures != "" {
		if _, err := os.Stat(cfg.fixtures); err != nil {
			return cfg, usagef("%s: %v", source["fixtures"], err)
		}
	}
	if cfg.generate < 0 || (cfg.generate > 0 && cfg.fixtures != "") {
		return cfg, usagef("%s: want a positive number of users, and no -fixtures", source["generate-users"])
	}
	if cfg.scenarios != "" {
		fi, err := os.Stat(cfg.scenarios)
		if err != nil {
			return cfg, usagef("%s: %v", source["scenarios"], err)
		}
		if !fi.IsDir() {
			return cfg, usagef("%s: %s is not a directory", source["scenarios"], cfg.scenarios)
		}
	}
	switch cfg.compat {
	case "", "v3":
	default:
		return cfg, usagef("%s: unknown compatibility layer %q (want v3)", source["compat"], cfg.compat)
	}
	if !validGitLabVersion(cfg.gitlabVer) {
		return cfg, usagef("%s: %q is not a GitLab version (want MAJOR.MINOR.PATCH, e.g. %s)", source["gitlab-version"], cfg.gitlabVer, mock.DefaultGitLabVersion)
	}
	switch cfg.logFormat {
	case "text", "json":
	default:
		return cfg, usagef("%s: unknown log format %q (want text or json)", source["log-format"], cfg.logFormat)
	}
	switch strings.ToLower(logLevel) {
	case "debug":
		cfg.logLevel = slog.LevelDebug
	case "info":
		cfg.logLevel = slog.LevelInfo
	case "warn", "warning":
		cfg.logLevel = slog.LevelWarn
	case "error":
		cfg.logLevel = slog.LevelError
	default:
		return cfg, usagef("%s: unknown log level %q (want debug, info, warn or error)", source["log-level"], logLevel)
	}
	return cfg, nil
}

func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "gitlab-mock %s: a GitLab-compatible mock server for integration tests\n\n", binaryVersion())
	fmt.Fprintf(w, "Usage:\n  gitlab-mock [flags]\n  gitlab-mock healthcheck [-addr ADDR]\n\nFlags (a flag wins over its environment variable):\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// healthcheck is "gitlab-mock healthcheck [-addr ADDR]": GET /-/readiness,
// exit 0 on 200 and 1 otherwise. It needs no shell or curl, so a FROM-scratch
// container can use it as its HEALTHCHECK.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	const name = "gitlab-mock healthcheck"
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	addr := fs.String("addr", "", "`address` of the mock (env GITLAB_MOCK_ADDR, default "+defaultAddr+")")
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "Usage: %s [-addr ADDR]\n\nExits 0 if GET http://ADDR/-/readiness answers 200, 1 otherwise.\n\n", name)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return exitOK
		}
		printErr(stderr, name, err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		printErr(stderr, name, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
		return exitUsage
	}
	a := *addr
	if a == "" {
		a = getenv("GITLAB_MOCK_ADDR")
	}
	if a == "" {
		a = defaultAddr
	}
	target, err := dialAddr(a)
	if err != nil {
		printErr(stderr, name, err)
		return exitUsage
	}
	url := "http://" + target + "/-/readiness"

	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		printErr(stderr, name, err)
		return exitUsage
	}
	// No proxy from the environment: the mock is reached directly.
	client := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		printErr(stderr, name, err)
		return exitFailure
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		printErr(stderr, name, fmt.Errorf("GET %s: %s", url, resp.Status))
		return exitFailure
	}
	return exitOK
}

// dialAddr turns a listen address into one to connect to: an empty or
// unspecified host (":8080", "0.0.0.0:8080", "[::]:8080") means this machine.
func dialAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-addr: %v", err)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// validGitLabVersion accepts what GitLab reports: MAJOR.MINOR.PATCH with an
// optional suffix such as "-ee" or "-pre".
func validGitLabVersion(v string) bool {
	core, _, _ := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 || strings.TrimSpace(v) != v {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// printErr writes err as exactly one line.
func printErr(w io.Writer, prefix string, err error) {
	var parts []string
	for _, line := range strings.Split(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	fmt.Fprintf(w, "%s: %s\n", prefix, strings.Join(parts, "; "))
}

func fixturesName(path string) string {
	if path == "" {
		return "embedded default"
	}
	return path
}

// binaryVersion is version, or the module version when built with
// "go install ...@vX" and no -ldflags.
func binaryVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// tuneGC sets the collector for a mock's workload once the fixtures are
// loaded, unless GOGC or GOMEMLIMIT say otherwise. Parsing big fixtures
// leaves far more garbage than the state it built, so that is handed back
// to the OS first. A mock's live heap is then mostly that state, and its
// work makes short-lived garbage: collecting at 5x the live heap instead of
// 2x buys about a fifth more throughput (make loadtest), and a soft memory
// limit of 1.5x the state plus 32 MB keeps big states (100k users) within
// their memory budget.
func tuneGC(getenv func(string) string) {
	debug.FreeOSMemory()
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(int64(m.HeapAlloc)*3/2 + 32<<20)
}
