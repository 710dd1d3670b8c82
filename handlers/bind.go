package handlers

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"onewindow/store"
)

// validate checks request structs by their `validate` tags and names fields by their json tags.
// Besides validator's own tags it knows:
//
//	username  3-64 of a-z 0-9 . _ -, starting with a letter or digit
//	idcard    a GB 11643 resident ID-card number with a correct check character
//	cnmobile  an 11-digit mainland mobile number
//	id        an id made by store.NewID
//	plaintext text without control or format characters (NUL, right-to-left overrides,
//	          zero-width spaces): what codes, usernames and names may hold (store.PlainText)
//	maxbytes  at most so many bytes in UTF-8 (passwords: bcrypt reads no more than 72)
var validate = newValidator()

var (
	usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)
	mobileRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	idRE       = regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{26}$`)
)

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(v.RegisterValidation("username", func(fl validator.FieldLevel) bool { return usernameRE.MatchString(fl.Field().String()) }))
	must(v.RegisterValidation("idcard", func(fl validator.FieldLevel) bool { return store.CheckIDCard(fl.Field().String()) == nil }))
	must(v.RegisterValidation("cnmobile", func(fl validator.FieldLevel) bool { return mobileRE.MatchString(fl.Field().String()) }))
	must(v.RegisterValidation("id", func(fl validator.FieldLevel) bool { return idRE.MatchString(fl.Field().String()) }))
	must(v.RegisterValidation("plaintext", func(fl validator.FieldLevel) bool { return store.PlainText(fl.Field().String()) }))
	must(v.RegisterValidation("maxbytes", func(fl validator.FieldLevel) bool {
		n, err := strconv.Atoi(fl.Param())
		return err == nil && len(fl.Field().String()) <= n
	}))
	return v
}

// bind decodes the JSON body into dst (a pointer to a struct) and validates it. On failure it
// answers 400 (malformed JSON, unknown field, wrong type, rule broken) or 413 (body larger than
// MaxBodyBytes) and returns false; the handler then just returns.
func (h *api) bind(c *gin.Context, dst any) bool {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, h.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		// One JSON value only: anything after it is a client bug worth reporting.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			var tooBig *http.MaxBytesError
			if err = errTrailingData; errors.As(terr, &tooBig) {
				err = terr
			}
		}
	}
	if err != nil {
		status, fe, msg := describeDecodeError(err, h.MaxBodyBytes)
		code := codeInvalidJSON
		if status == http.StatusRequestEntityTooLarge {
			code = codeBodyTooLarge
		}
		if fe != nil {
			writeError(c, status, code, msg, *fe)
		} else {
			writeError(c, status, code, msg)
		}
		return false
	}
	if err := validate.Struct(dst); err != nil {
		var verrs validator.ValidationErrors
		if !errors.As(err, &verrs) {
			h.fail(c, fmt.Errorf("validate %T: %w", dst, err))
			return false
		}
		fields := make([]FieldError, 0, len(verrs))
		for _, fe := range verrs {
			fields = append(fields, FieldError{Field: fieldPath(fe), Message: ruleMessage(fe)})
		}
		msg := "the request is not valid: " + fields[0].Field + " " + fields[0].Message
		if len(fields) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(fields)-1)
		}
		writeError(c, http.StatusBadRequest, codeValidation, msg, fields...)
		return false
	}
	return true
}

var errTrailingData = errors.New("trailing data")

// describeDecodeError turns a json decoding error into a status, the field it concerns (if
// known) and a message.
func describeDecodeError(err error, limit int64) (int, *FieldError, string) {
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
		invalid *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, nil, fmt.Sprintf("the request body is larger than %d bytes", limit)
	case errors.Is(err, errTrailingData):
		return http.StatusBadRequest, nil, "the request body must hold one JSON value, but more follows it"
	case errors.Is(err, io.EOF):
		return http.StatusBadRequest, nil, "the request body is empty; send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest, nil, "the request body ends in the middle of a JSON value"
	case errors.As(err, &syntax):
		return http.StatusBadRequest, nil, fmt.Sprintf("the request body is not valid JSON (at byte %d): %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return http.StatusBadRequest, nil, fmt.Sprintf("the request body must be %s, not %s", jsonKind(typ.Type), typ.Value)
		}
		msg := fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type), typ.Value)
		return http.StatusBadRequest, &FieldError{Field: field, Message: msg}, field + " " + msg
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return http.StatusBadRequest, &FieldError{Field: field, Message: "is not a known field"}, fmt.Sprintf("unknown field %q", field)
	case errors.As(err, &invalid):
		panic(err) // a programming error: bind was given a non-pointer
	}
	return http.StatusBadRequest, nil, "the request body could not be read: " + err.Error()
}

// jsonKind names the JSON form of Go type t for messages.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// fieldPath is the JSON path of a validation error without the top struct's name.
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

// ruleMessage says in words which rule a field broke.
func ruleMessage(fe validator.FieldError) string {
	isString := fe.Kind() == reflect.String
	isList := fe.Kind() == reflect.Slice || fe.Kind() == reflect.Map || fe.Kind() == reflect.Array
	switch fe.Tag() {
	case "required", "required_if", "required_unless", "required_with", "required_without":
		return "is required"
	case "min", "gte":
		switch {
		case isString:
			return "must have at least " + fe.Param() + " characters"
		case isList:
			return "must have at least " + fe.Param() + " items"
		}
		return "must be at least " + fe.Param()
	case "max", "lte":
		switch {
		case isString:
			return "must have at most " + fe.Param() + " characters"
		case isList:
			return "must have at most " + fe.Param() + " items"
		}
		return "must be at most " + fe.Param()
	case "gt":
		return "must be more than " + fe.Param()
	case "len":
		return "must have exactly " + fe.Param() + " characters"
	case "oneof":
		return "must be one of " + strings.Join(strings.Fields(fe.Param()), ", ")
	case "username":
		return "must be 3 to 64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
	case "idcard":
		if err := store.CheckIDCard(fmt.Sprint(fe.Value())); err != nil {
			return "is not a valid ID-card number: " + err.Error()
		}
		return "is not a valid ID-card number"
	case "cnmobile":
		return "must be an 11-digit mobile number starting with 1"
	case "id":
		return "must be an id of 26 characters (0-9 and lower-case letters)"
	case "maxbytes":
		return "must have at most " + fe.Param() + " bytes in UTF-8 (a Chinese character takes 3)"
	case "plaintext":
		return "must not hold control or invisible formatting characters (such as NUL, right-to-left overrides or zero-width spaces)"
	case "email":
		return "must be an e-mail address"
	case "url", "http_url":
		return "must be a URL"
	case "unique":
		return "must not repeat an item"
	}
	return "breaks the rule " + fe.Tag()
}

// pathID returns the path parameter name if it looks like an id made by store.NewID, or answers
// 400 invalid_id and returns false.
func pathID(c *gin.Context, name string) (string, bool) {
	id := c.Param(name)
	if !idRE.MatchString(id) {
		writeError(c, http.StatusBadRequest, codeInvalidID, fmt.Sprintf("%s %q is not an id (26 characters, 0-9 and lower-case letters)", name, id),
			FieldError{Field: name, Message: "is not an id"})
		return "", false
	}
	return id, true
}

// queryInt reads the integer query parameter name (def when absent) and checks min <= n <= max,
// or answers 400 and returns false.
func queryInt(c *gin.Context, name string, def, min, max int) (int, bool) {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		msg := fmt.Sprintf("must be an integer from %d to %d", min, max)
		writeError(c, http.StatusBadRequest, codeValidation, fmt.Sprintf("query parameter %s %s, got %q", name, msg, s),
			FieldError{Field: name, Message: msg})
		return 0, false
	}
	return n, true
}

// bindOptional binds a JSON body like bind, but takes an absent or empty
// body as the zero value.
func (h *api) bindOptional(c *gin.Context, dst any) bool {
	if c.Request.Body == nil || c.Request.Body == http.NoBody {
		return true
	}
	br := bufio.NewReader(c.Request.Body)
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return true
	}
	c.Request.Body = struct {
		io.Reader
		io.Closer
	}{br, c.Request.Body}
	return h.bind(c, dst)
}

// pathName returns the path parameter param, a name or id made by the
// engine or a modeller (which may hold "/"), or answers 400.
func pathName(c *gin.Context, param, what string) (string, bool) {
	v := c.Param(param)
	if v == "" || len(v) > 512 || !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		writeError(c, http.StatusBadRequest, codeInvalidID, fmt.Sprintf("%s %q is not valid (1 to 512 bytes of UTF-8 without control characters)", what, v),
			FieldError{Field: param, Message: "is not a valid " + what})
		return "", false
	}
	return v, true
}
