package store

import (
	"sort"
	"strings"
)

// searchIndex is the baseline users' search texts laid end to end, so that
// a search is a few strings.Index calls over one contiguous string rather
// than a walk over 100k user structs.
type searchIndex struct {
	blob string  // SearchText of each baseline user, each followed by "\x01"
	offs []int32 // start of user i's text in blob
}

func newSearchIndex(users []*User) searchIndex {
	var b strings.Builder
	offs := make([]int32, len(users))
	for i, u := range users {
		offs[i] = int32(b.Len())
		b.WriteString(u.searchText)
		b.WriteByte(1)
	}
	return searchIndex{blob: b.String(), offs: offs}
}

// SearchUsers returns the users whose name or username contains q (already
// lower-cased), in ascending id order.
func (s *Store) SearchUsers(q string) []*User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*User
	idx := s.b.search
	for at := 0; at < len(idx.blob); {
		j := strings.Index(idx.blob[at:], q)
		if j < 0 {
			break
		}
		// The user whose text holds the match: the last offset <= the match.
		i := sort.Search(len(idx.offs), func(k int) bool { return int(idx.offs[k]) > at+j }) - 1
		if u := s.b.userList[i]; !s.isTouched(i) && strings.Contains(u.searchText, q) {
			out = append(out, u)
		}
		if i+1 < len(idx.offs) {
			at = int(idx.offs[i+1])
		} else {
			break
		}
	}
	// Users changed or created since the baseline.
	for _, u := range s.users.over {
		if strings.Contains(u.searchText, q) {
			out = append(out, u)
		}
	}
	return out
}
