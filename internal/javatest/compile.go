package javatest

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

//go:embed MtlsServer.java
var serverSource []byte

// javaRelease is the class-file level: classes built for 17 run on any later
// JDK too, so one cache entry serves whichever java is on PATH.
const javaRelease = "17"

// mainClass is the class Start runs, and the file that marks a finished build.
const mainClass = "MtlsServer"

// compiled builds MtlsServer.java at most once per test process; later tests
// (and later processes, through the cache dir) reuse the classes.
var compiled = sync.OnceValues(func() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return compile(ctx, cacheRoot())
})

// cacheRoot is where compiled classes live between runs.
func cacheRoot() string {
	if dir, err := os.UserCacheDir(); err == nil {
		root := filepath.Join(dir, "courier-javatest")
		if os.MkdirAll(root, 0o755) == nil {
			return root
		}
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("courier-javatest-%d", os.Getuid()))
}

// compile returns the directory holding MtlsServer's classes under root,
// named after the hash of the source, and builds it when it is missing.
// It builds into a private temp dir and renames it into place, so that
// concurrent test processes never see a half-written class directory.
func compile(ctx context.Context, root string) (string, error) {
	sum := sha256.Sum256(append([]byte("release "+javaRelease+"\n"), serverSource...))
	dir := filepath.Join(root, hex.EncodeToString(sum[:8]))
	if built(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("javatest: create class cache: %w", err)
	}
	tmp, err := os.MkdirTemp(root, "build-*")
	if err != nil {
		return "", fmt.Errorf("javatest: create build dir: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed into place
	if err := javac(ctx, tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil && !built(dir) {
		return "", fmt.Errorf("javatest: install compiled classes: %w", err)
	}
	return dir, nil
}

// javac compiles the embedded source into dir.
func javac(ctx context.Context, dir string) error {
	src := filepath.Join(dir, mainClass+".java")
	if err := os.WriteFile(src, serverSource, 0o644); err != nil {
		return fmt.Errorf("javatest: write %s: %w", src, err)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "javac", "--release", javaRelease, "-d", dir, src)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("javatest: javac %s: %w (is the JDK 17 or later?)\n%s", mainClass+".java", err, out.Bytes())
	}
	return nil
}

func built(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, mainClass+".class"))
	return err == nil
}
