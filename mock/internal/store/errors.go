package store

import "fmt"

// Kind classifies store errors; package mock maps each kind to GitLab's answer.
type Kind int

const (
	// KindNotFound: the entity does not exist.
	KindNotFound Kind = iota + 1
	// KindConflict: a unique value (username, primary email) is taken.
	KindConflict
	// KindInvalid: a model validation failed (GitLab's render_validation_error!).
	KindInvalid
)

// Error is a domain error: which entity or field, and GitLab's model message.
type Error struct {
	Kind    Kind
	Entity  string // for KindNotFound: "User", "Key", "Email", ...
	Field   string // for KindConflict and KindInvalid
	Message string // model message, e.g. "has already been taken"
}

func (e *Error) Error() string {
	switch e.Kind {
	case KindNotFound:
		return e.Entity + " not found"
	default:
		return fmt.Sprintf("%s %s", e.Field, e.Message)
	}
}

func notFound(entity string) *Error { return &Error{Kind: KindNotFound, Entity: entity} }

func conflict(field string) *Error {
	return &Error{Kind: KindConflict, Field: field, Message: "has already been taken"}
}

func invalid(field, msg string) *Error { return &Error{Kind: KindInvalid, Field: field, Message: msg} }

// Errors returned by the store.
var (
	ErrUserNotFound     = notFound("User")
	ErrIdentityNotFound = notFound("Identity")
	ErrTokenNotFound    = notFound("Token")
	ErrUsernameTaken    = conflict("username")
	ErrEmailTaken       = conflict("email")
	// ErrEmailTakenUnconfirmed: the email is someone's unconfirmed secondary
	// email. GitLab answers this with a validation error (400), not a 409.
	ErrEmailTakenUnconfirmed = invalid("email", "has already been taken")
	ErrTokenTaken            = conflict("token")
)

// Errors of keys and secondary emails (keys.go, emails.go).
var (
	ErrKeyNotFound    = notFound("Key")
	ErrGPGKeyNotFound = notFound("GPG Key")
	ErrEmailNotFound  = notFound("Email")
	// ErrSSHKeyTaken: another key has the same SHA256 fingerprint.
	ErrSSHKeyTaken = invalid("fingerprint_sha256", "has already been taken")
	// ErrGPGKeyTaken: the same armored text is stored already.
	ErrGPGKeyTaken = invalid("key", "has already been taken")
	// ErrGPGFingerprintTaken: another text of a stored key (GitLab then
	// reports fingerprint and primary_keyid).
	ErrGPGFingerprintTaken = invalid("fingerprint", "has already been taken")
	// ErrSecondaryEmailTaken: the address is someone's primary or secondary
	// email (a validation error on /emails).
	ErrSecondaryEmailTaken = invalid("email", "has already been taken")
)
