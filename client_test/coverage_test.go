package client_test

// Method coverage: every method of UsersService and PersonalAccessTokensService
// in both go-gitlab modules must be called by at least one client test.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	xgitlab "github.com/xanzy/go-gitlab"
	cgitlab "gitlab.com/gitlab-org/api/client-go"
)

const (
	modX = "github.com/xanzy/go-gitlab"
	modC = "gitlab.com/gitlab-org/api/client-go"
)

// serviceMethods lists the exported methods of the named field's type of a
// client struct: a pointer to a service struct (X) or an interface (C).
func serviceMethods(t *testing.T, client any, field string) []string {
	t.Helper()
	f, ok := reflect.TypeOf(client).Elem().FieldByName(field)
	if !ok {
		t.Fatalf("%T has no field %s", client, field)
	}
	var out []string
	for i := 0; i < f.Type.NumMethod(); i++ {
		out = append(out, f.Type.Method(i).Name)
	}
	slices.Sort(out)
	return out
}

// calledMethods scans this package's test sources for calls of the form
// <expr>.<service>.<Method>(...) and returns, per gitlab module, the set of
// "service.Method" called. A file's calls count for the gitlab modules it
// imports.
func calledMethods(t *testing.T, services ...string) map[string]map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{modX: {}, modC: {}}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		var mods []string
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == modX || p == modC {
				mods = append(mods, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			method, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			svc, ok := method.X.(*ast.SelectorExpr)
			if !ok || !slices.Contains(services, svc.Sel.Name) {
				return true
			}
			for _, m := range mods {
				out[m][svc.Sel.Name+"."+method.Sel.Name] = true
			}
			return true
		})
	}
	return out
}

func TestEveryUsersAndTokenServiceMethodHasAClientTest(t *testing.T) {
	services := []string{"Users", "PersonalAccessTokens"}
	called := calledMethods(t, services...)
	type row struct {
		name       string
		inX, inC   bool
		covX, covC bool
	}
	var rows []row
	index := map[string]int{}
	add := func(mod string, svc string, methods []string) {
		for _, m := range methods {
			key := svc + "." + m
			i, ok := index[key]
			if !ok {
				i = len(rows)
				index[key] = i
				rows = append(rows, row{name: key})
			}
			if mod == modX {
				rows[i].inX, rows[i].covX = true, called[modX][key]
			} else {
				rows[i].inC, rows[i].covC = true, called[modC][key]
			}
		}
	}
	for _, svc := range services {
		add(modX, svc, serviceMethods(t, &xgitlab.Client{}, svc))
		add(modC, svc, serviceMethods(t, &cgitlab.Client{}, svc))
	}
	slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.name, b.name) })

	mark := func(in, cov bool) string {
		switch {
		case !in:
			return "-"
		case cov:
			return "yes"
		}
		return "MISSING"
	}
	var b strings.Builder
	var missing []string
	total, covered := 0, 0
	fmt.Fprintf(&b, "\n%-62s %-8s %-8s\n", "method", "xanzy", "client-go")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-62s %-8s %-8s\n", r.name, mark(r.inX, r.covX), mark(r.inC, r.covC))
		for _, c := range []struct {
			in, cov bool
			mod     string
		}{{r.inX, r.covX, "xanzy"}, {r.inC, r.covC, "client-go"}} {
			if !c.in {
				continue
			}
			total++
			if c.cov {
				covered++
			} else {
				missing = append(missing, c.mod+" "+r.name)
			}
		}
	}
	fmt.Fprintf(&b, "covered %d of %d (module, method) pairs", covered, total)
	t.Log(b.String())
	if len(missing) > 0 {
		t.Errorf("%d methods have no client test calling them:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}
