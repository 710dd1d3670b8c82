package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"onewindow/engine"
	"onewindow/store"
)

// Error codes of complaints: the subject complained about does not exist.
const (
	codeCaseNotFound       = "case_not_found"       // 404
	codeWindowNotFound     = "window_not_found"     // 404
	codeDepartmentNotFound = "department_not_found" // 404
)

var phoneRE = regexp.MustCompile(`^[0-9+][0-9 ()+-]{4,31}$`)

// complaintRoutes are complaints (投诉, issue 7): anyone, signed in or not, files a complaint
// about a case, a window or a department; it runs as a case of the std-complaint process,
// supervised like any case, its tasks in the staff's inboxes.
func (h *api) complaintRoutes(public, authed *gin.RouterGroup) {
	public.POST("/complaints", h.throttle(limitComplaints), h.optionalAuth, h.needEngine, h.fileComplaint)
	authed.GET("/complaints", h.listComplaints)
	authed.GET("/complaints/:id", h.getComplaint)
}

// optionalAuth authenticates a request that carries credentials (401 when they are bad) and
// lets one without any through anonymously.
func (h *api) optionalAuth(c *gin.Context) {
	if c.GetHeader("Authorization") == "" && c.GetHeader("X-API-Key") == "" {
		c.Next()
		return
	}
	h.authenticate(c)
}

// ComplaintRequest files a complaint. The subject names what it is about and which id field
// identifies it. Without an account, contactName and contactPhone are required; a signed-in
// complainant's default to their profile.
type ComplaintRequest struct {
	Subject      string `json:"subject" validate:"required,oneof=case window department" example:"case"`
	CaseID       string `json:"caseId,omitempty" validate:"max=512" example:"C-01jd5q3k8m0000000000000000"`
	WindowID     string `json:"windowId,omitempty" validate:"omitempty,id"`
	DepartmentID string `json:"departmentId,omitempty" validate:"omitempty,id"`
	Content      string `json:"content" validate:"required,max=4000" example:"窗口工作人员态度冷淡，多次让我来回跑"`
	ContactName  string `json:"contactName,omitempty" validate:"max=64" example:"张三"`
	ContactPhone string `json:"contactPhone,omitempty" validate:"max=32" example:"13900000000"`
}

// ComplaintView is a complaint with the state of its handling.
type ComplaintView struct {
	store.Complaint
	// Status is the complaint process's status: active while it is handled, completed once
	// closed.
	Status string `json:"status" example:"active"`
	// Steps are the steps open now (登记, 交办, 调查处理, 答复投诉人, 投诉人确认, ...).
	Steps []string   `json:"steps"`
	DueAt *time.Time `json:"dueAt,omitempty"`
	// Reply is the answer given to the complainant, once given; Result how it ended
	// (satisfied, unsatisfied, or deemedSatisfied when the complainant did not answer).
	Reply  string `json:"reply,omitempty"`
	Result string `json:"result,omitempty"`
}

// ComplaintList is a page of complaints, newest first.
type ComplaintList struct {
	Items []store.Complaint `json:"items"`
}

// fileComplaint godoc
//
//	@Summary		File a complaint about a case, a window or a department (anyone)
//	@Description	No account is needed: without one, contactName and contactPhone are required. The
//	@Description	complaint runs as a case of the std-complaint process (processCaseId) with a limit
//	@Description	of 15 working days: registered, assigned, handled, replied to, and confirmed by the
//	@Description	complainant. A subject that does not exist is 404 with code case_not_found,
//	@Description	window_not_found or department_not_found.
//	@Tags			evaluation
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		ComplaintRequest	true	"the complaint"
//	@Success		201		{object}	ComplaintView
//	@Failure		400		{object}	ErrorResponse	"code validation_failed, naming the field"
//	@Failure		401		{object}	ErrorResponse	"bad credentials (none at all are fine)"
//	@Failure		404		{object}	ErrorResponse	"code case_not_found, window_not_found or department_not_found"
//	@Router			/api/v1/complaints [post]
func (h *api) fileComplaint(c *gin.Context) {
	var req ComplaintRequest
	if !h.bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	comp := &store.Complaint{Subject: req.Subject, Content: strings.TrimSpace(req.Content),
		ContactName: strings.TrimSpace(req.ContactName), ContactPhone: strings.TrimSpace(req.ContactPhone)}
	if p := principalOf(c); p != nil {
		comp.ComplainantID = &p.UserID
		if u, err := store.GetUser(ctx, h.DB, p.UserID); err == nil {
			if comp.ContactName == "" {
				comp.ContactName = u.RealName
			}
			if comp.ContactName == "" {
				comp.ContactName = u.DisplayName
			}
			if comp.ContactPhone == "" {
				comp.ContactPhone = u.Phone
			}
		}
	}
	var missing []FieldError
	if comp.Content == "" {
		missing = append(missing, FieldError{Field: "content", Message: "is required"})
	}
	if comp.ComplainantID == nil && comp.ContactName == "" {
		missing = append(missing, FieldError{Field: "contactName", Message: "is required without an account: whom to answer"})
	}
	if comp.ComplainantID == nil && comp.ContactPhone == "" {
		missing = append(missing, FieldError{Field: "contactPhone", Message: "is required without an account: how to answer"})
	}
	if comp.ContactPhone != "" && !phoneRE.MatchString(comp.ContactPhone) {
		missing = append(missing, FieldError{Field: "contactPhone", Message: "must be a telephone number"})
	}
	if len(missing) > 0 {
		writeError(c, http.StatusBadRequest, codeValidation, "the request is not valid: "+missing[0].Field+" "+missing[0].Message, missing...)
		return
	}
	for _, f := range []struct {
		field, v string
		dst      **string
	}{{"caseId", req.CaseID, &comp.CaseID}, {"windowId", req.WindowID, &comp.WindowID}, {"departmentId", req.DepartmentID, &comp.DepartmentID}} {
		if f.v != "" {
			v := f.v
			*f.dst = &v
		}
	}
	var start *engine.CaseInput
	err := h.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		start, err = store.FileComplaint(ctx, tx, comp)
		return err
	})
	if errors.Is(err, store.ErrComplaintSubject) {
		code := map[string]string{store.ComplaintAboutCase: codeCaseNotFound, store.ComplaintAboutWindow: codeWindowNotFound,
			store.ComplaintAboutDepartment: codeDepartmentNotFound}[req.Subject]
		field, _, _ := strings.Cut(err.Error(), ":")
		writeError(c, http.StatusNotFound, code, "the complaint is about a "+req.Subject+" that does not exist: "+err.Error(),
			FieldError{Field: field, Message: "does not exist"})
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	h.startQueued(ctx, start)
	h.log(c).Info("complaint filed", "complaint", comp.ID, "subject", comp.Subject, "case", comp.ProcessCaseID)
	c.JSON(http.StatusCreated, ComplaintView{Complaint: *comp, Status: "starting", Steps: []string{}})
}

