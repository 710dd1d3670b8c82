package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"onewindow/app"
	"onewindow/definitions"
	"onewindow/store"
)

// Limits of a deployment. One file may hold definitions.MaxSize bytes; a
// multipart upload of several files maxDeployBytes in all.
const (
	maxDeployBytes = 32 << 20
	maxDeployFiles = 20
	maxFileName    = 255
)

// Error codes of the definitions API.
const (
	codeTooLarge          = "body_too_large"         // 413: a file or the upload is above its limit
	codeUnsupportedMedia  = "unsupported_media_type" // 415: neither XML nor multipart/form-data
	codeInvalidDefinition = "invalid_definition"     // 422: see problems
)

func (h *api) definitionRoutes(public, authed *gin.RouterGroup) {
	g := authed.Group("/definitions", requireRole(store.RoleDesigner, store.RoleAdmin))
	g.POST("", h.deployDefinitions)
	g.GET("", h.listDefinitions)
	g.GET("/:key/versions", h.listDefinitionVersions)
	g.GET("/:key/versions/:version", h.getDefinitionVersion)
	g.GET("/:key/versions/:version/xml", h.getDefinitionXML)
	g.POST("/:key/versions/:version/publish", h.publishDefinition)
}

// DefinitionProblemsResponse is the 422 answer of a deployment: every problem
// of every file, errors and warnings. Nothing was stored.
type DefinitionProblemsResponse struct {
	Error    ErrorBody         `json:"error"`
	Problems []app.FileProblem `json:"problems"`
}

// deployDefinitions godoc
//
//	@Summary		Deploy BPMN and DMN files (designer, admin)
//	@Description	Send one BPMN 2.0 or DMN file as the raw body (Content-Type application/xml or text/xml;
//	@Description	its name in the query parameter fileName), or one or several files as multipart/form-data
//	@Description	(a process, the processes its call activities name and the .dmn files of the decisions
//	@Description	its business rule tasks evaluate). Each BPMN file must validate as executable; its
//	@Description	executable process is stored byte for byte under the process id (kind bpmn). Each
//	@Description	decision of a .dmn file is stored under the decision's id (kind dmn), the file byte for
//	@Description	byte; its imports must name .dmn files deployed along or published. The same content
//	@Description	again returns the existing version (200); changed content becomes the next version, a
//	@Description	draft (201). A call activity must name a process, a business rule task a decision,
//	@Description	deployed in the same request or already published. Any error in any file answers 422
//	@Description	with every problem of every file, and nothing is stored. Limits: 10 MiB per file,
//	@Description	32 MiB and 20 files per upload.
//	@Tags			definitions
//	@Accept			application/xml
//	@Accept			xml
//	@Accept			mpfd
//	@Produce		json
//	@Security		BearerAuth
//	@Param			file		formData	file	false	"a BPMN or DMN file (repeat the field for several)"
//	@Param			fileName	query		string	false	"the file name of a raw XML body"
//	@Success		200			{object}	app.Deployment	"every file was already stored"
//	@Success		201			{object}	app.Deployment	"at least one new version"
//	@Failure		400			{object}	ErrorResponse	"no file, or a malformed upload"
//	@Failure		401			{object}	ErrorResponse
//	@Failure		403			{object}	ErrorResponse
//	@Failure		413			{object}	ErrorResponse	"code too_large"
//	@Failure		415			{object}	ErrorResponse	"code unsupported_media_type"
//	@Failure		422			{object}	DefinitionProblemsResponse	"code invalid_definition"
//	@Router			/api/v1/definitions [post]
func (h *api) deployDefinitions(c *gin.Context) {
	files, ok := readDefinitionFiles(c)
	if !ok {
		return
	}
	dep, err := h.App.DeployDefinitions(c.Request.Context(), principalOf(c), files)
	var bad *app.DefinitionProblems
	if errors.As(err, &bad) {
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, DefinitionProblemsResponse{
			Error: ErrorBody{Code: codeInvalidDefinition, Message: bad.Message}, Problems: bad.Problems})
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	status := http.StatusOK
	if dep.DeploymentID != "" {
		status = http.StatusCreated
	}
	c.JSON(status, dep)
}

