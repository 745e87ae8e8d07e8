// Package blob stores uploaded bytes behind congdanso.BlobStore: a directory
// (the default, or a shared directory for several instances) or an
// S3-compatible bucket.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	cds "github.com/caobang/congdanso"
)

// FileStore keeps each blob as a file under Dir.
type FileStore struct{ Dir string }

// NewFileStore creates the directory if needed.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &FileStore{Dir: dir}, nil
}

// validKey allows only generated keys, so a key can never walk out of Dir.
var validKey = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}(\.[a-z0-9]{1,8})?$`)

func (f *FileStore) path(key string) (string, error) {
	if !validKey.MatchString(key) {
		return "", cds.Errorf(cds.ENOTFOUND, "Không tìm thấy tệp.", "File not found.")
	}
	return filepath.Join(f.Dir, key), nil
}

// Put writes r to key atomically (temp file then rename).
func (f *FileStore) Put(_ context.Context, key string, r io.Reader, _ int64, _ string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(f.Dir, ".up-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Get opens key.
func (f *FileStore) Get(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, cds.Errorf(cds.ENOTFOUND, "Không tìm thấy tệp.", "File not found.")
	}
	return file, err
}

// Delete removes key (missing is fine).
func (f *FileStore) Delete(_ context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return nil
}
