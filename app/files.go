package app

// Uploaded files: materials' scans and documents. The type is sniffed from the content, the
// size limited, the SHA-256 kept; the uploader, and whoever may see a case that references a
// file, may read it.

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"unicode"

	"github.com/jmoiron/sqlx"

	"onewindow/store"
)

// Codes of the file use cases.
const (
	CodeFileType     = "unsupported_file_type" // the content is not one of the accepted types
	CodeFileTooLarge = "body_too_large"        // above the size limit
)

// Content types of the files applicants and clerks may upload, as sniffed from the content.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeOFD  = "application/ofd" // GB/T 33190 电子文件版式文档, a zip holding OFD.xml
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// AcceptedTypes names the accepted types for people.
const AcceptedTypes = "PDF, JPEG, PNG, OFD, DOCX or XLSX"

// UploadFile stores the content r of a file called name for the actor. A read error of r
// is returned as it is (wrapped), so that the caller can tell a broken upload from a fault
// here.
func (a *App) UploadFile(ctx context.Context, p *Actor, name string, r io.Reader) (*store.FileInfo, error) {
	name = cleanFileName(name)
	id := store.NewID()
	blob, err := a.blobs.Put(id, r, a.cfg.MaxFileBytes)
	switch {
	case errors.Is(err, store.ErrTooLarge):
		return nil, a.tooLarge()
	case err != nil:
		return nil, fmt.Errorf("upload %s: %w", name, err)
	}
	if blob.Size == 0 {
		_ = a.blobs.Remove(blob.Path)
		return nil, store.Invalid("file", "the file is empty")
	}
	ctype, err := a.sniff(blob)
	if err != nil {
		_ = a.blobs.Remove(blob.Path)
		return nil, refuse(Unsupported, CodeFileType, "%s: %v; upload %s", name, err, AcceptedTypes).onField("file")
	}
	f := &store.FileInfo{ID: id, Name: name, ContentType: ctype, Size: blob.Size, SHA256: blob.SHA256, Path: blob.Path,
		UploadedBy: p.UserID, UploadedAt: a.now()}
	err = a.change(ctx, func(tx *sqlx.Tx, out *Outbox) error {
		out.Audit(p, "file.upload", "", "file:"+id, f)
		return store.CreateFile(ctx, tx, f)
	})
	if err != nil {
		_ = a.blobs.Remove(blob.Path)
		return nil, err
	}
	return f, nil
}

// tooLarge refuses an upload above the limit, naming it.
func (a *App) tooLarge() error {
	n := a.cfg.MaxFileBytes
	return refuse(TooLarge, CodeFileTooLarge, "the file is larger than %d bytes (%s), the limit of one upload", n, ByteSize(n)).onField("file")
}

// sniff returns the content type of a stored blob, or why it is not accepted.
func (a *App) sniff(b *store.Blob) (string, error) {
	switch t := http.DetectContentType(b.Head); {
	case t == TypePDF, t == TypeJPEG, t == TypePNG:
		return t, nil
	case t == "application/zip":
		return a.sniffZip(b)
	default:
		kind, _, _ := strings.Cut(t, ";")
		return "", fmt.Errorf("the content is %s", kind)
	}
}

// sniffZip tells OFD, DOCX and XLSX apart by the entries of the zip.
func (a *App) sniffZip(b *store.Blob) (string, error) {
	f, err := a.blobs.Open(b.Path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	z, err := zip.NewReader(f, b.Size)
	if err != nil {
		return "", errors.New("the content is a damaged zip archive")
	}
	for _, e := range z.File {
		switch e.Name {
		case "OFD.xml":
			return TypeOFD, nil
		case "word/document.xml":
			return TypeDOCX, nil
		case "xl/workbook.xml":
			return TypeXLSX, nil
		}
	}
	return "", errors.New("the content is a zip archive, but not an OFD, DOCX or XLSX document")
}

// cleanFileName keeps the last element of an uploaded file's name, without control or format
// characters, at most 255 bytes.
func cleanFileName(s string) string {
	s = path.Base(strings.ReplaceAll(s, `\`, "/"))
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	for len(s) > 255 {
		_, size := lastRune(s)
		s = s[:len(s)-size]
	}
	if s == "" || s == "." || s == "/" {
		return "file"
	}
	return s
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// ByteSize writes n bytes for people (20 MiB).
func ByteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// File opens a file the actor may read: its uploader, or whoever may see a case referencing
// it. Anyone else is answered as if there were no such file. The caller closes the content.
func (a *App) File(ctx context.Context, p *Actor, id string) (*store.FileInfo, *os.File, error) {
	f, err := store.GetFile(ctx, a.db, id)
	if err != nil {
		return nil, nil, err
	}
	ok, err := a.maySeeFile(ctx, p, f)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("file %s: %w", id, store.ErrNotFound)
	}
	rd, err := a.blobs.Open(f.Path)
	if err != nil {
		return nil, nil, err
	}
	return f, rd, nil
}

// maySeeFile: the uploader, or an actor who may see a case referencing the file.
func (a *App) maySeeFile(ctx context.Context, p *Actor, f *store.FileInfo) (bool, error) {
	if f.UploadedBy == p.UserID {
		return true, nil
	}
	cases, err := store.FileCases(ctx, a.db, f.ID)
	if err != nil || len(cases) == 0 {
		return false, err
	}
	scope, err := a.caseScope(ctx, p)
	if err != nil {
		return false, err
	}
	for _, id := range cases {
		ok, err := store.CanSeeCase(ctx, a.db, scope, id)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
