package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Format is the archive format this package writes and the newest it reads.
const Format = 1

// An archive is a gzipped tar: the manifest first, then db/NAME for each database, then
// files/... for each uploaded file, then the trailer with every entry's SHA-256. A restore
// checks the manifest before anything else (a newer format or schema is refused at once) and
// the trailer after everything (a truncated archive has none).
const (
	manifestName = "onewindow-backup.json"
	trailerName  = "onewindow-backup.sha256.json"
)

// Manifest describes a backup.
type Manifest struct {
	Format    int       `json:"format"`
	Version   string    `json:"version"` // the onewindow that wrote it
	Schema    int       `json:"schema"`  // the application database's latest migration
	CreatedAt time.Time `json:"createdAt"`
	Databases []DBInfo  `json:"databases"`
	// LockedMillis is how long the server's writers waited while the snapshot began.
	LockedMillis float64 `json:"lockedMillis"`
}

// DBInfo names a database in the archive.
type DBInfo struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Size int64  `json:"size"`
}

type trailer struct {
	Entries int               `json:"entries"`
	SHA256  map[string]string `json:"sha256"`
}

// Options says what to back up.
type Options struct {
	Databases []Database
	// FilesDir holds the uploaded files ("" or missing: none).
	FilesDir string
	// Version is the running onewindow's.
	Version string
}

// Summary is what a backup or restore did.
type Summary struct {
	Manifest Manifest
	Files    int
	Bytes    int64
}

// Create writes a backup of the deployment opts names to out.
func Create(ctx context.Context, opts Options, out io.Writer) (*Summary, error) {
	tmp, err := os.MkdirTemp("", "onewindow-backup-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	held, err := snapshot(ctx, opts.Databases, tmp)
	if err != nil {
		return nil, err
	}
	m := Manifest{Format: Format, Version: opts.Version, CreatedAt: time.Now().UTC(), LockedMillis: float64(held.Microseconds()) / 1000}
	for _, d := range opts.Databases {
		st, err := os.Stat(filepath.Join(tmp, d.Name))
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		m.Databases = append(m.Databases, DBInfo{Name: d.Name, Role: d.Role, Size: st.Size()})
		if d.Role == "app" {
			if m.Schema, err = schemaOf(filepath.Join(tmp, d.Name)); err != nil {
				return nil, err
			}
		}
	}
	w := newWriter(out)
	if err := w.json(manifestName, m); err != nil {
		return nil, err
	}
	for _, d := range opts.Databases {
		if err := w.file("db/"+d.Name, filepath.Join(tmp, d.Name)); err != nil {
			return nil, err
		}
	}
	files := 0
	if opts.FilesDir != "" {
		// Files are written before the row that names them commits and never changed after,
		// so every file the snapshot names is there now; half-written uploads are skipped.
		err := filepath.WalkDir(opts.FilesDir, func(path string, e fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && path == opts.FilesDir {
				return fs.SkipDir
			}
			if err != nil || e.IsDir() || strings.HasPrefix(e.Name(), ".upload-") {
				return err
			}
			rel, err := filepath.Rel(opts.FilesDir, path)
			if err != nil {
				return err
			}
			files++
			return w.file("files/"+filepath.ToSlash(rel), path)
		})
		if err != nil {
			return nil, fmt.Errorf("backup files: %w", err)
		}
	}
	if err := w.close(); err != nil {
		return nil, err
	}
	return &Summary{Manifest: m, Files: files, Bytes: w.bytes}, nil
}

// schemaOf reads the latest migration applied to an application database.
func schemaOf(path string) (int, error) {
	db, err := openSQLite(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var v sql.NullInt64
	if err := db.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema of %s: %w", path, err)
	}
	return int(v.Int64), nil
}

// writer writes tar entries through gzip, hashing each.
type writer struct {
	gz    *gzip.Writer
	tw    *tar.Writer
	sums  map[string]string
	n     int
	bytes int64
	err   error
}

func newWriter(out io.Writer) *writer {
	gz, _ := gzip.NewWriterLevel(out, gzip.BestSpeed)
	return &writer{gz: gz, tw: tar.NewWriter(gz), sums: map[string]string{}}
}

func (w *writer) entry(name string, size int64, r io.Reader) error {
	if err := w.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w.tw, h), r)
	if err != nil {
		return fmt.Errorf("backup %s: %w", name, err)
	}
	if n != size {
		return fmt.Errorf("backup %s: %d bytes, expected %d (the file changed while it was read)", name, n, size)
	}
	w.sums[name] = hex.EncodeToString(h.Sum(nil))
	w.n++
	w.bytes += n
	return nil
}

func (w *writer) json(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return w.entry(name, int64(len(data)), strings.NewReader(string(data)))
}

func (w *writer) file(name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup %s: %w", name, err)
	}
	return w.entry(name, st.Size(), f)
}

// close writes the trailer and ends the archive.
func (w *writer) close() error {
	t := trailer{Entries: w.n, SHA256: w.sums}
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := w.tw.WriteHeader(&tar.Header{Name: trailerName, Mode: 0o644, Size: int64(len(data)), ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := w.tw.Write(data); err != nil {
		return err
	}
	if err := w.tw.Close(); err != nil {
		return err
	}
	return w.gz.Close()
}
