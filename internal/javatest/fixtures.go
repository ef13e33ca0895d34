package javatest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fixtureDir is where the committed keytool fixtures live, from the repo root.
const fixtureDir = "testdata/keytool"

// errNoModule means no go.mod was found above the working directory.
var errNoModule = errors.New("no go.mod above the working directory")

// Fixture returns the absolute path of the keytool fixture name (for example
// "client-rsa.jks") under testdata/keytool at the root of the module, found
// by walking up from the test's working directory to go.mod. It fails the
// test when the root or the file is missing.
func Fixture(tb testing.TB, name string) string {
	tb.Helper()
	path, err := fixture(name)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

func fixture(name string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("javatest: fixture %s: %w", name, err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return "", fmt.Errorf("javatest: fixture %s: %w", name, err)
	}
	path := filepath.Join(root, filepath.FromSlash(fixtureDir), name)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("javatest: fixture %s: %w (generate the keytool fixtures in %s)", name, err, fixtureDir)
	}
	return path, nil
}

// moduleRoot walks up from dir to the first folder holding go.mod.
func moduleRoot(dir string) (string, error) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errNoModule
		}
		dir = parent
	}
}
