package handlers

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"onewindow/store"
)

// Error codes of the files API.
const (
	codeFileType = "unsupported_file_type" // 415: the content is not one of the accepted types
)

// Content types of the files applicants and clerks may upload, as sniffed from the content.
const (
	typePDF  = "application/pdf"
	typeJPEG = "image/jpeg"
	typePNG  = "image/png"
	typeOFD  = "application/ofd" // GB/T 33190 电子文件版式文档, a zip holding OFD.xml
	typeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	typeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

var acceptedTypes = "PDF, JPEG, PNG, OFD, DOCX or XLSX"

func (h *api) fileRoutes(public, authed *gin.RouterGroup) {
	authed.POST("/files", h.uploadFile)
	authed.GET("/files/:id", h.downloadFile)
}

// uploadFile godoc
//
//	@Summary		Upload a file (a material's scan or document)
//	@Description	Send one file as multipart/form-data in the field `file`. Its type is sniffed from the
//	@Description	content (the name and declared type do not count): PDF, JPEG, PNG, OFD (GB/T 33190), DOCX or
//	@Description	XLSX. Its SHA-256 is stored. Reference it by id in the materials of a case
//	@Description	(POST /api/v1/cases) or of a supplement. Only the uploader, and whoever may see a case that
//	@Description	references it, may download it.
//	@Tags			files
//	@Accept			mpfd
//	@Produce		json
//	@Security		BearerAuth
//	@Param			file	formData	file	true	"the file"
//	@Success		201		{object}	store.FileInfo
//	@Failure		400		{object}	ErrorResponse	"no file, or a malformed upload"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		413		{object}	ErrorResponse	"code body_too_large: above the size limit (20 MiB by default)"
//	@Failure		415		{object}	ErrorResponse	"code unsupported_file_type, or unsupported_media_type when not multipart"
//	@Router			/api/v1/files [post]
func (h *api) uploadFile(c *gin.Context) {
	p := principalOf(c)
	mediaType, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		writeError(c, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "send the file as multipart/form-data in the field file")
		return
	}
	if params["boundary"] == "" {
		writeError(c, http.StatusBadRequest, codeValidation, "the multipart/form-data Content-Type has no boundary")
		return
	}
	tooLarge := func() {
		writeError(c, http.StatusRequestEntityTooLarge, codeBodyTooLarge,
			fmt.Sprintf("the file is larger than %d bytes (%s), the limit of one upload", h.MaxFileBytes, byteSize(h.MaxFileBytes)),
			FieldError{Field: "file", Message: "is too large"})
	}
	// The form around the file may add a little; the file itself is limited exactly below.
	r := multipart.NewReader(http.MaxBytesReader(c.Writer, c.Request.Body, h.MaxFileBytes+64<<10), params["boundary"])
	var part *multipart.Part
	for {
		part, err = r.NextPart()
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			writeError(c, http.StatusBadRequest, codeValidation, "no file in the upload: send it in the form field file",
				FieldError{Field: "file", Message: "is required"})
			return
		case errors.As(err, &tooBig):
			tooLarge()
			return
		case err != nil:
			writeError(c, http.StatusBadRequest, codeValidation, "the multipart body could not be read: "+err.Error())
			return
		}
		if part.FormName() == "file" && part.FileName() != "" {
			break
		}
	}
	name := cleanFileName(part.FileName())
	id := store.NewID()
	blob, err := h.blobs.Put(id, part, h.MaxFileBytes)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, store.ErrTooLarge), errors.As(err, &tooBig):
		tooLarge()
		return
	case err != nil && strings.Contains(err.Error(), "multipart"):
		writeError(c, http.StatusBadRequest, codeValidation, "the multipart body could not be read: "+err.Error())
		return
	case err != nil:
		h.fail(c, err)
		return
	}
	if blob.Size == 0 {
		_ = h.blobs.Remove(blob.Path)
		writeError(c, http.StatusBadRequest, codeValidation, "the file is empty", FieldError{Field: "file", Message: "is empty"})
		return
	}
	ctype, err := h.sniff(blob)
	if err != nil {
		_ = h.blobs.Remove(blob.Path)
		writeError(c, http.StatusUnsupportedMediaType, codeFileType, fmt.Sprintf("%s: %v; upload %s", name, err, acceptedTypes),
			FieldError{Field: "file", Message: "is not " + acceptedTypes})
		return
	}
	f := &store.FileInfo{ID: id, Name: name, ContentType: ctype, Size: blob.Size, SHA256: blob.SHA256, Path: blob.Path,
		UploadedBy: p.UserID, UploadedAt: h.Now()}
	if err := store.CreateFile(c.Request.Context(), h.DB, f); err != nil {
		_ = h.blobs.Remove(blob.Path)
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, f)
}

