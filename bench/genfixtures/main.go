// Command genfixtures writes a fixture document with N generated users (an
// admin plus users with SSH keys, secondary emails and tokens) for load
// tests: go run ./bench/genfixtures -users 100000 -o big.yaml
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gitlab-mock/gitlab-mock/mock"
)

func main() {
	users := flag.Int("users", 1000, "number of users (the first is the admin)")
	out := flag.String("o", "-", "output file (- for stdout)")
	flag.Parse()
	if err := run(*users, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genfixtures:", err)
		os.Exit(2)
	}
}

func run(users int, out string) error {
	if users < 1 {
		return fmt.Errorf("-users must be at least 1")
	}
	doc, err := mock.GenerateFixtures(users)
	if err != nil {
		return err
	}
	if out == "-" {
		_, err = os.Stdout.Write(doc)
		return err
	}
	return os.WriteFile(out, doc, 0o644)
}
