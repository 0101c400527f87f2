package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// params are a request's parameters as Grape sees them: the query string and
// the body (JSON, form or multipart) merged, the body winning. Typed getters
// coerce like Grape and collect its error messages.
type params struct {
	values  map[string]any // string | []any | map[string]any | json.Number | bool | nil
	errs    paramErrors
	bodyErr *apiError // the body could not be read (see readParams)
}

// raw returns name as a string without recording a coercion error: for the
// parameters auth reads on every route (sudo, private_token), whose type
// errors are not the endpoint's to report.
func (p *params) raw(name string) string {
	switch v := p.values[name].(type) {
	case string:
		return v
	case json.Number: // {"sudo": 1}
		return v.String()
	}
	return ""
}

const paramsKey = "gitlab-mock.params"

// readParams parses the query and body once per request. The params are
// never nil: on a bad body (400, 413) they hold the query only, and every
// call returns the same error, so a handler that reads them after
// authenticate (which already answered the error) cannot trip on nil.
func (s *Server) readParams(c *gin.Context) (*params, *apiError) {
	if p, ok := c.Get(paramsKey); ok {
		p := p.(*params)
		return p, p.bodyErr
	}
	p := &params{values: map[string]any{}}
	addForm(p.values, c.Request.URL.Query())
	p.bodyErr = s.readBody(c, p.values)
	c.Set(paramsKey, p)
	return p, p.bodyErr
}

func (s *Server) readBody(c *gin.Context, into map[string]any) *apiError {
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	r.Body = http.MaxBytesReader(c.Writer, r.Body, s.maxBody)
	mediaType, mparams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		mr, err := multipartReader(r, mparams)
		if err != nil {
			return bodyError(err)
		}
		form, err := mr.ReadForm(s.maxBody)
		if err != nil {
			return bodyError(err)
		}
		defer form.RemoveAll()
		addForm(into, form.Value)
		for name, files := range form.File {
			if len(files) > 0 {
				into[strings.TrimSuffix(name, "[]")] = "file:" + files[0].Filename
			}
		}
		return nil
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyError(err)
		}
		vals, err := url.ParseQuery(string(b))
		if err != nil {
			return errBodyFormat
		}
		addForm(into, vals)
		return nil
	default: // JSON, also when the client sent no content type
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyError(err)
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			return nil
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var body any
		if err := dec.Decode(&body); err != nil {
			return errBodyFormat
		}
		if m, ok := body.(map[string]any); ok {
			for k, v := range m {
				into[k] = v
			}
		}
		return nil
	}
}

func bodyError(err error) *apiError {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) || strings.Contains(err.Error(), "too large") {
		return errBodyTooLarge
	}
	return errBodyFormat
}

// addForm adds form values the way Rack nests them: "a[]" is an array,
// "a[b]" a hash, anything else a plain value (the last one wins).
func addForm(into map[string]any, vals url.Values) {
	for key, vs := range vals {
		if len(vs) == 0 {
			continue
		}
		switch open := strings.IndexByte(key, '['); {
		case strings.HasSuffix(key, "[]"):
			arr, _ := into[key[:len(key)-2]].([]any)
			for _, v := range vs {
				arr = append(arr, v)
			}
			into[key[:len(key)-2]] = arr
		case open > 0 && strings.HasSuffix(key, "]"):
			m, _ := into[key[:open]].(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			m[key[open+1:len(key)-1]] = vs[len(vs)-1]
			into[key[:open]] = m
		default:
			into[key] = vs[len(vs)-1]
		}
	}
}

// has reports whether name was given (even as null).
func (p *params) has(name string) bool {
	_, ok := p.values[name]
	return ok
}

// given reports whether name was given with a non-null value.
func (p *params) given(name string) bool {
	v, ok := p.values[name]
	return ok && v != nil
}

// require records Grape's "x is missing" for every absent name.
func (p *params) require(names ...string) {
	for _, n := range names {
		if !p.given(n) {
			p.errs.add(n + " is missing")
		}
	}
}

// str returns name as a string. Numbers and booleans coerce, as in Grape.
func (p *params) str(name string) (string, bool) {
	switch v := p.values[name].(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	default:
		p.errs.add(name + " is invalid")
		return "", false
	}
}

// optStr returns a pointer to the value of name if given, nil otherwise. An
// explicit null yields a pointer to "" (GitLab stores bio: null as "").
func (p *params) optStr(name string) *string {
	if !p.has(name) {
		return nil
	}
	s, _ := p.str(name)
	return &s
}

var (
	trueWords  = map[string]bool{"true": true, "t": true, "1": true, "yes": true, "y": true, "on": true}
	falseWords = map[string]bool{"false": true, "f": true, "0": true, "no": true, "n": true, "off": true}
)

// parseBool reads a boolean leniently: true/false in any case, 1/0, yes/no.
func parseBool(s string) (val, ok bool) {
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case trueWords[l]:
		return true, true
	case falseWords[l]:
		return false, true
	}
	return false, false
}

// boolean returns name as a bool; given is false when it was absent or null.
func (p *params) boolean(name string) (val, given bool) {
	switch v := p.values[name].(type) {
	case nil:
		return false, false
	case bool:
		return v, true
	case string:
		b, ok := parseBool(v)
		if !ok {
			p.errs.add(name + " is invalid")
		}
		return b, ok
	case json.Number:
		b, ok := parseBool(v.String())
		if !ok {
			p.errs.add(name + " is invalid")
		}
		return b, ok
	default:
		p.errs.add(name + " is invalid")
		return false, false
	}
}

// optBool returns a pointer to the value of name if given, nil otherwise.
func (p *params) optBool(name string) *bool {
	if v, ok := p.boolean(name); ok {
		return &v
	}
	return nil
}

// integer returns name as an int64.
func (p *params) integer(name string) (int64, bool) {
	var s string
	switch v := p.values[name].(type) {
	case nil:
		return 0, false
	case string:
		s = strings.TrimSpace(v)
	case json.Number:
		s = v.String()
	default:
		p.errs.add(name + " is invalid")
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.errs.add(name + " is invalid")
		return 0, false
	}
	return n, true
}

// optInt returns a pointer to the value of name if given, nil otherwise.
func (p *params) optInt(name string) *int64 {
	if v, ok := p.integer(name); ok {
		return &v
	}
	return nil
}

// dateTime reads an ISO 8601 date or time (Grape's DateTime coercion).
func (p *params) dateTime(name string) (time.Time, bool) {
	s, ok := p.str(name)
	if !ok {
		return time.Time{}, false
	}
	t, err := parseAPITime(s)
	if err != nil {
		p.errs.add(name + " is invalid")
		return time.Time{}, false
	}
	return t, true
}

// parseAPITime accepts the date and time forms clients send.
func parseAPITime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

// oneOf checks that name, if given, is one of allowed (Grape's values:).
func (p *params) oneOf(name string, allowed ...string) (string, bool) {
	v, ok := p.str(name)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if v == a {
			return v, true
		}
	}
	p.errs.add(name + " does not have a valid value")
	return "", false
}

func multipartReader(r *http.Request, mparams map[string]string) (*multipart.Reader, error) {
	boundary := mparams["boundary"]
	if boundary == "" {
		return nil, errors.New("multipart body without boundary")
	}
	return multipart.NewReader(r.Body, boundary), nil
}
