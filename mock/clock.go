package mock

import (
	"sync"
	"time"
)

// clock is the mock's notion of now. It follows real time (or the Now option)
// until it is set; once set it is frozen and moves only by Set or Advance, so
// tests stay deterministic.
type clock struct {
	mu     sync.RWMutex
	source func() time.Time
	frozen bool
	at     time.Time
}

func newClock(source func() time.Time, start *time.Time) *clock {
	if source == nil {
		source = time.Now
	}
	c := &clock{source: source}
	if start != nil {
		c.frozen, c.at = true, *start
	}
	return c
}

// Now returns the current mock time in UTC.
func (c *clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.frozen {
		return c.at
	}
	return c.source().UTC()
}

// Set freezes the clock at t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.at = true, t.UTC()
}

// Advance moves the clock forward by d, freezing it at the result.
func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen {
		c.frozen, c.at = true, c.source().UTC()
	}
	c.at = c.at.Add(d)
	return c.at
}

// Frozen reports whether the clock has been set.
func (c *clock) Frozen() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.frozen
}
