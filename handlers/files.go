package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

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
	mediaType, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" {
		writeError(c, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "send the file as multipart/form-data in the field file")
		return
	}
	if params["boundary"] == "" {
		writeError(c, http.StatusBadRequest, codeValidation, "the multipart/form-data Content-Type has no boundary")
		return
	}
	limit := h.App.MaxFileBytes()
	tooLarge := func() {
		writeError(c, http.StatusRequestEntityTooLarge, codeBodyTooLarge,
			fmt.Sprintf("the file is larger than %d bytes (%s), the limit of one upload", limit, app.ByteSize(limit)),
			FieldError{Field: "file", Message: "is too large"})
	}
	// The form around the file may add a little; the file itself is limited exactly by the use case.
	r := multipart.NewReader(http.MaxBytesReader(c.Writer, c.Request.Body, limit+64<<10), params["boundary"])
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
	f, err := h.App.UploadFile(c.Request.Context(), principalOf(c), part.FileName(), uploadReader{part})
	var (
		broken uploadError
		tooBig *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooBig):
		tooLarge()
	case errors.As(err, &broken):
		// The client sent a body that ends before the multipart form does, or breaks it.
		writeError(c, http.StatusBadRequest, codeValidation, "the upload broke off before the file's end: "+broken.err.Error(),
			FieldError{Field: "file", Message: "is incomplete"})
	case err != nil:
		h.fail(c, err)
	default:
		c.JSON(http.StatusCreated, f)
	}
}

// uploadError is a failure to read the request body of an upload: the client's, not ours.
type uploadError struct{ err error }

func (e uploadError) Error() string { return "reading the upload: " + e.err.Error() }
func (e uploadError) Unwrap() error { return e.err }

// uploadReader marks the read errors of a multipart part as the client's.
type uploadReader struct{ r io.Reader }

func (u uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	var tooBig *http.MaxBytesError
	if err != nil && !errors.Is(err, io.EOF) && !errors.As(err, &tooBig) {
		err = uploadError{err}
	}
	return n, err
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
	f, rd, err := h.App.File(c.Request.Context(), principalOf(c), id)
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