// sniff returns the content type of a stored blob, or why it is not accepted.
func (h *api) sniff(b *store.Blob) (string, error) {
	switch t := http.DetectContentType(b.Head); {
	case t == typePDF, t == typeJPEG, t == typePNG:
		return t, nil
	case t == "application/zip":
		return h.sniffZip(b)
	default:
		kind, _, _ := strings.Cut(t, ";")
		return "", fmt.Errorf("the content is %s", kind)
	}
}

// sniffZip tells OFD, DOCX and XLSX apart by the entries of the zip.
func (h *api) sniffZip(b *store.Blob) (string, error) {
	f, err := h.blobs.Open(b.Path)
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
			return typeOFD, nil
		case "word/document.xml":
			return typeDOCX, nil
		case "xl/workbook.xml":
			return typeXLSX, nil
		}
	}
	return "", errors.New("the content is a zip archive, but not an OFD, DOCX or XLSX document")
}

// cleanFileName keeps the last element of an uploaded file's name, without control
// characters, at most 255 bytes.
func cleanFileName(s string) string {
	s = path.Base(strings.ReplaceAll(s, `\`, "/"))
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
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

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// downloadFile godoc
//
//	@Summary		Download a file
//	@Description	Streams the file with its sniffed content type. Its uploader, and whoever may see a case
//	@Description	whose materials reference it, may download it; anyone else gets 404.
//	@Tags			files
//	@Produce		application/pdf
//	@Produce		image/jpeg
//	@Produce		image/png
//	@Produce		octet-stream
//	@Security		BearerAuth
//	@Param			id	path		string	true	"file id"
//	@Success		200	{file}		binary
//	@Failure		400	{object}	ErrorResponse
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/files/{id} [get]
func (h *api) downloadFile(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	f, err := store.GetFile(ctx, h.DB, id)
	if err == nil {
		var allowed bool
		if allowed, err = h.maySeeFile(ctx, principalOf(c), f); err == nil && !allowed {
			err = fmt.Errorf("file %s: %w", id, store.ErrNotFound)
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	rd, err := h.blobs.Open(f.Path)
	if err != nil {
		h.fail(c, err)
		return
	}
	defer rd.Close()
	c.Header("Content-Type", f.ContentType)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("ETag", `"`+f.SHA256+`"`)
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	http.ServeContent(c.Writer, c.Request, "", f.UploadedAt, rd)
}

// maySeeFile: the uploader, or a caller who may see a case referencing the file.
func (h *api) maySeeFile(ctx context.Context, p *Principal, f *store.FileInfo) (bool, error) {
	if f.UploadedBy == p.UserID {
		return true, nil
	}
	cases, err := store.FileCases(ctx, h.DB, f.ID)
	if err != nil || len(cases) == 0 {
		return false, err
	}
	scope, err := h.caseScope(ctx, p)
	if err != nil {
		return false, err
	}
	for _, id := range cases {
		ok, err := store.CanSeeCase(ctx, h.DB, scope, id)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
