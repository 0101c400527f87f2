package mock

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
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

	errOffsetTooLarge = grapeError(http.StatusMethodNotAllowed, "Offset pagination has a maximum allowed offset of 50000 for requests that return objects of type User. Remaining records can be retrieved using keyset pagination.")
)

// Legacy /api/v3 (v3.go): modern GitLab's answer to all of v3 but GET /user,
// and the old bad_request! of required_attributes!.
var errV3Gone = grapeError(http.StatusGone, "API V3 is no longer supported. Use API V4 instead.")

func v3BadRequest(attribute string) *apiError {
	return msgError(http.StatusBadRequest, `400 (Bad request) "`+attribute+`" not given`)
}

// Moderation (block, unblock, activate, deactivate, approve, reject, 2FA) and
// token messages, reference §1a/§3 (moderation.go, pats.go).
var (
	errLDAPBlockedModify   = forbidden("LDAP blocked users cannot be modified by the API")
	errLDAPBlockedUnblock  = forbidden("LDAP blocked users cannot be unblocked by the API")
	errDeactivatedUnblock  = forbidden("Deactivated users cannot be unblocked by the API")
	errSelfBlock           = forbidden("The API initiating user cannot be blocked by the API")
	errInternalBlock       = msgError(http.StatusForbidden, "An internal user cannot be blocked")
	errActivateBlocked     = msgError(http.StatusForbidden, "Error occurred. A blocked user must be unblocked to be activated")
	errDeactivateBlocked   = msgError(http.StatusForbidden, "Error occurred. A blocked user cannot be deactivated")
	errDeactivateInternal  = msgError(http.StatusForbidden, "Internal users cannot be deactivated")
	errApproveForbidden    = msgError(http.StatusForbidden, "You are not allowed to approve a user")
	errNotPendingApproval  = msgError(http.StatusConflict, "The user you are trying to approve is not pending approval")
	errRejectForbidden     = msgError(http.StatusForbidden, "You are not allowed to reject a user")
	errNoPendingRequest    = msgError(http.StatusConflict, "User does not have a pending request")
	errTwoFactorAdmin      = forbidden("Two-factor authentication for admins cannot be disabled via the API. Use the Rails console")
	errTwoFactorNotEnabled = badRequest("Two-factor authentication is not enabled for this user")
	errNotFoundBare        = msgError(http.StatusNotFound, "404 Not Found")
	errNotPATToken         = badRequest("This endpoint requires token type to be a personal access token")
	errTokenAlreadyRevoked = badRequest("Token already revoked")
	errBadRequestBare      = msgError(http.StatusBadRequest, "400 Bad request")
	errSupportPinNotFound  = notFound("Support PIN not found or expired")
)

func errRecentlyActive(days int) *apiError {
	return msgError(http.StatusForbidden, "The user you are trying to deactivate has been active in the past "+strconv.Itoa(days)+" days and cannot be deactivated")
}

// Answers with a fixed text, named for the handlers that give them.
var (
	errListUsersAnonymously  = forbidden("Not authorized to access /api/v4/users")
	errBodyFormat            = grapeError(http.StatusBadRequest, "message body does not match declared format")
	errPreconditionFailed    = msgError(http.StatusPreconditionFailed, "412 Precondition Failed")
	errScopesBlank           = msgError(http.StatusUnprocessableEntity, "Scopes can't be blank")
	errInternalUserAccess    = forbidden("This action cannot be performed by internal users")
	errPendingApprovalAccess = forbidden("Your account is pending approval from your administrator and hence blocked.")
	errBlockedAccess         = forbidden("Your account has been blocked.")
)

// errDeactivatedAccess is the deactivated user's reason, which names the
// instance's URL.
func errDeactivatedAccess(baseURL string) *apiError {
	return forbidden("Your account has been deactivated by your administrator. Please log back in from a web browser to reactivate your account at " + baseURL)
}

// errSudoTargetNotFound is sudo!'s 404 for an unknown id or username.
func errSudoTargetNotFound(id string) *apiError {
	return msgError(http.StatusNotFound, "404 User with ID or username '"+id+"' Not Found")
}

// errCannotBan and errCannotUnban name the user's current state.
func errCannotBan(state string) *apiError {
	return msgError(http.StatusForbidden, "You cannot ban "+state+" users.")
}

func errCannotUnban(state string) *apiError {
	return msgError(http.StatusForbidden, "You cannot unban "+state+" users.")
}

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

// Keys and emails (keys.go, gpgkeys.go, emails.go): GitLab's model messages
// and the answers of lib/api/keys.rb.
const (
	msgBlank          = "can't be blank"
	msgInvalid        = "is invalid"
	msgTaken          = "has already been taken"
	msgNotGenerated   = "cannot be generated"
	msgExpired        = "has expired"
	msgSSHTypeDenied  = "type is forbidden. Must be RSA, ECDSA, ED25519, ECDSA_SK, or ED25519_SK"
	msgGPGKeyInvalid  = "is invalid. A valid public GPG key begins with '-----BEGIN PGP PUBLIC KEY BLOCK-----' and ends with '-----END PGP PUBLIC KEY BLOCK-----'"
	msgTitleTooLong   = "is too long (maximum is 255 characters)"
	msgSSHKeyTooLong  = "is too long (maximum is 5000 characters)"
	msgEmailTooLong   = "is too long (maximum is 255 characters)"
	msgFingerprintBad = "Failed to return the key"
)

var errFingerprintInvalid = msgError(http.StatusBadRequest, msgFingerprintBad) // KeysFinder::InvalidFingerprint

// fieldErrors are a model's validation errors in the order GitLab adds them.
// They marshal as one JSON object in that order (a Go map would sort).
type fieldErrors struct {
	fields []string
	msgs   map[string][]string
}

func (f *fieldErrors) add(field, msg string) {
	if f.msgs == nil {
		f.msgs = map[string][]string{}
	}
	if _, seen := f.msgs[field]; !seen {
		f.fields = append(f.fields, field)
	}
	f.msgs[field] = append(f.msgs[field], msg)
}

func (f fieldErrors) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, field := range f.fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(field)
		v, _ := json.Marshal(f.msgs[field])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// err is render_validation_error!: 400 {"message":{...}}, or nil.
func (f *fieldErrors) err() *apiError {
	if len(f.fields) == 0 {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, body: map[string]any{"message": *f}}
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
	case se.Kind == store.KindConflict && se.Field != "":
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
