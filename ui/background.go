package ui

import "sync"

// background runs the window's slow work (the keyring, which may prompt and wait; opening and
// closing devices for the preview; starting a session) off Fyne's UI goroutine, one job at a time
// and in order: a device is never opened by a preview and a session at once. Jobs report back
// with Window.do.
type background struct {
	mu      sync.Mutex
	jobs    []func()
	running bool
	idle    *sync.Cond
}

func newBackground() *background {
	b := &background{}
	b.idle = sync.NewCond(&b.mu)
	return b
}

// run queues f.
func (b *background) run(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.jobs = append(b.jobs, f)
	if !b.running {
		b.running = true
		go b.work()
	}
}

func (b *background) work() {
	for {
		b.mu.Lock()
		if len(b.jobs) == 0 {
			b.running = false
			b.idle.Broadcast()
			b.mu.Unlock()
			return
		}
		f := b.jobs[0]
		b.jobs = b.jobs[1:]
		b.mu.Unlock()
		f()
	}
}

// wait returns once every queued job has run (for tests and for quitting).
func (b *background) wait() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.running {
		b.idle.Wait()
	}
}
