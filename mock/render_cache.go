package mock

import (
	"sync"

	"github.com/gitlab-mock/gitlab-mock/mock/internal/store"
)

// renderCache keeps the encoded JSON of recently rendered single-user
// entities. Store objects are immutable snapshots (a write stores a new
// object), so an object's pointer plus everything else an entity depends on
// (the creator object, follow counts, the caller's relation to the user,
// the base URL) identifies the bytes exactly: an entry never goes stale, it
// just stops being asked for. The cache is bounded by clearing it when
// full, and belongs to one Server (sessions have their own).
type renderCache struct {
	mu sync.RWMutex
	m  map[renderKey][]byte
}

// renderKey is everything a single-user entity depends on.
type renderKey struct {
	user, creator        *store.User
	base                 string
	admin, self, anon    bool
	customAttr, followed bool
	followers, following int
}

const renderCacheSize = 4096

func (rc *renderCache) get(k renderKey) ([]byte, bool) {
	rc.mu.RLock()
	defer rc.mu.RUnlock()
	b, ok := rc.m[k]
	return b, ok
}

func (rc *renderCache) put(k renderKey, b []byte) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.m == nil || len(rc.m) >= renderCacheSize {
		rc.m = make(map[renderKey][]byte, 64)
	}
	rc.m[k] = b
}

// userRenderKey builds the key of u as v renders it.
func (s *Server) userRenderKey(v view, u *store.User) renderKey {
	k := renderKey{user: u, base: v.base, customAttr: v.customAttr}
	if w := v.caller; w != nil {
		k.admin, k.self, k.anon = w.admin(), w.is(u), w.anonymous()
		if !k.anon {
			k.followed = s.store.IsFollowing(w.user.ID, u.ID)
		}
	}
	k.followers, k.following = s.store.FollowCounts(u.ID)
	if u.CreatedByID != 0 {
		k.creator = s.store.User(u.CreatedByID)
	}
	return k
}
