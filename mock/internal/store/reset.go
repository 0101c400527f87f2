package store

// ResetTo makes b the store's baseline and returns to it, dropping every
// change. O(1): nothing of b is copied.
func (s *Store) ResetTo(b *Baseline) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetTo(b)
}