// readDefinitionFiles reads the uploaded BPMN files of a deployment, or
// answers 400, 413 or 415 and returns false.
func readDefinitionFiles(c *gin.Context) ([]app.DeployFile, bool) {
	mediaType, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch {
	case err != nil && c.GetHeader("Content-Type") == "":
		writeError(c, http.StatusUnsupportedMediaType, codeUnsupportedMedia,
			"send BPMN XML with Content-Type application/xml or text/xml, or files as multipart/form-data")
		return nil, false
	case err != nil:
		writeError(c, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "the Content-Type header cannot be read: "+err.Error())
		return nil, false
	case mediaType == "multipart/form-data":
		return readMultipartFiles(c, params["boundary"])
	case mediaType == "application/xml" || mediaType == "text/xml" || strings.HasSuffix(mediaType, "+xml"):
		data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, definitions.MaxSize))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(c, http.StatusRequestEntityTooLarge, codeTooLarge,
				fmt.Sprintf("the BPMN file is larger than %d bytes (%d MiB)", definitions.MaxSize, definitions.MaxSize>>20))
			return nil, false
		case err != nil:
			writeError(c, http.StatusBadRequest, codeValidation, "the request body could not be read: "+err.Error())
			return nil, false
		case len(data) == 0:
			writeError(c, http.StatusBadRequest, codeValidation, "the request body is empty; send a BPMN file")
			return nil, false
		}
		name, ok := uploadName(c, c.Query("fileName"))
		if !ok {
			return nil, false
		}
		return []app.DeployFile{{Name: name, Data: data}}, true
	}
	writeError(c, http.StatusUnsupportedMediaType, codeUnsupportedMedia, fmt.Sprintf(
		"Content-Type %s is not accepted: send BPMN XML as application/xml or text/xml, or files as multipart/form-data", mediaType))
	return nil, false
}

// readMultipartFiles reads every file part of a multipart/form-data body.
func readMultipartFiles(c *gin.Context, boundary string) ([]app.DeployFile, bool) {
	if boundary == "" {
		writeError(c, http.StatusBadRequest, codeValidation, "the multipart/form-data Content-Type has no boundary")
		return nil, false
	}
	r := multipart.NewReader(http.MaxBytesReader(c.Writer, c.Request.Body, maxDeployBytes), boundary)
	var files []app.DeployFile
	seen := map[string]bool{}
	tooLarge := func() ([]app.DeployFile, bool) {
		writeError(c, http.StatusRequestEntityTooLarge, codeTooLarge,
			fmt.Sprintf("the upload is larger than %d bytes (%d MiB); deploy fewer files at once", maxDeployBytes, maxDeployBytes>>20))
		return nil, false
	}
	var tooBig *http.MaxBytesError
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &tooBig) {
			return tooLarge()
		}
		if err != nil {
			writeError(c, http.StatusBadRequest, codeValidation, "the multipart body could not be read: "+err.Error())
			return nil, false
		}
		if part.FileName() == "" {
			writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("form field %q is not a file: send BPMN files only", part.FormName()),
				FieldError{Field: part.FormName(), Message: "is not a file"})
			return nil, false
		}
		name, ok := uploadName(c, part.FileName())
		if !ok {
			return nil, false
		}
		if seen[name] {
			writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("two files are named %q: give each file its own name", name),
				FieldError{Field: part.FormName(), Message: "repeats the file name " + name})
			return nil, false
		}
		seen[name] = true
		if len(files) == maxDeployFiles {
			writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("a deployment holds at most %d files", maxDeployFiles))
			return nil, false
		}
		data, err := io.ReadAll(io.LimitReader(part, definitions.MaxSize+1))
		if errors.As(err, &tooBig) {
			return tooLarge()
		}
		if err != nil {
			writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("file %s could not be read: %v", name, err))
			return nil, false
		}
		if len(data) > definitions.MaxSize {
			writeError(c, http.StatusRequestEntityTooLarge, codeTooLarge,
				fmt.Sprintf("file %s is larger than %d bytes (%d MiB)", name, definitions.MaxSize, definitions.MaxSize>>20),
				FieldError{Field: part.FormName(), Message: "is too large"})
			return nil, false
		}
		files = append(files, app.DeployFile{Name: name, Data: data})
	}
	if len(files) == 0 {
		writeError(c, http.StatusBadRequest, codeValidation, "the upload holds no file: send one or more BPMN files")
		return nil, false
	}
	return files, true
}

// uploadName cleans an uploaded file's name to its base name, or answers 400.
func uploadName(c *gin.Context, name string) (string, bool) {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	if name == "." || name == "/" {
		name = ""
	}
	if len(name) > maxFileName || !utf8.ValidString(name) || !store.PlainText(name) {
		writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("the file name must be valid UTF-8 of at most %d bytes without control or invisible formatting characters", maxFileName),
			FieldError{Field: "fileName", Message: "is not a usable file name"})
		return "", false
	}
	return name, true
}

