package mock

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Clock is the mock's notion of now: it drives token expiry, the created_at
// of new objects, activities and dormant-user rules. It follows real time (or
// the Now option) until it is set; once set it is frozen and moves only by Set
// or Advance, so tests stay deterministic. Reset returns it to its start.
type Clock struct {
	mu     sync.RWMutex
	source func() time.Time
	frozen bool
	at     time.Time
}

func newClock(source func() time.Time, start *time.Time) *Clock {
	c := &Clock{}
	c.reset(source, start)
	return c
}

// reset returns the clock to source (nil: real time), frozen at start if
// start is not nil.
func (c *Clock) reset(source func() time.Time, start *time.Time) {
	if source == nil {
		source = time.Now
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.source, c.frozen, c.at = source, false, time.Time{}
	if start != nil {
		c.frozen, c.at = true, start.UTC()
	}
}

// Now returns the current mock time in UTC.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen {
		return c.at
	}
	return c.source().UTC()
}

// Set freezes the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.at = true, t.UTC()
}

// Advance moves the clock forward by d (back if d is negative), freezing it
// at the result, which it returns.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		c.frozen, c.at = true, c.source().UTC()
	}
	c.at = c.at.Add(d)
	return c.at
}

// Frozen reports whether the clock has been set.
func (c *Clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.frozen
}

// clockState is the control API's answer for the clock.
type clockState struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func (c *Clock) state() clockState {
	c.mu.RLock()
	defer c.mu.RUnlock()
	now := c.at
	if !c.frozen {
		now = c.source().UTC()
	}
	return clockState{Now: now.Format(time.RFC3339Nano), Frozen: c.frozen}
}

// Clock returns the mock clock, to read, set or advance it from Go.
func (s *Server) Clock() *Clock { return s.clock }

// GET /-/mock/clock
func (s *Server) getClock(c *gin.Context) *apiError {
	writeJSON(c, http.StatusOK, s.clock.state())
	return nil
}

// PUT /-/mock/clock {"now": RFC 3339}
func (s *Server) putClock(c *gin.Context) *apiError {
	var body struct {
		Now *string `json:"now" yaml:"now"`
	}
	if err := decodeControlBody(c, &body); err != nil {
		return err
	}
	if body.Now == nil {
		return msgError(http.StatusBadRequest, `now is missing: send {"now": "2030-01-01T00:00:00Z"}`)
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*body.Now))
	if err != nil {
		return msgError(http.StatusBadRequest, fmt.Sprintf("now: %q is not an RFC 3339 time (like 2030-01-01T00:00:00Z)", *body.Now))
	}
	s.clock.Set(t)
	writeJSON(c, http.StatusOK, s.clock.state())
	return nil
}

// POST /-/mock/clock/advance {"by": "48h"}
func (s *Server) advanceClock(c *gin.Context) *apiError {
	var body struct {
		By *string `json:"by" yaml:"by"`
	}
	if err := decodeControlBody(c, &body); err != nil {
		return err
	}
	if body.By == nil {
		return msgError(http.StatusBadRequest, `by is missing: send {"by": "48h"}`)
	}
	d, err := parseDuration(*body.By)
	if err != nil {
		return msgError(http.StatusBadRequest, "by: "+err.Error())
	}
	s.clock.Advance(d)
	writeJSON(c, http.StatusOK, s.clock.state())
	return nil
}

// parseDuration is time.ParseDuration plus whole days ("3d", "-1d", "2d12h").
func parseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	orig := v
	neg := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(v, "-")
	var days time.Duration
	if i := strings.Index(v, "d"); i > 0 {
		n, err := strconv.Atoi(v[:i])
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (like 250ms, 48h or 3d)", orig)
		}
		days, v = time.Duration(n)*24*time.Hour, v[i+1:]
	}
	var rest time.Duration
	if v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || strings.HasPrefix(v, "-") || strings.HasPrefix(v, "+") {
			return 0, fmt.Errorf("%q is not a duration (like 250ms, 48h or 3d)", orig)
		}
		rest = d
	} else if days == 0 {
		return 0, fmt.Errorf("%q is not a duration (like 250ms, 48h or 3d)", orig)
	}
	if neg {
		return -(days + rest), nil
	}
	return days + rest, nil
}
