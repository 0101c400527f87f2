package mock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/gitlab-mock/gitlab-mock/fixtures"
	"github.com/gitlab-mock/gitlab-mock/mock/internal/fixture"
	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
	"github.com/gitlab-mock/gitlab-mock/scenarios"
)

// ScenarioInfo describes a scenario in GET /-/mock/scenarios.
type ScenarioInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// ErrUnknownScenario is returned by ApplyScenario for a name no scenario has.
var ErrUnknownScenario = errors.New("unknown scenario")

// scenario is a parsed scenarios/NAME.yaml.
type scenario struct {
	name, description string
	baseline          *store.Baseline // nil: keep the instance's fixtures
	now               *time.Time
	faults            []Fault
}

// scenarioKeys are a scenario file's top-level keys; "users" is an inline
// fixture document.
var scenarioKeys = []string{"description", "fixtures", "now", "faults", "users"}

// loadScenarios reads every NAME.yaml (or .yml) of the scenario directory
// the options name (default: the embedded scenarios/).
func loadScenarios(opts Options) (map[string]*scenario, error) {
	var fsys fs.FS = scenarios.FS
	dir, display := ".", func(n string) string { return "scenarios/" + n }
	switch {
	case opts.ScenariosFS != nil:
		fsys, dir = opts.ScenariosFS, "."
		if opts.ScenariosDir != "" {
			dir = opts.ScenariosDir
		}
		display = func(n string) string { return path.Join(dir, n) }
	case opts.ScenariosDir != "":
		d := opts.ScenariosDir
		fsys, display = os.DirFS(d), func(n string) string { return filepath.Join(d, n) }
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	out := map[string]*scenario{}
	for _, e := range entries {
		ext := strings.ToLower(path.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		sc, err := parseScenario(display(e.Name()), data, opts)
		if err != nil {
			return nil, err
		}
		sc.name = strings.TrimSuffix(e.Name(), path.Ext(e.Name()))
		out[sc.name] = sc
	}
	return out, nil
}

// parseScenario decodes one scenario file; errors name file:line and field.
func parseScenario(file string, data []byte, opts Options) (*scenario, error) {
	errAt := func(line int, field, format string, args ...any) error {
		return &fixture.Error{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, errAt(0, "", "%s", strings.Join(te.Errors, "; "))
		}
		line, msg := yamlLine(strings.TrimPrefix(err.Error(), "yaml: "), 0)
		return nil, errAt(line, "", "%s", msg)
	}
	sc := &scenario{}
	if doc.Kind == 0 {
		return sc, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errAt(root.Line, "", "a scenario must be a mapping (description, fixtures, now, faults, users)")
	}
	var fixturesName string
	var fixturesLine int
	inline := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "description":
			if v.Kind != yaml.ScalarNode {
				return nil, errAt(v.Line, "description", "must be a string")
			}
			sc.description = v.Value
		case "fixtures":
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				return nil, errAt(v.Line, "fixtures", "must name a fixtures file")
			}
			fixturesName, fixturesLine = v.Value, v.Line
		case "now":
			t, err := time.Parse(time.RFC3339Nano, v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				return nil, errAt(v.Line, "now", "%q is not an RFC 3339 time", v.Value)
			}
			t = t.UTC()
			sc.now = &t
		case "faults":
			if v.Kind != yaml.SequenceNode {
				return nil, errAt(v.Line, "faults", "must be a list of fault rules")
			}
			for j, fn := range v.Content {
				f, err := parseFaultNode(fn)
				if err != nil {
					var fe *faultError
					if errors.As(err, &fe) {
						return nil, errAt(fe.line, fmt.Sprintf("faults[%d]", j), "%s", fe.msg)
					}
					return nil, errAt(fn.Line, fmt.Sprintf("faults[%d]", j), "%v", err)
				}
				sc.faults = append(sc.faults, f)
			}
		case "users":
			inline = true
		default:
			return nil, errAt(k.Line, k.Value, "unknown key (want one of %s)", strings.Join(scenarioKeys, ", "))
		}
	}
	var d *store.Data
	var err error
	switch {
	case inline && fixturesName != "":
		return nil, errAt(fixturesLine, "fixtures", "give either fixtures or inline users, not both")
	case inline:
		d, err = fixture.Parse(file, onlyKeys(data, root, "users"))
	case fixturesName != "":
		d, err = loadScenarioFixtures(fixturesName, opts)
		if err != nil {
			var fe *fixture.Error
			if !errors.As(err, &fe) {
				return nil, errAt(fixturesLine, "fixtures", "%v", err)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if d != nil {
		if sc.now != nil {
			d.Now = sc.now
		}
		b, err := store.NewBaseline(d)
		if err != nil {
			return nil, errAt(0, "", "%v", err)
		}
		sc.baseline = b
	}
	return sc, nil
}

// onlyKeys blanks the lines of every top-level section of data but keep, so
// the fixture parser sees only those keys, with their original line numbers.
func onlyKeys(data []byte, root *yaml.Node, keep ...string) []byte {
	lines := strings.Split(string(data), "\n")
	keys := root.Content
	for i := 0; i+1 < len(keys); i += 2 {
		if slices.Contains(keep, keys[i].Value) {
			continue
		}
		from := keys[i].Line - 1
		to := len(lines)
		if i+2 < len(keys) {
			to = keys[i+2].Line - 1
		}
		for l := from; l < to && l < len(lines); l++ {
			lines[l] = ""
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// loadScenarioFixtures loads a scenario's `fixtures:` file, relative to the
// fixtures directory (the embedded fixtures/ by default).
func loadScenarioFixtures(name string, opts Options) (*store.Data, error) {
	switch {
	case opts.FixturesFS != nil:
		dir := opts.FixturesPath
		if info, err := fs.Stat(opts.FixturesFS, dir); err != nil || !info.IsDir() {
			dir = path.Dir(dir)
		}
		return fixture.LoadFS(opts.FixturesFS, path.Join(dir, name))
	case opts.FixturesPath != "":
		dir := opts.FixturesPath
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			dir = filepath.Dir(dir)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if _, err := os.Stat(p); err == nil {
			return fixture.LoadPath(p)
		}
		if _, err := fs.Stat(fixtures.FS, name); err == nil {
			return fixture.LoadFS(fixtures.FS, name)
		}
		return fixture.LoadPath(p)
	default:
		return fixture.LoadFS(fixtures.FS, name)
	}
}

// scenarioSet returns the server's scenarios, loading them on first use.
func (s *Server) scenarioSet() (map[string]*scenario, error) {
	s.scenariosOnce.Do(func() { s.scenarios, s.scenariosErr = loadScenarios(s.opts) })
	return s.scenarios, s.scenariosErr
}

// Scenarios lists the scenarios this server knows, by name.
func (s *Server) Scenarios() []ScenarioInfo {
	scs, _ := s.scenarioSet()
	out := make([]ScenarioInfo, 0, len(scs))
	for _, sc := range scs {
		out = append(out, ScenarioInfo{Name: sc.name, Description: sc.description})
	}
	slices.SortFunc(out, func(a, b ScenarioInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ApplyScenario resets the instance to its baseline fixtures, then applies
// the named scenario: its fixtures, clock and fault rules. The start
// scenario (Options.Scenario, -scenario) is not applied underneath: the
// result is the baseline fixtures plus this scenario only, with the
// journal cleared and the token sequence restarted, as by Reset. A later
// Reset returns to the start configuration (Options.Scenario, if any).
func (s *Server) ApplyScenario(name string) error {
	scs, err := s.scenarioSet()
	if err != nil {
		return err
	}
	sc := scs[name]
	if sc == nil {
		return fmt.Errorf("%w %q", ErrUnknownScenario, name)
	}
	s.instance.gate.Lock()
	defer s.instance.gate.Unlock()
	s.resetLocked(s.instance, sc)
	return nil
}