// listDefinitions godoc
//
//	@Summary	List processes and decisions with their latest and published versions (designer, admin)
//	@Tags		definitions
//	@Produce	json
//	@Security	BearerAuth
//	@Param		limit	query		int		false	"page size (1-200, default 50)"
//	@Param		after	query		string	false	"the next cursor of the page before"
//	@Success	200		{object}	app.List[store.DefinitionSummary]
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Router		/api/v1/definitions [get]
func (h *api) listDefinitions(c *gin.Context) {
	var q pageQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Definitions(c.Request.Context(), principalOf(c), q.page()))
	}
}

// listDefinitionVersions godoc
//
//	@Summary	List the versions of a process, newest first (designer, admin)
//	@Tags		definitions
//	@Produce	json
//	@Security	BearerAuth
//	@Param		key		path		string	true	"process id"
//	@Param		limit	query		int		false	"page size (1-200, default 50)"
//	@Param		after	query		string	false	"the next cursor of the page before"
//	@Success	200		{object}	app.List[app.DefinitionVersionInfo]
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/definitions/{key}/versions [get]
func (h *api) listDefinitionVersions(c *gin.Context) {
	key, ok := pathKey(c)
	var q pageQuery
	if ok && h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.DefinitionVersions(c.Request.Context(), principalOf(c), key, q.page()))
	}
}

// getDefinitionVersion godoc
//
//	@Summary	A version with a summary of its model: nodes, flows, warnings; a decision's decisions (designer, admin)
//	@Tags		definitions
//	@Produce	json
//	@Security	BearerAuth
//	@Param		key		path		string	true	"process id"
//	@Param		version	path		int		true	"version number"
//	@Success	200		{object}	app.DefinitionModel
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Router		/api/v1/definitions/{key}/versions/{version} [get]
func (h *api) getDefinitionVersion(c *gin.Context) {
	if key, version, ok := pathKeyVersion(c); ok {
		h.answer(c, http.StatusOK)(h.App.DefinitionModel(c.Request.Context(), principalOf(c), key, version))
	}
}

// getDefinitionXML godoc
//
//	@Summary	The original bytes of a version (designer, admin)
//	@Tags		definitions
//	@Produce	xml
//	@Produce	json
//	@Security	BearerAuth
//	@Param		key		path		string	true	"process id"
//	@Param		version	path		int		true	"version number"
//	@Success	200		{file}		binary	"the BPMN file as deployed"
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Router		/api/v1/definitions/{key}/versions/{version}/xml [get]
func (h *api) getDefinitionXML(c *gin.Context) {
	key, version, ok := pathKeyVersion(c)
	if !ok {
		return
	}
	d, err := h.App.DefinitionVersion(c.Request.Context(), principalOf(c), key, version)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(d.Hash))
	if d.FileName != "" {
		c.Header("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": d.FileName}))
	}
	c.Data(http.StatusOK, "application/xml", d.XML)
}

// publishDefinition godoc
//
//	@Summary		Publish a version (designer, admin)
//	@Description	A draft becomes published: new cases and call activities start the latest published
//	@Description	version, and a published version never changes. Publishing it again changes nothing.
//	@Tags			definitions
//	@Produce		json
//	@Security		BearerAuth
//	@Param			key		path		string	true	"process id"
//	@Param			version	path		int		true	"version number"
//	@Success		200		{object}	app.DefinitionVersionInfo
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/definitions/{key}/versions/{version}/publish [post]
func (h *api) publishDefinition(c *gin.Context) {
	if key, version, ok := pathKeyVersion(c); ok {
		h.answer(c, http.StatusOK)(h.App.PublishDefinition(c.Request.Context(), principalOf(c), key, version))
	}
}

// pathKeyVersion returns the process id and version number in the path, or answers 400.
func pathKeyVersion(c *gin.Context) (string, int, bool) {
	key, ok := pathKey(c)
	if !ok {
		return "", 0, false
	}
	version, ok := pathVersion(c)
	return key, version, ok
}

// pathKey returns the process id in the path, or answers 400.
func pathKey(c *gin.Context) (string, bool) { return pathName(c, "key", "process id") }

// pathVersion returns the version number in the path, or answers 400.
func pathVersion(c *gin.Context) (int, bool) {
	s := c.Param("version")
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("version %q is not a version number (1, 2, ...)", s),
			FieldError{Field: "version", Message: "must be a whole number from 1"})
		return 0, false
	}
	return v, true
}
