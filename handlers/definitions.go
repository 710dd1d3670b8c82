package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/definitions"
	"onewindow/definitions/expression"
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

// Problem codes the deployment adds to the validator's (definitions.Code*).
const (
	problemDuplicateProcess = "duplicate-process"      // two files of one request hold the same process id
	problemCalledMissing    = "called-process-missing" // a call activity names a process neither deployed along nor published
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

// DefinitionVersionInfo is one stored version of a process, without its XML.
type DefinitionVersionInfo struct {
	Key          string                `json:"key" example:"approval"`
	Version      int                   `json:"version" example:"1"`
	Name         string                `json:"name" example:"企业投资项目备案"`
	Hash         string                `json:"hash" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	FileName     string                `json:"fileName" example:"approval.bpmn"`
	State        string                `json:"state" enums:"draft,published" example:"draft"`
	DeploymentID string                `json:"deploymentId" example:"01jd5q3k8m0000000000000000"`
	Warnings     []definitions.Problem `json:"warnings"`
	CreatedBy    string                `json:"createdBy" example:"01jd5q3k8m0000000000000000"`
	CreatedAt    time.Time             `json:"createdAt"`
	PublishedBy  string                `json:"publishedBy,omitempty" example:"01jd5q3k8m0000000000000000"`
	PublishedAt  *time.Time            `json:"publishedAt,omitempty"`
}

func versionInfo(d *store.DefinitionVersion) DefinitionVersionInfo {
	v := DefinitionVersionInfo{
		Key: d.Key, Version: d.Version, Name: d.Name, Hash: d.Hash, FileName: d.FileName, State: d.State,
		DeploymentID: d.DeploymentID, Warnings: []definitions.Problem{}, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt,
	}
	if len(d.Warnings) > 0 {
		// Stored by deployDefinitions from the same type; a row that does not
		// decode shows no warnings rather than failing the read.
		_ = json.Unmarshal(d.Warnings, &v.Warnings)
	}
	if d.PublishedBy.Valid {
		v.PublishedBy = d.PublishedBy.String
	}
	if d.PublishedAt.Valid {
		at := d.PublishedAt.Time
		v.PublishedAt = &at
	}
	return v
}

// DeployedDefinition is a process stored by a deployment: created is false
// when the same content was already stored (the existing version is shown).
type DeployedDefinition struct {
	DefinitionVersionInfo
	Created bool `json:"created" example:"true"`
}

// DeployResponse lists the processes of a deployment in the order of their
// files. Versions created by it carry its deploymentId, which is absent when
// every file was already stored.
type DeployResponse struct {
	DeploymentID string               `json:"deploymentId,omitempty" example:"01jd5q3k8m0000000000000000"`
	Definitions  []DeployedDefinition `json:"definitions"`
}

// FileProblem is a validation problem of one file of a deployment. Line and
// column are 1-based, 0 when the problem concerns the whole file.
type FileProblem struct {
	File      string `json:"file" example:"approval.bpmn"`
	Code      string `json:"code" example:"flow-target-missing"`
	Message   string `json:"message" example:"sequence flow f1 points to nowhere: no flow node has id \"review\""`
	ElementID string `json:"elementId" example:"f1"`
	Line      int    `json:"line" example:"12"`
	Column    int    `json:"column" example:"5"`
	Severity  string `json:"severity" enums:"error,warning" example:"error"`
}

// DefinitionProblemsResponse is the 422 answer of a deployment: every problem
// of every file, errors and warnings. Nothing was stored.
type DefinitionProblemsResponse struct {
	Error    ErrorBody     `json:"error"`
	Problems []FileProblem `json:"problems"`
}

// deployFile is one uploaded BPMN file.
type deployFile struct {
	name string
	data []byte
	// Set by checking the file.
	defs     *definitions.Definitions
	proc     *definitions.Process
	warnings []definitions.Problem
}

// deployDefinitions godoc
//
//	@Summary		Deploy BPMN files (designer, admin)
//	@Description	Send one BPMN 2.0 file as the raw body (Content-Type application/xml or text/xml; its
//	@Description	name in the query parameter fileName), or one or several files as multipart/form-data
//	@Description	(a process and the processes its call activities name). Each file must validate as
//	@Description	executable; its executable process is stored byte for byte under the process id. The
//	@Description	same content again returns the existing version (200); changed content becomes the
//	@Description	next version, a draft (201). A call activity must name a process deployed in the same
//	@Description	request or already published. Any error in any file answers 422 with every problem of
//	@Description	every file, and nothing is stored. Limits: 10 MiB per file, 32 MiB and 20 files per upload.
//	@Tags			definitions
//	@Accept			application/xml
//	@Accept			xml
//	@Accept			mpfd
//	@Produce		json
//	@Security		BearerAuth
//	@Param			file		formData	file	false	"a BPMN file (repeat the field for several)"
//	@Param			fileName	query		string	false	"the file name of a raw XML body"
//	@Success		200			{object}	DeployResponse	"every file was already stored"
//	@Success		201			{object}	DeployResponse	"at least one new version"
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
	ctx := c.Request.Context()
	var problems []FileProblem
	addProblems := func(file string, list []definitions.Problem) {
		for _, p := range list {
			problems = append(problems, FileProblem{File: file, Code: p.Code, Message: p.Message, ElementID: p.ElementID,
				Line: p.Line, Column: p.Column, Severity: string(p.Severity)})
		}
	}
	deployed := map[string]string{} // process id → file
	for _, f := range files {
		defs, proc, list := definitions.Check(f.data, "")
		f.defs, f.proc = defs, proc
		if proc != nil {
			if f.name == "" {
				f.name = proc.ID + ".bpmn"
			}
			if other, dup := deployed[proc.ID]; dup {
				list = append(list, definitions.Problem{Code: problemDuplicateProcess, ElementID: proc.ID, Line: proc.Line, Column: proc.Column,
					Severity: definitions.SeverityError, Message: fmt.Sprintf("process %s is also in %s: deploy each process once", proc.ID, other)})
			} else {
				deployed[proc.ID] = f.name
			}
		}
		if f.name == "" {
			f.name = "upload.bpmn"
		}
		for _, p := range list {
			if p.Severity == definitions.SeverityWarning {
				f.warnings = append(f.warnings, p)
			}
		}
		addProblems(f.name, list)
	}
	// A call activity starts the latest published version of the process it
	// names: that process must be deployed along or already published.
	for _, f := range files {
		if f.proc == nil {
			continue
		}
		var list []definitions.Problem
		for _, n := range f.proc.Nodes {
			called := strings.TrimSpace(n.CalledElement)
			if n.Kind != definitions.CallActivity || called == "" || expression.IsExpression(called) {
				continue
			}
			if _, ok := deployed[called]; ok {
				continue
			}
			published, err := store.HasPublishedDefinition(ctx, h.DB, called)
			if err != nil {
				h.fail(c, err)
				return
			}
			if !published {
				list = append(list, definitions.Problem{Code: problemCalledMissing, ElementID: n.ID, Line: n.Line, Column: n.Column,
					Severity: definitions.SeverityError, Message: fmt.Sprintf(
						"call activity %s calls process %q, which is neither deployed in this request nor published", n.ID, called)})
			}
		}
		addProblems(f.name, list)
	}
	if msg := problemSummary(problems); msg != "" {
		c.AbortWithStatusJSON(http.StatusUnprocessableEntity, DefinitionProblemsResponse{
			Error: ErrorBody{Code: codeInvalidDefinition, Message: msg}, Problems: problems})
		return
	}

	by := principalOf(c).UserID
	deploymentID := store.NewID()
	var out []DeployedDefinition
	var err error
	// Two designers deploying the same key at once on PostgreSQL can both
	// pick the same next version: the loser's insert conflicts, and a new
	// attempt sees the winner's row.
	for attempt := 0; attempt < 5; attempt++ {
		out, err = h.storeDeployment(c, files, deploymentID, by)
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	res := DeployResponse{Definitions: out}
	status := http.StatusOK
	for _, d := range out {
		if d.Created {
			status, res.DeploymentID = http.StatusCreated, deploymentID
		}
	}
	c.JSON(status, res)
}

// storeDeployment stores the files' processes in one transaction.
func (h *api) storeDeployment(c *gin.Context, files []*deployFile, deploymentID, by string) ([]DeployedDefinition, error) {
	ctx := c.Request.Context()
	var out []DeployedDefinition
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		out = out[:0]
		for _, f := range files {
			warnings, err := json.Marshal(orEmptyProblems(f.warnings))
			if err != nil {
				return fmt.Errorf("encode warnings of %s: %w", f.name, err)
			}
			name := f.proc.Name
			if name == "" {
				name = f.defs.Name
			}
			d := &store.DefinitionVersion{Key: f.proc.ID, Name: name, XML: f.data, FileName: f.name,
				DeploymentID: deploymentID, Warnings: warnings, CreatedBy: by}
			existed, err := store.DeployDefinition(ctx, tx, d)
			if err != nil {
				return err
			}
			out = append(out, DeployedDefinition{DefinitionVersionInfo: versionInfo(d), Created: !existed})
		}
		return nil
	})
	return out, err
}

func orEmptyProblems(list []definitions.Problem) []definitions.Problem {
	if list == nil {
		return []definitions.Problem{}
	}
	return list
}

// problemSummary says in one line what is wrong, or "" when no problem is an error.
func problemSummary(problems []FileProblem) string {
	var first *FileProblem
	errs := 0
	files := map[string]bool{}
	for i, p := range problems {
		if p.Severity != string(definitions.SeverityError) {
			continue
		}
		if first == nil {
			first = &problems[i]
		}
		errs++
		files[p.File] = true
	}
	if first == nil {
		return ""
	}
	where := fmt.Sprintf("%s:%d:%d", first.File, first.Line, first.Column)
	if first.ElementID != "" {
		where += ": " + first.ElementID
	}
	msg := fmt.Sprintf("%s: %s", where, first.Message)
	if errs > 1 {
		msg += fmt.Sprintf(" (and %d more %s in %d %s; see problems)", errs-1, countNoun(errs-1, "error", "errors"), len(files), countNoun(len(files), "file", "files"))
	}
	return "nothing was deployed: " + msg
}

func countNoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// readDefinitionFiles reads the uploaded BPMN files of a deployment, or
// answers 400, 413 or 415 and returns false.
func readDefinitionFiles(c *gin.Context) ([]*deployFile, bool) {
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
		return []*deployFile{{name: name, data: data}}, true
	}
	writeError(c, http.StatusUnsupportedMediaType, codeUnsupportedMedia, fmt.Sprintf(
		"Content-Type %s is not accepted: send BPMN XML as application/xml or text/xml, or files as multipart/form-data", mediaType))
	return nil, false
}

// readMultipartFiles reads every file part of a multipart/form-data body.
func readMultipartFiles(c *gin.Context, boundary string) ([]*deployFile, bool) {
	if boundary == "" {
		writeError(c, http.StatusBadRequest, codeValidation, "the multipart/form-data Content-Type has no boundary")
		return nil, false
	}
	r := multipart.NewReader(http.MaxBytesReader(c.Writer, c.Request.Body, maxDeployBytes), boundary)
	var files []*deployFile
	seen := map[string]bool{}
	tooLarge := func() ([]*deployFile, bool) {
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
		files = append(files, &deployFile{name: name, data: data})
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
	if len(name) > maxFileName || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("the file name must be valid UTF-8 of at most %d bytes without control characters", maxFileName),
			FieldError{Field: "fileName", Message: "is not a usable file name"})
		return "", false
	}
	return name, true
}

// DefinitionList lists every process key.
type DefinitionList struct {
	Items []store.DefinitionSummary `json:"items"`
}

// listDefinitions godoc
//
//	@Summary	List processes with their latest and published versions (designer, admin)
//	@Tags		definitions
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	DefinitionList
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Router		/api/v1/definitions [get]
func (h *api) listDefinitions(c *gin.Context) {
	list, err := store.ListDefinitions(c.Request.Context(), h.DB)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, DefinitionList{Items: list})
}

// DefinitionVersionList lists the versions of one process, newest first.
type DefinitionVersionList struct {
	Items []DefinitionVersionInfo `json:"items"`
}

// listDefinitionVersions godoc
//
//	@Summary	List the versions of a process, newest first (designer, admin)
//	@Tags		definitions
//	@Produce	json
//	@Security	BearerAuth
//	@Param		key	path		string	true	"process id"
//	@Success	200	{object}	DefinitionVersionList
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	403	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/definitions/{key}/versions [get]
func (h *api) listDefinitionVersions(c *gin.Context) {
	key, ok := pathKey(c)
	if !ok {
		return
	}
	versions, err := store.ListDefinitionVersions(c.Request.Context(), h.DB, key)
	if err != nil {
		h.fail(c, err)
		return
	}
	if len(versions) == 0 {
		writeError(c, http.StatusNotFound, codeNotFound, fmt.Sprintf("no process %q has been deployed", key))
		return
	}
	out := DefinitionVersionList{Items: make([]DefinitionVersionInfo, len(versions))}
	for i := range versions {
		out.Items[i] = versionInfo(&versions[i])
	}
	c.JSON(http.StatusOK, out)
}

// DefinitionModel is a stored version with a summary of its process model.
type DefinitionModel struct {
	DefinitionVersionInfo
	Process ProcessSummary `json:"process"`
	Nodes   []NodeSummary  `json:"nodes"`
	Flows   []FlowSummary  `json:"flows"`
}

// ProcessSummary names the process of a version.
type ProcessSummary struct {
	ID   string `json:"id" example:"approval"`
	Name string `json:"name,omitempty" example:"企业投资项目备案"`
}

// NodeSummary is one flow node, in document order; parent is the containing
// sub-process ("" at process level).
type NodeSummary struct {
	ID             string                         `json:"id" example:"review"`
	Kind           string                         `json:"kind" example:"userTask"`
	Name           string                         `json:"name,omitempty" example:"部门审查"`
	Parent         string                         `json:"parent,omitempty"`
	Line           int                            `json:"line" example:"12"`
	Column         int                            `json:"column" example:"3"`
	Step           *definitions.Step              `json:"step,omitempty"`
	Assignment     *definitions.Assignment        `json:"assignment,omitempty"`
	Loop           *definitions.Loop              `json:"loop,omitempty"`
	Events         []*definitions.EventDefinition `json:"events,omitempty"`
	AttachedTo     string                         `json:"attachedTo,omitempty"`
	CancelActivity *bool                          `json:"cancelActivity,omitempty"`
	CalledElement  string                         `json:"calledElement,omitempty"`
	Implementation string                         `json:"implementation,omitempty"`
	Clock          string                         `json:"clock,omitempty"`
	Default        string                         `json:"default,omitempty"`
	Documentation  string                         `json:"documentation,omitempty"`
}

// FlowSummary is one sequence flow, in document order.
type FlowSummary struct {
	ID        string `json:"id" example:"f3"`
	Name      string `json:"name,omitempty"`
	Source    string `json:"source" example:"review"`
	Target    string `json:"target" example:"approve"`
	Parent    string `json:"parent,omitempty"`
	Condition string `json:"condition,omitempty" example:"${countersignResult == 'agreed'}"`
	// Default marks the default flow of its source.
	Default bool `json:"default,omitempty"`
}

// getDefinitionVersion godoc
//
//	@Summary	A version with a summary of its model: nodes, flows, warnings (designer, admin)
//	@Tags		definitions
//	@Produce	json
//	@Security	BearerAuth
//	@Param		key		path		string	true	"process id"
//	@Param		version	path		int		true	"version number"
//	@Success	200		{object}	DefinitionModel
//	@Failure	400		{object}	ErrorResponse
//	@Failure	401		{object}	ErrorResponse
//	@Failure	403		{object}	ErrorResponse
//	@Failure	404		{object}	ErrorResponse
//	@Router		/api/v1/definitions/{key}/versions/{version} [get]
func (h *api) getDefinitionVersion(c *gin.Context) {
	d, ok := h.definitionVersion(c)
	if !ok {
		return
	}
	defs, problems, err := definitions.Parse(d.XML)
	var proc *definitions.Process
	if err == nil {
		proc = defs.Process(d.Key)
	}
	if proc == nil {
		// Stored bytes passed the same parser at deployment.
		h.fail(c, fmt.Errorf("definition %s v%d no longer parses: %v %v", d.Key, d.Version, err, problems))
		return
	}
	c.JSON(http.StatusOK, modelSummary(d, proc))
}

func modelSummary(d *store.DefinitionVersion, proc *definitions.Process) DefinitionModel {
	m := DefinitionModel{
		DefinitionVersionInfo: versionInfo(d),
		Process:               ProcessSummary{ID: proc.ID, Name: proc.Name},
		Nodes:                 make([]NodeSummary, 0, len(proc.Nodes)),
		Flows:                 make([]FlowSummary, 0, len(proc.Flows)),
	}
	defaults := map[string]bool{}
	for _, n := range proc.Nodes {
		s := NodeSummary{ID: n.ID, Kind: string(n.Kind), Name: n.Name, Parent: n.Parent, Line: n.Line, Column: n.Column,
			Step: n.Step, Assignment: n.Assignment, Loop: n.Loop, Events: n.Events, AttachedTo: n.AttachedTo,
			CalledElement: n.CalledElement, Implementation: n.Implementation, Clock: n.Clock, Default: n.Default,
			Documentation: n.Documentation}
		if n.Kind == definitions.BoundaryEvent {
			cancel := n.CancelActivity
			s.CancelActivity = &cancel
		}
		if n.Default != "" {
			defaults[n.Default] = true
		}
		m.Nodes = append(m.Nodes, s)
	}
	for _, f := range proc.Flows {
		m.Flows = append(m.Flows, FlowSummary{ID: f.ID, Name: f.Name, Source: f.Source, Target: f.Target, Parent: f.Parent,
			Condition: f.Condition, Default: defaults[f.ID]})
	}
	return m
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
	d, ok := h.definitionVersion(c)
	if !ok {
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
//	@Success		200		{object}	DefinitionVersionInfo
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/definitions/{key}/versions/{version}/publish [post]
func (h *api) publishDefinition(c *gin.Context) {
	key, ok := pathKey(c)
	if !ok {
		return
	}
	version, ok := pathVersion(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	var d *store.DefinitionVersion
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) (err error) {
		d, err = store.PublishDefinition(ctx, tx, key, version, principalOf(c).UserID)
		return err
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, versionInfo(d))
}

// definitionVersion loads the version the path names, or answers and returns false.
func (h *api) definitionVersion(c *gin.Context) (*store.DefinitionVersion, bool) {
	key, ok := pathKey(c)
	if !ok {
		return nil, false
	}
	version, ok := pathVersion(c)
	if !ok {
		return nil, false
	}
	d, err := store.GetDefinition(c.Request.Context(), h.DB, key, version)
	if err != nil {
		h.fail(c, err)
		return nil, false
	}
	return d, true
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
