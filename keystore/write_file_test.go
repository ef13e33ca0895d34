package keystore_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mtlscourier/courier/keystore"
)

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name     string
		existing bool
		mode     keystore.WriteMode
		want     string
		wantErr  error
	}{
		{name: "create", mode: keystore.CreateOnly, want: "new"},
		{name: "create refuses to overwrite", existing: true, mode: keystore.CreateOnly, want: "old", wantErr: keystore.ErrFileExists},
		{name: "replace", existing: true, mode: keystore.Replace, want: "new"},
		{name: "replace creates", mode: keystore.Replace, want: "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "store.jks")
			if tt.existing {
				require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
			}
			err := keystore.WriteFile(path, []byte("new"), tt.mode)
			require.ErrorIs(t, err, tt.wantErr)
			data, readErr := os.ReadFile(path)
			require.NoError(t, readErr)
			assert.Equal(t, tt.want, string(data))
			if tt.wantErr == nil {
				info, statErr := os.Stat(path)
				require.NoError(t, statErr)
				assert.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
			} else {
				require.ErrorIs(t, err, fs.ErrExist)
				assert.Contains(t, err.Error(), path)
			}
			files, readErr := os.ReadDir(dir)
			require.NoError(t, readErr)
			assert.Len(t, files, 1, "no temporary file is left behind")
		})
	}
}

func TestWriteFileMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "store.jks")
	err := keystore.WriteFile(path, []byte("x"), keystore.CreateOnly)
	require.ErrorIs(t, err, fs.ErrNotExist)
	assert.Contains(t, err.Error(), "keystore: write "+path)
}

func TestWriteFileUnknownMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.jks")
	require.Error(t, keystore.WriteFile(path, []byte("x"), keystore.WriteMode(7)))
	assert.NoFileExists(t, path)
}
