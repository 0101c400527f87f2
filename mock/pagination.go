package mock

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// Kaminari's settings in GitLab.
const (
	defaultPerPage = 20
	maxPerPage     = 100
	// Above this many records GitLab stops counting: X-Total, X-Total-Pages
	// and rel="last" are dropped.
	maxCountedRecords = 10000
	// Offset pagination on /users is refused past this offset.
	maxUsersOffset = 50000
)

// pageRequest is a parsed page/per_page (or keyset cursor) request.
type pageRequest struct {
	page, perPage int
	keyset        bool
	cursor        string
}

// pagination reads page, per_page, pagination and cursor. Values Kaminari
// would clamp are clamped; non-integers are Grape's "x is invalid".
func (p *params) pagination() pageRequest {
	pr := pageRequest{page: 1, perPage: defaultPerPage}
	if n, ok := p.integer("page"); ok && n > 0 {
		pr.page = int(min(n, 1<<31))
	}
	if n, ok := p.integer("per_page"); ok && n > 0 {
		pr.perPage = int(min(n, maxPerPage))
	}
	if v, ok := p.str("pagination"); ok && v == "keyset" {
		pr.keyset = true
		pr.cursor, _ = p.str("cursor")
	}
	return pr
}

// baseURL is the instance's web root, where web_url and avatar_url point:
// the configured external URL, else the scheme, host and port the request
// came in on, then the mount of a session.
func (s *Server) baseURL(c *gin.Context) string { return s.hostURL(c) + s.mount }

// hostURL is the configured external URL, else the scheme, host and port
// the request came in on.
func (s *Server) hostURL(c *gin.Context) string {
	if s.external != nil {
		return s.external.Scheme + "://" + s.external.Host + s.external.Path
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	if fwd := c.GetHeader("X-Forwarded-Proto"); fwd == "https" || fwd == "http" {
		scheme = fwd
	}
	return scheme + "://" + c.Request.Host
}

// pageLink is the request URL on the configured host with the query's page
// parameters replaced (keys sorted, as Rails' to_query does).
func (s *Server) pageLink(c *gin.Context, set map[string]string, drop ...string) string {
	q := c.Request.URL.Query()
	for _, k := range drop {
		q.Del(k)
	}
	for k, v := range set {
		q.Set(k, v)
	}
	return s.hostURL(c) + c.Request.URL.EscapedPath() + "?" + q.Encode()
}

func linkRel(u, rel string) string { return "<" + u + `>; rel="` + rel + `"` }

// pageOf cuts one offset page out of items and sets GitLab's pagination
// headers: X-Total, X-Total-Pages, X-Per-Page, X-Page, X-Next-Page,
// X-Prev-Page and Link (prev, next, first, last). A page past the end is an
// empty page, never a 404.
func pageOf[T any](s *Server, c *gin.Context, items []T, pr pageRequest) []T {
	total := len(items)
	totalPages := max(1, (total+pr.perPage-1)/pr.perPage)
	counted := total <= maxCountedRecords
	h := c.Writer.Header()
	per := strconv.Itoa(pr.perPage)
	link := func(page int) string {
		return s.pageLink(c, map[string]string{"page": strconv.Itoa(page), "per_page": per})
	}
	var links []string
	prev, next := "", ""
	if pr.page > 1 {
		prev = strconv.Itoa(pr.page - 1)
		links = append(links, linkRel(link(pr.page-1), "prev"))
	}
	if pr.page*pr.perPage < total {
		next = strconv.Itoa(pr.page + 1)
		links = append(links, linkRel(link(pr.page+1), "next"))
	}
	links = append(links, linkRel(link(1), "first"))
	if counted {
		links = append(links, linkRel(link(totalPages), "last"))
		h.Set("X-Total", strconv.Itoa(total))
		h.Set("X-Total-Pages", strconv.Itoa(totalPages))
	}
	h.Set("X-Per-Page", per)
	h.Set("X-Page", strconv.Itoa(pr.page))
	h.Set("X-Next-Page", next)
	h.Set("X-Prev-Page", prev)
	h.Set("Link", strings.Join(links, ", "))

	start := (pr.page - 1) * pr.perPage
	if start >= total || start < 0 {
		return []T{}
	}
	return items[start:min(start+pr.perPage, total)]
}

// keysetCursor marks the last record of a keyset page.
type keysetCursor struct {
	ID    int64  `json:"id"`
	Value string `json:"value,omitempty"`
}

func encodeCursor(cur keysetCursor) string {
	b, _ := json.Marshal(cur)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (keysetCursor, bool) {
	var cur keysetCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &cur) != nil {
		return cur, false
	}
	return cur, true
}

// keysetPageOf returns the records after the cursor in items (already in
// the requested order) and, when more remain, a Link with rel="next". key
// returns a record's cursor; past reports whether a record sorts after a
// cursor, so a cursor whose record was deleted still resumes correctly.
func keysetPageOf[T any](s *Server, c *gin.Context, items []T, pr pageRequest, key func(T) keysetCursor, past func(T, keysetCursor) bool) ([]T, *apiError) {
	start := 0
	if pr.cursor != "" {
		cur, ok := decodeCursor(pr.cursor)
		if !ok {
			return nil, grapeError(http.StatusBadRequest, "cursor is invalid")
		}
		start = len(items)
		for i, it := range items {
			if past(it, cur) {
				start = i
				break
			}
		}
	}
	end := min(start+pr.perPage, len(items))
	page := items[start:end]
	if end < len(items) && len(page) > 0 {
		next := s.pageLink(c, map[string]string{
			"cursor":   encodeCursor(key(page[len(page)-1])),
			"per_page": strconv.Itoa(pr.perPage),
		}, "page")
		c.Header("Link", linkRel(next, "next"))
	}
	return page, nil
}
