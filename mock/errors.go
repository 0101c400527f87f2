package mock

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// apiError is an answer GitLab gives instead of the resource: a status and
// the exact JSON body. Every GitLab message the mock sends is built here.
type apiError struct {
	status int
	body   any // marshalled as JSON
}

func (e *apiError) Error() string { return http.StatusText(e.status) }

func msgError(status int, msg string) *apiError {
	return &apiError{status: status, body: map[string]any{"message": msg}}
}

// Grape's own errors (routing, parameter validation) use the "error" key.
func grapeError(status int, msg string) *apiError {
	return &apiError{status: status, body: map[string]any{"error": msg}}
}

var (
	errRouteNotFound   = grapeError(http.StatusNotFound, "404 Not Found")
	errUnauthorized    = msgError(http.StatusUnauthorized, "401 Unauthorized")
	errForbidden       = msgError(http.StatusForbidden, "403 Forbidden")
	errNotAuthorized   = forbidden("Not authorized!")
	errRecordNotFound  = msgError(http.StatusNotFound, "404 Not found") // ActiveRecord::RecordNotFound, lower-case f
	errInternal        = msgError(http.StatusInternalServerError, "500 Internal Server Error")
	errBodyTooLarge    = msgError(http.StatusRequestEntityTooLarge, "413 Request Entity Too Large")
	errMustBeAdminSudo = forbidden("Must be admin to use sudo")
	errEmailTaken      = msgError(http.StatusConflict, "Email has already been taken")
	errUsernameTaken   = msgError(http.StatusConflict, "Username has already been taken")

	errTokenExpired = &apiError{status: http.StatusUnauthorized, body: oauthBody{
		Error: "invalid_token", Description: "Token is expired. You can either do re-authorization or token refresh."}}
	errTokenRevoked = &apiError{status: http.StatusUnauthorized, body: oauthBody{
		Error: "invalid_token", Description: "Token was revoked. You have to re-authorize from the user."}}

	errOffsetTooLarge    = grapeError(http.StatusMethodNotAllowed, "Offset pagination has a maximum allowed offset of 50000 for requests that return objects of type User. Remaining records can be retrieved using keyset pagination.")
	errKeysetUnsupported = grapeError(http.StatusMethodNotAllowed, "Keyset pagination is not yet available for this type of request")
)

// oauthBody is rack-oauth2's error format, used for token failures.
type oauthBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Scope       string `json:"scope,omitempty"`
}

func errInsufficientScope(scopes ...string) *apiError {
	return &apiError{status: http.StatusForbidden, body: oauthBody{
		Error:       "insufficient_scope",
		Description: "The request requires higher privileges than provided by the access token.",
		Scope:       strings.Join(scopes, " "),
	}}
}

// forbidden is GitLab's forbidden!(reason).
func forbidden(reason string) *apiError {
	return msgError(http.StatusForbidden, "403 Forbidden - "+reason)
}

// notFound is GitLab's not_found!(resource).
func notFound(resource string) *apiError {
	return msgError(http.StatusNotFound, "404 "+resource+" Not Found")
}

// badRequest is GitLab's bad_request!(reason).
func badRequest(reason string) *apiError {
	return msgError(http.StatusBadRequest, "400 Bad request - "+reason)
}

// validationError is render_validation_error!: {"message":{"field":["msg"]}}.
func validationError(field string, msgs ...string) *apiError {
	return &apiError{status: http.StatusBadRequest, body: map[string]any{"message": map[string][]string{field: msgs}}}
}

// paramErrors collects Grape parameter-validation failures; GitLab joins them
// with ", " in one {"error": ...} body.
type paramErrors []string

func (p *paramErrors) add(msg string) { *p = append(*p, msg) }

func (p paramErrors) err() *apiError {
	if len(p) == 0 {
		return nil
	}
	return grapeError(http.StatusBadRequest, strings.Join(p, ", "))
}

// storeError maps a store error onto GitLab's answer: the one table from
// error kind to status and body.
func storeError(err error) *apiError {
	var se *store.Error
	if !errors.As(err, &se) {
		return errInternal
	}
	switch {
	case se == store.ErrEmailTaken:
		return errEmailTaken
	case se == store.ErrUsernameTaken:
		return errUsernameTaken
	case se.Kind == store.KindNotFound:
		return notFound(se.Entity)
	case se.Kind == store.KindConflict:
		return msgError(http.StatusConflict, strings.ToUpper(se.Field[:1])+se.Field[1:]+" "+se.Message)
	default:
		return validationError(se.Field, se.Message)
	}
}

// abort answers the request with err and stops the handler chain.
func abort(c *gin.Context, err *apiError) {
	writeJSON(c, err.status, err.body)
	c.Abort()
}
