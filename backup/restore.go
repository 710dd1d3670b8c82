package backup

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// RestoreOptions says where a backup goes.
type RestoreOptions struct {
	DataDir string
	// Force replaces the databases and files of a data directory that is not empty.
	Force bool
	// Version is the running onewindow's, and Schema the newest migration it knows: a backup
	// of a newer schema is refused.
	Version string
	Schema  int
}

// ErrNotEmpty refuses a restore into a directory that holds something, without Force.
var ErrNotEmpty = errors.New("the data directory is not empty")

// Restore reads a backup from r into opts.DataDir: each database under its name, the
// uploaded files under files/. Everything is unpacked and checked beside the directory's
// contents first; nothing in it changes unless the whole backup is sound.
func Restore(r io.Reader, opts RestoreOptions) (*Summary, error) {
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	entries, err := os.ReadDir(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if len(entries) > 0 && !opts.Force {
		var names []string
		for _, e := range entries[:min(3, len(entries))] {
			names = append(names, e.Name())
		}
		return nil, fmt.Errorf("%w: %s holds %s: restore into an empty directory, or give --force to replace its databases and files",
			ErrNotEmpty, opts.DataDir, strings.Join(names, ", "))
	}
	stage, err := os.MkdirTemp(opts.DataDir, ".onewindow-restore-*")
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer os.RemoveAll(stage)
	s, err := unpack(r, stage, opts)
	if err != nil {
		return nil, err
	}
	for _, d := range s.Manifest.Databases {
		if err := quickCheck(filepath.Join(stage, d.Name)); err != nil {
			return nil, err
		}
	}
	// Replace what the backup holds; a database's WAL and shared memory go with it, for a
	// stale WAL beside a restored database would be read into it.
	var moves []string
	for _, d := range s.Manifest.Databases {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if err := os.RemoveAll(filepath.Join(opts.DataDir, d.Name+suffix)); err != nil {
				return nil, fmt.Errorf("restore: %w", err)
			}
		}
		moves = append(moves, d.Name)
	}
	if _, err := os.Stat(filepath.Join(stage, "files")); err == nil {
		if err := os.RemoveAll(filepath.Join(opts.DataDir, "files")); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		moves = append(moves, "files")
	}
	for _, name := range moves {
		if err := os.Rename(filepath.Join(stage, name), filepath.Join(opts.DataDir, name)); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	return s, nil
}

// unpack reads the archive into dir, checking the manifest first and every entry's hash
// against the trailer last.
func unpack(r io.Reader, dir string, opts RestoreOptions) (*Summary, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a onewindow backup (%v)", err)
	}
	tr := tar.NewReader(gz)
	s := &Summary{}
	sums := map[string]string{}
	last := "its start"
	for n := 0; ; n++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("the backup is truncated: it ends after %s without its closing checksums; take the backup again", last)
		}
		if err != nil {
			return nil, truncated(err, last)
		}
		switch {
		case n == 0 && h.Name != manifestName:
			return nil, fmt.Errorf("not a onewindow backup: it starts with %q", h.Name)
		case n == 0:
			sum, err := readJSON(tr, &s.Manifest)
			if err != nil {
				return nil, truncated(err, last)
			}
			if err := newer(s.Manifest, opts); err != nil {
				return nil, err
			}
			sums[h.Name] = sum
		case h.Name == trailerName:
			var t trailer
			if _, err := readJSON(tr, &t); err != nil {
				return nil, truncated(err, last)
			}
			if t.Entries != len(sums) {
				return nil, fmt.Errorf("the backup is damaged: it holds %d entries, its checksums name %d", len(sums), t.Entries)
			}
			for name, sum := range sums {
				if t.SHA256[name] != sum {
					return nil, fmt.Errorf("the backup is damaged: %s does not match its checksum", name)
				}
			}
			return s, nil
		default:
			target, err := entryPath(dir, h.Name, s.Manifest)
			if err != nil {
				return nil, err
			}
			sum, size, err := extract(tr, target)
			if err != nil {
				return nil, truncated(err, last)
			}
			sums[h.Name] = sum
			s.Bytes += size
			if strings.HasPrefix(h.Name, "files/") {
				s.Files++
			}
		}
		last = h.Name
	}
}

// truncated explains a read error: an archive cut short ends in an unexpected EOF.
func truncated(err error, last string) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("the backup is truncated: it breaks off after %s; take the backup again", last)
	}
	return fmt.Errorf("the backup cannot be read after %s: %w", last, err)
}

// newer refuses a backup this onewindow cannot read.
func newer(m Manifest, opts RestoreOptions) error {
	switch {
	case m.Format > Format:
		return fmt.Errorf("the backup is in format %d, written by onewindow %s; this onewindow (%s) reads format %d: restore it with onewindow %s or later",
			m.Format, m.Version, opts.Version, Format, m.Version)
	case opts.Schema > 0 && m.Schema > opts.Schema:
		return fmt.Errorf("the backup's database is at migration %04d, written by onewindow %s; this onewindow (%s) knows migrations up to %04d: restore it with onewindow %s or later",
			m.Schema, m.Version, opts.Version, opts.Schema, m.Version)
	case m.Format < 1 || len(m.Databases) == 0:
		return errors.New("not a onewindow backup: its manifest names no database")
	}
	return nil
}

// entryPath is where entry name goes under dir: a database the manifest names, or a file
// under files/; anything else (an absolute path, "..") is refused.
func entryPath(dir, name string, m Manifest) (string, error) {
	if db, ok := strings.CutPrefix(name, "db/"); ok {
		if slices.ContainsFunc(m.Databases, func(d DBInfo) bool { return d.Name == db }) && db == path.Base(db) {
			return filepath.Join(dir, db), nil
		}
	}
	if rel, ok := strings.CutPrefix(name, "files/"); ok && rel != "" && path.Clean(rel) == rel && !strings.HasPrefix(rel, "../") && !path.IsAbs(rel) {
		return filepath.Join(dir, "files", filepath.FromSlash(rel)), nil
	}
	return "", fmt.Errorf("the backup is damaged: it holds an entry %q that is neither a database it names nor an uploaded file", name)
}

// extract writes r to path and returns its SHA-256 and size.
func extract(r io.Reader, target string) (string, int64, error) {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return "", 0, err
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// readJSON decodes the entry r into v and returns the entry's SHA-256.
func readJSON(r io.Reader, v any) (string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return "", fmt.Errorf("%w: %v", io.ErrUnexpectedEOF, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// quickCheck runs SQLite's quick_check on a restored database.
func quickCheck(path string) error {
	db, err := openSQLite(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA quick_check`).Scan(&res); err != nil {
		return fmt.Errorf("check %s: %w", filepath.Base(path), err)
	}
	if res != "ok" {
		return fmt.Errorf("the backup's %s is damaged: %s", filepath.Base(path), res)
	}
	return nil
}
