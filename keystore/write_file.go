package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrFileExists: WriteFile was asked to create a file that is already there.
// errors.Is(ErrFileExists, fs.ErrExist) is true.
var ErrFileExists error = &childError{msg: "file already exists", parent: fs.ErrExist}

// WriteMode says what WriteFile does with a file that exists.
type WriteMode int

const (
	// CreateOnly refuses to replace a file: ErrFileExists.
	CreateOnly WriteMode = iota
	// Replace replaces the file, atomically: readers see the old file or the new one.
	Replace
)

// WriteFile writes a keystore (or any secret) to path with mode 0600, atomically: into a
// temporary file beside it, synced, then renamed over path (Replace) or linked to it
// (CreateOnly, so that a file created meanwhile is not clobbered either). A failed write
// leaves path as it was and no temporary file behind.
func WriteFile(path string, data []byte, mode WriteMode) error {
	if mode != CreateOnly && mode != Replace {
		return fmt.Errorf("keystore: write %s: unknown write mode %d", path, mode)
	}
	if err := writeFile(path, data, mode); err != nil {
		return fmt.Errorf("keystore: write %s: %w", path, err)
	}
	return nil
}

func writeFile(path string, data []byte, mode WriteMode) error {
	if mode == CreateOnly {
		if _, err := os.Lstat(path); err == nil {
			return existsError()
		}
	}
	dir := filepath.Dir(path)
	tmp, err := writeTemp(dir, filepath.Base(path), data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // gone already after a rename; the spare name after a link
	if mode == Replace {
		err = os.Rename(tmp, path)
	} else {
		err = link(tmp, path)
	}
	if err != nil {
		return unwrapPath(err)
	}
	syncDir(dir)
	return nil
}

// writeTemp writes data into a new file of dir with mode 0600, synced, and returns its path.
func writeTemp(dir, base string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", unwrapPath(err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o600) // CreateTemp's 0600 already; said again so no umask or platform decides
	}
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", unwrapPath(err)
	}
	return f.Name(), nil
}

// link gives tmp the name path unless path exists. Where hard links are not supported, it
// falls back to checking and renaming, which leaves a small window for a race.
func link(tmp, path string) error {
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return existsError()
	}
	if _, statErr := os.Lstat(path); statErr == nil {
		return existsError()
	}
	return os.Rename(tmp, path)
}

func existsError() error {
	return fmt.Errorf("%w; choose another name, or replace it explicitly", ErrFileExists)
}

// syncDir makes the new directory entry durable, where the platform can: not every one opens
// or syncs directories, and the rename is done all the same.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	_ = d.Sync()
}

// unwrapPath drops the temporary file's name from an error: the message names path already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}
