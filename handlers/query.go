package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"onewindow/app"
	"onewindow/store"
)

// pageQuery is the paging every list takes: limit (1-200, default 50), after, the cursor the
// previous page's next gave, and count=true for the lists that can count their matches (up to
// app.MaxCount). The older offset form is refused (bindQuery): a deep offset made the database
// walk every row before the page. A list's query struct embeds it beside its filters.
type pageQuery struct {
	Limit int    `form:"limit" validate:"omitempty,min=1,max=200"`
	After string `form:"after" validate:"max=200"`
	Count string `form:"count" validate:"omitempty,oneof=true false"`
}

// page is the paging as the use cases take it.
func (q pageQuery) page() app.Page {
	return app.Page{Limit: q.Limit, After: q.After, Count: q.Count == "true"}
}

// bindQuery reads the query string into dst (a pointer to a struct whose string and int
// fields carry form tags, embedded structs included) and validates it; on failure it answers
// 400 naming the parameter and returns false.
func (h *api) bindQuery(c *gin.Context, dst any) bool {
	msg, fe, err := readQuery(c, dst)
	if err != nil {
		h.fail(c, err)
		return false
	}
	if msg != "" {
		writeError(c, http.StatusBadRequest, codeValidation, msg, fe)
		return false
	}
	return true
}

// readQuery is bindQuery without the answer: it fills and validates dst and returns the
// message and the offending parameter of a bad query ("" when it is good), or an error of
// the validator itself. The plain pages (plain.go) show the same message as HTML.
func readQuery(c *gin.Context, dst any) (string, FieldError, error) {
	if c.Query("offset") != "" {
		msg := "is not supported: page with after, the next cursor of the page before"
		return "query parameter offset " + msg, FieldError{Field: "offset", Message: msg}, nil
	}
	if name, raw, ok := fillQuery(c, reflect.ValueOf(dst).Elem()); !ok {
		msg := "must be an integer"
		return fmt.Sprintf("query parameter %s %s, got %q", name, msg, raw), FieldError{Field: name, Message: msg}, nil
	}
	if err := validate.Struct(dst); err != nil {
		var verrs validator.ValidationErrors
		if !errors.As(err, &verrs) {
			return "", FieldError{}, fmt.Errorf("validate %T: %w", dst, err)
		}
		fe := verrs[0]
		name := queryName(dst, fe)
		msg := ruleMessage(fe)
		return fmt.Sprintf("query parameter %s %s, got %q", name, msg, fmt.Sprint(fe.Value())), FieldError{Field: name, Message: msg}, nil
	}
	return "", FieldError{}, nil
}

// fillQuery sets the fields of struct v from the query; it returns the parameter and value
// of an integer that does not parse.
func fillQuery(c *gin.Context, v reflect.Value) (string, string, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if name, raw, ok := fillQuery(c, v.Field(i)); !ok {
				return name, raw, false
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		raw := c.Query(name)
		if name == "" || raw == "" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.String:
			v.Field(i).SetString(raw)
		case reflect.Int:
			n, err := strconv.Atoi(raw)
			if err != nil {
				return name, raw, false
			}
			v.Field(i).SetInt(int64(n))
		}
	}
	return "", "", true
}

// queryName is the query parameter (form tag) of a validation error on a query struct.
func queryName(dst any, fe validator.FieldError) string {
	t := reflect.TypeOf(dst).Elem()
	var find func(t reflect.Type) string
	find = func(t reflect.Type) string {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				if n := find(f.Type); n != "" {
					return n
				}
			}
			if f.Name == fe.StructField() {
				name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
				return name
			}
		}
		return ""
	}
	if n := find(t); n != "" {
		return n
	}
	return fe.Field()
}

// parseQueryTime parses the value of query parameter name: an RFC 3339 time or a date (YYYY-MM-DD,
// its midnight in Beijing). "" is the zero time. On failure it answers 400 and returns false.
func parseQueryTime(c *gin.Context, name, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, store.CaseZone); err == nil {
		return t, true
	}
	msg := "must be an RFC 3339 time (2025-11-26T09:00:00+08:00) or a date (2025-11-26)"
	writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("query parameter %s %s, got %q", name, msg, s), FieldError{Field: name, Message: msg})
	return time.Time{}, false
}
