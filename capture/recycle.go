package capture

// recycler keeps up to its capacity of released buffers for the next frames, so that a steady
// source allocates nothing after its first few frames. get and put never block.
type recycler[T any] struct{ free chan T }

func newRecycler[T any](capacity int) recycler[T] { return recycler[T]{free: make(chan T, capacity)} }

// get returns a kept buffer for which fits says yes (nil fits: any), or else alloc's.
func (r recycler[T]) get(fits func(T) bool, alloc func() T) T {
	select {
	case b := <-r.free:
		if fits == nil || fits(b) {
			return b
		}
	default:
	}
	return alloc()
}

// releaser returns a release func that keeps b for a later get, or leaves it to the garbage
// collector when enough are kept.
func (r recycler[T]) releaser(b T) func() {
	return func() {
		select {
		case r.free <- b:
		default:
		}
	}
}
