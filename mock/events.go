package mock

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

type pushDataJSON struct {
	CommitCount int     `json:"commit_count"`
	Action      string  `json:"action"`
	RefType     string  `json:"ref_type"`
	CommitFrom  *string `json:"commit_from"`
	CommitTo    *string `json:"commit_to"`
	Ref         string  `json:"ref"`
	CommitTitle *string `json:"commit_title"`
	RefCount    *int    `json:"ref_count"`
}

// eventJSON is GitLab's Event entity.
type eventJSON struct {
	ID             int64          `json:"id"`
	ProjectID      *int64         `json:"project_id"`
	ActionName     string         `json:"action_name"`
	TargetID       *int64         `json:"target_id"`
	TargetIID      *int64         `json:"target_iid"`
	TargetType     *string        `json:"target_type"`
	AuthorID       int64          `json:"author_id"`
	TargetTitle    *string        `json:"target_title"`
	CreatedAt      apiTime        `json:"created_at"`
	Note           map[string]any `json:"note,omitempty"`
	Author         userBasicJSON  `json:"author"`
	PushData       *pushDataJSON  `json:"push_data,omitempty"`
	AuthorUsername string         `json:"author_username"`
}

func (v view) event(e *store.Event, author *store.User) eventJSON {
	j := eventJSON{
		ID: e.ID, ProjectID: e.ProjectID, ActionName: e.ActionName, TargetID: e.TargetID,
		TargetIID: e.TargetIID, TargetType: strOrNil(e.TargetType), AuthorID: author.ID,
		TargetTitle: strOrNil(e.TargetTitle), CreatedAt: apiTime(e.CreatedAt), Note: e.Note,
		Author: v.basic(author), AuthorUsername: author.Username,
	}
	j.Author.CustomAttributes = nil
	if pd := e.PushData; pd != nil {
		j.PushData = &pushDataJSON{
			CommitCount: pd.CommitCount, Action: pd.Action, RefType: pd.RefType,
			CommitFrom: strOrNil(pd.CommitFrom), CommitTo: strOrNil(pd.CommitTo), Ref: pd.Ref,
			CommitTitle: strOrNil(pd.CommitTitle), RefCount: pd.RefCount,
		}
	}
	return j
}

// eventActions maps the `action` filter to the action names it covers.
var eventActions = map[string][]string{
	"created":   {"created", "opened"},
	"updated":   {"updated"},
	"closed":    {"closed"},
	"reopened":  {"reopened"},
	"pushed":    {"pushed to", "pushed new", "removed"},
	"commented": {"commented on"},
	"merged":    {"accepted", "merged"},
	"joined":    {"joined"},
	"left":      {"left"},
	"destroyed": {"destroyed", "deleted"},
	"expired":   {"expired"},
	"approved":  {"approved"},
}

var eventTargetTypes = []string{"issue", "milestone", "merge_request", "note", "project", "snippet", "user", "wiki", "design"}

// snakeTargetType turns a model name (MergeRequest, DiffNote) into the
// target_type filter's vocabulary.
func snakeTargetType(t string) string {
	switch t {
	case "DiffNote", "DiscussionNote", "Note":
		return "note"
	case "WikiPage::Meta":
		return "wiki"
	case "DesignManagement::Design":
		return "design"
	}
	var b strings.Builder
	for i, r := range t {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// userEvents is GET /users/:id/events (id or username; anonymous allowed).
func (s *Server) userEvents(c *gin.Context) *apiError {
	w, err := s.authenticate(c, scopesUsers)
	if err != nil {
		return err
	}
	return s.listEvents(c, w, func() (*store.User, *apiError) {
		if u := s.userByIDOrUsername(c.Param("id")); u != nil {
			return u, nil
		}
		return nil, notFound("User")
	})
}

// listEvents validates the events filters, then finds the author (or
// GitLab's answer) and writes its visible events.
func (s *Server) listEvents(c *gin.Context, w *caller, author func() (*store.User, *apiError)) *apiError {
	p, _ := s.readParams(c)
	action, _ := p.oneOf("action", keysOf(eventActions)...)
	target, _ := p.oneOf("target_type", eventTargetTypes...)
	before := p.date("before")
	after := p.date("after")
	sortDir := "desc"
	if v, ok := p.oneOf("sort", "asc", "desc"); ok {
		sortDir = v
	}
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	u, aerr := author()
	if aerr != nil {
		return aerr
	}
	// EventsFinder needs read_user_profile: events of a private profile or
	// a blocked user are invisible to everyone but the user and admins.
	var events []*store.Event
	if !(u.PrivateProfile || blockedState(u.State)) || w.is(u) || w.admin() {
		events = s.store.EventsOf(u.ID)
	}
	v := s.viewFor(c, w)
	out := []eventJSON{}
	for _, e := range events {
		day := time.Date(e.CreatedAt.Year(), e.CreatedAt.Month(), e.CreatedAt.Day(), 0, 0, 0, 0, time.UTC)
		switch {
		case action != "" && !slices.Contains(eventActions[action], e.ActionName),
			target != "" && snakeTargetType(e.TargetType) != target,
			before != nil && !day.Before(*before),
			after != nil && !day.After(*after):
			continue
		}
		out = append(out, v.event(e, u))
	}
	if sortDir == "desc" {
		slices.Reverse(out)
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, out, pr))
	return nil
}

type activityJSON struct {
	Username       string  `json:"username"`
	LastActivityOn apiDate `json:"last_activity_on"`
	LastActivityAt apiDate `json:"last_activity_at"` // deprecated duplicate GitLab still sends
}

// currentUserEvents is GET /events: the caller's own events. Its
// authenticate! runs in the endpoint body, after parameter validation.
func (s *Server) currentUserEvents(c *gin.Context) *apiError {
	w, err := s.authenticate(c, scopesUsers)
	if err != nil {
		return err
	}
	return s.listEvents(c, w, func() (*store.User, *apiError) {
		if w.anonymous() {
			return nil, errUnauthorized
		}
		return w.user, nil
	})
}

// userActivities is GET /user/activities: users active since `from`
// (default six months ago), oldest first; non-admins see public profiles only.
func (s *Server) userActivities(c *gin.Context) *apiError {
	w, err := s.requireLogin(c, scopesUsers)
	if err != nil {
		return err
	}
	p, _ := s.readParams(c)
	from := s.clock.Now().AddDate(0, -6, 0)
	if t, ok := p.dateTime("from"); ok {
		from = t
	}
	pr := p.pagination()
	if e := p.errs.err(); e != nil {
		return e
	}
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	var active []*store.User
	for _, u := range s.store.Users() {
		if u.LastActivityOn == nil || u.LastActivityOn.Before(from) || (!w.admin() && u.PrivateProfile) {
			continue
		}
		active = append(active, u)
	}
	slices.SortStableFunc(active, func(a, b *store.User) int { return a.LastActivityOn.Compare(*b.LastActivityOn) })
	out := make([]activityJSON, len(active))
	for i, u := range active {
		out[i] = activityJSON{Username: u.Username, LastActivityOn: apiDate(*u.LastActivityOn), LastActivityAt: apiDate(*u.LastActivityOn)}
	}
	writeJSON(c, http.StatusOK, pageOf(s, c, out, pr))
	return nil
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