// listComplaints godoc
//
//	@Summary		Complaints, newest first
//	@Description	Supervisors and admins see every complaint; anyone else their own.
//	@Tags			evaluation
//	@Produce		json
//	@Security		BearerAuth
//	@Param			subject		query		string	false	"case, window or department"	Enums(case, window, department)
//	@Param			caseId		query		string	false	"complaints about this case"
//	@Param			window		query		string	false	"window id"
//	@Param			department	query		string	false	"department id"
//	@Param			from		query		string	false	"filed at or after (RFC 3339 or YYYY-MM-DD)"
//	@Param			to			query		string	false	"filed before (RFC 3339 or YYYY-MM-DD)"
//	@Param			limit		query		int		false	"page size (1-500, default 100)"
//	@Param			offset		query		int		false	"rows to skip"
//	@Success		200			{object}	ComplaintList
//	@Failure		400			{object}	ErrorResponse
//	@Failure		401			{object}	ErrorResponse
//	@Router			/api/v1/complaints [get]
func (h *api) listComplaints(c *gin.Context) {
	f := store.ComplaintFilter{CaseID: c.Query("caseId"), WindowID: c.Query("window"), DepartmentID: c.Query("department")}
	var ok bool
	if f.Subject, ok = queryOneOf(c, "subject", store.ComplaintSubjects); !ok {
		return
	}
	if f.From, ok = queryTimeOrDate(c, "from"); !ok {
		return
	}
	if f.To, ok = queryTimeOrDate(c, "to"); !ok {
		return
	}
	if f.Limit, ok = queryInt(c, "limit", 100, 1, 500); !ok {
		return
	}
	if f.Offset, ok = queryInt(c, "offset", 0, 0, 1<<30); !ok {
		return
	}
	if p := principalOf(c); !p.HasRole(store.RoleSupervisor, store.RoleAdmin) {
		f.ComplainantID = p.UserID
	}
	list, err := store.ListComplaints(c.Request.Context(), h.DB, f)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ComplaintList{Items: list})
}

// getComplaint godoc
//
//	@Summary	A complaint and the state of its handling (its complainant, supervisors, admins)
//	@Tags		evaluation
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"complaint id"
//	@Success	200	{object}	ComplaintView
//	@Failure	400	{object}	ErrorResponse
//	@Failure	401	{object}	ErrorResponse
//	@Failure	404	{object}	ErrorResponse
//	@Router		/api/v1/complaints/{id} [get]
func (h *api) getComplaint(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	comp, err := store.GetComplaint(ctx, h.DB, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	p := principalOf(c)
	if !p.HasRole(store.RoleSupervisor, store.RoleAdmin) && (comp.ComplainantID == nil || *comp.ComplainantID != p.UserID) {
		writeError(c, http.StatusNotFound, codeNotFound, "no complaint "+id+" of yours")
		return
	}
	v := ComplaintView{Complaint: *comp, Status: "starting", Steps: []string{}}
	row, err := store.GetCaseRow(ctx, h.DB, comp.ProcessCaseID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// not started yet
	case err != nil:
		h.fail(c, err)
		return
	default:
		v.Status, v.DueAt = row.Status, row.DueAt
		var vars map[string]any
		_ = json.Unmarshal(row.Variables, &vars)
		v.Reply, _ = vars["reply"].(string)
		tasks, err := store.CaseTasks(ctx, h.DB, comp.ProcessCaseID, "open")
		if err != nil {
			h.fail(c, err)
			return
		}
		for _, t := range tasks {
			v.Steps = append(v.Steps, t.Name)
		}
		if store.CaseEnded(row.Status) {
			v.Result, _ = vars["outcome"].(string)
			if hist, err := store.CaseHistory(ctx, h.DB, comp.ProcessCaseID); err == nil {
				for _, e := range hist {
					if e.Kind == "entered" && e.ElementID == "deemedSatisfied" {
						v.Result = "deemedSatisfied"
					}
				}
			}
		}
	}
	c.JSON(http.StatusOK, v)
}
