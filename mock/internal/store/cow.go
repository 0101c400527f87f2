package store

// cowMap is a copy-on-write map: an immutable base shared between stores
// (the fixture baseline, or the baseline of many sessions) and this store's
// own changes on top. Reading consults the changes, then the base; writing
// touches only the changes; reset drops them. Reset and fork are O(1)
// whatever the size of the base: nothing of it is ever copied.
type cowMap[K comparable, V any] struct {
	base map[K]V // shared and never written
	over map[K]V // this store's writes
	dead map[K]struct{}
	n    int
}

func newCowMap[K comparable, V any](base map[K]V) cowMap[K, V] {
	return cowMap[K, V]{base: base, over: map[K]V{}, dead: map[K]struct{}{}, n: len(base)}
}

func (m *cowMap[K, V]) get(k K) (V, bool) {
	if v, ok := m.over[k]; ok {
		return v, true
	}
	if _, gone := m.dead[k]; gone {
		var zero V
		return zero, false
	}
	v, ok := m.base[k]
	return v, ok
}

func (m *cowMap[K, V]) set(k K, v V) {
	if _, ok := m.get(k); !ok {
		m.n++
	}
	m.over[k] = v
	delete(m.dead, k)
}

func (m *cowMap[K, V]) del(k K) {
	if _, ok := m.get(k); !ok {
		return
	}
	m.n--
	delete(m.over, k)
	if _, inBase := m.base[k]; inBase {
		m.dead[k] = struct{}{}
	}
}

func (m *cowMap[K, V]) len() int { return m.n }

// each calls fn for every live entry, in no particular order, until fn
// returns false.
func (m *cowMap[K, V]) each(fn func(K, V) bool) {
	for k, v := range m.over {
		if !fn(k, v) {
			return
		}
	}
	for k, v := range m.base {
		if _, changed := m.over[k]; changed {
			continue
		}
		if _, gone := m.dead[k]; gone {
			continue
		}
		if !fn(k, v) {
			return
		}
	}
}

// reset drops this store's changes.
func (m *cowMap[K, V]) reset() { *m = newCowMap(m.base) }
