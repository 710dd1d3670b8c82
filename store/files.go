package store

// Uploaded files: the materials of cases reference them. The bytes live on disk under the data
// directory (Blobs), named by the file's id; the files table holds the name, the sniffed
// content type, the size and the SHA-256 of the content.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// FileInfo is an uploaded file as the API shows it.
type FileInfo struct {
	ID          string    `db:"id" json:"id" example:"01jd5q3k8m0000000000000200"`
	Name        string    `db:"name" json:"name" example:"营业执照.pdf"`
	ContentType string    `db:"content_type" json:"contentType" example:"application/pdf"`
	Size        int64     `db:"size" json:"size" example:"184320"`
	SHA256      string    `db:"sha256" json:"sha256" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	Path        string    `db:"path" json:"-"`
	UploadedBy  string    `db:"uploaded_by" json:"uploadedBy"`
	UploadedAt  time.Time `db:"uploaded_at" json:"uploadedAt"`
}

const fileColumns = `f.id, f.name, f.content_type, f.size, f.sha256, f.path, f.uploaded_by, f.uploaded_at`

// CreateFile records an uploaded file whose bytes are stored at f.Path.
func CreateFile(ctx context.Context, q Q, f *FileInfo) error {
	if f.ID == "" {
		f.ID = NewID()
	}
	if f.UploadedAt.IsZero() {
		f.UploadedAt = Now()
	}
	f.UploadedAt = Time(f.UploadedAt)
	_, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO files (id, name, content_type, size, sha256, path, uploaded_by, uploaded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), f.ID, f.Name, f.ContentType, f.Size, f.SHA256, f.Path, f.UploadedBy, f.UploadedAt)
	return classify(err, "record file %s", f.Name)
}

// GetFile returns the file with id, or ErrNotFound.
func GetFile(ctx context.Context, q Q, id string) (*FileInfo, error) {
	var f FileInfo
	if err := q.GetContext(ctx, &f, q.Rebind(`SELECT `+fileColumns+` FROM files f WHERE f.id = ?`), id); err != nil {
		return nil, classify(err, "file %s", id)
	}
	return &f, nil
}

// FileCases lists the ids of the cases whose materials or result documents reference file id.
func FileCases(ctx context.Context, q Q, id string) ([]string, error) {
	var ids []string
	err := q.SelectContext(ctx, &ids, q.Rebind(`SELECT m.case_id FROM case_material_files mf
		JOIN case_materials m ON m.id = mf.material_id WHERE mf.file_id = ?
		UNION SELECT d.case_id FROM case_documents d WHERE d.file_id = ? ORDER BY 1`), id, id)
	if err != nil {
		return nil, fmt.Errorf("cases of file %s: %w", id, err)
	}
	return ids, nil
}

// Blobs stores the bytes of uploaded files under Dir (the data directory's files/).
type Blobs struct{ Dir string }

// ErrTooLarge is returned by Blobs.Put when the content is longer than its limit.
var ErrTooLarge = errors.New("the file is larger than the limit")

// Blob is what Blobs.Put stored.
type Blob struct {
	// Path is relative to Blobs.Dir.
	Path   string
	Size   int64
	SHA256 string
	// Head holds the first bytes, for content sniffing.
	Head []byte
}

// Put copies r into a new blob named by id, hashing it on the way, and fails with ErrTooLarge
// (leaving nothing behind) when r holds more than limit bytes.
func (b Blobs) Put(id string, r io.Reader, limit int64) (*Blob, error) {
	if len(id) < 4 {
		return nil, fmt.Errorf("blob id %q too short", id)
	}
	rel := filepath.Join(id[len(id)-2:], id)
	full := filepath.Join(b.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return nil, fmt.Errorf("store file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".upload-*")
	if err != nil {
		return nil, fmt.Errorf("store file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	head := &headWriter{max: 8192}
	n, err := io.Copy(io.MultiWriter(tmp, h, head), io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("store file: %w", err)
	}
	if n > limit {
		return nil, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("store file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("store file: %w", err)
	}
	if err := os.Rename(tmp.Name(), full); err != nil {
		return nil, fmt.Errorf("store file: %w", err)
	}
	done = true
	return &Blob{Path: rel, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Head: head.buf}, nil
}

// Open opens the blob at path (relative to Dir).
func (b Blobs) Open(path string) (*os.File, error) {
	f, err := os.Open(filepath.Join(b.Dir, filepath.Clean("/"+path)))
	if err != nil {
		return nil, fmt.Errorf("open stored file: %w", err)
	}
	return f, nil
}

// Remove deletes the blob at path; a missing blob is not an error.
func (b Blobs) Remove(path string) error {
	err := os.Remove(filepath.Join(b.Dir, filepath.Clean("/"+path)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stored file: %w", err)
	}
	return nil
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	buf []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
