package journal

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Group is a Store for many concurrent writers (the workers of a batch):
// intents that arrive together are written in one transaction, so one
// sync to disk covers them all (group commit). Begin still returns only
// once its intent is on disk; Finish returns at once, and its outcome is
// written with the next group (a crash before then leaves the row "sent",
// which reconcile settles). Reads go straight to the store.
//
// Ahead writes the intents of rows about to be sent in one transaction
// before any of them is sent, so that one worker does not wait for one
// sync per row: a row's own Begin then finds its intent written (or waits
// for that group's commit) and writes nothing more. Each request still
// leaves only once its intent is on disk. A row written ahead whose Begin
// never comes (the batch was stopped or killed first) stays "sent" with
// no outcome, as a request cut off in flight does: resume and reconcile
// ask the provider, which has nothing under the key, and resume sends it
// with the same key. NotSent lists such rows of a run that stopped.
//
// Close flushes what is queued and reports the first write error; it does
// not close the underlying store.
type Group struct {
	Store
	writer GroupWriter

	mu      sync.Mutex
	queue   []Change
	waiters []chan result
	// ahead holds the result of each intent written ahead until its
	// Begin takes it.
	ahead  map[string]chan result
	wake   chan struct{}
	done   chan struct{}
	closed bool
	failed error
}

// NewGroup starts the group's writer. A store that cannot apply changes in
// one transaction gets them one by one.
func NewGroup(store Store) *Group {
	g := &Group{Store: store, wake: make(chan struct{}, 1), done: make(chan struct{}), ahead: map[string]chan result{}}
	if w, ok := store.(GroupWriter); ok {
		g.writer = w
	} else {
		g.writer = oneByOne{store}
	}
	go g.run()
	return g
}

// Begin queues the intent and waits until it is written. An intent
// written ahead under e.Key is not written again: Begin waits for that
// write and returns its attempt.
func (g *Group) Begin(ctx context.Context, e Entry) (int, error) {
	g.mu.Lock()
	wait, written := g.ahead[e.Key]
	delete(g.ahead, e.Key)
	g.mu.Unlock()
	if !written {
		wait = make(chan result, 1)
		if err := g.enqueue(Change{Begin: &e}, wait); err != nil {
			return 0, err
		}
	}
	select {
	case r := <-wait:
		return r.attempt, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Ahead queues intents of rows about to be sent, to be written in one
// transaction, and returns at once; the Begin of each key waits for that
// write. A key already waiting for its Begin is not queued twice (its
// Begin writes it as usual).
func (g *Group) Ahead(entries []Entry) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errors.New("journal: the group is closed")
	}
	for i := range entries {
		e := entries[i]
		if _, twice := g.ahead[e.Key]; twice {
			continue
		}
		wait := make(chan result, 1)
		g.ahead[e.Key] = wait
		g.queue = append(g.queue, Change{Begin: &e})
		g.waiters = append(g.waiters, wait)
	}
	g.mu.Unlock()
	g.signal()
	return nil
}

// NotSent lists the keys written ahead whose Begin has not come, with the
// attempt each was written as (0 when its write failed), once what is
// queued is written.
func (g *Group) NotSent(ctx context.Context) (map[string]int, error) {
	if err := g.flush(ctx); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	keys := make(map[string]int, len(g.ahead))
	for key, wait := range g.ahead {
		select {
		case r := <-wait:
			wait <- r // keep it for a Begin that still comes
			keys[key] = r.attempt
		default:
		}
	}
	return keys, nil
}

// An outcome waits for the next intent, read or Close at most
// finishWait, and while fewer than finishesAlone changes are queued:
// then it is written on its own.
const (
	finishesAlone = 256
	finishWait    = 100 * time.Millisecond
)

// Finish queues the outcome; it is written with the next group: the
// next intent (or intents written ahead), the next read or Close, else
// after finishWait or once finishesAlone changes are queued. A process
// that dies first leaves the row "sent", which reconcile and resume
// settle by asking the provider.
func (g *Group) Finish(_ context.Context, key string, attempt int, o Outcome) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errors.New("journal: the group is closed")
	}
	first := len(g.queue) == 0
	g.queue = append(g.queue, Change{Key: key, Attempt: attempt, Outcome: o})
	g.waiters = append(g.waiters, nil)
	full := len(g.queue) >= finishesAlone
	g.mu.Unlock()
	switch {
	case full:
		g.signal()
	case first:
		time.AfterFunc(finishWait, g.signal)
	}
	return nil
}

// Record writes what is queued, then the decision, at once.
func (g *Group) Record(ctx context.Context, key, kind string, o Outcome, ev Event) (*Entry, error) {
	if err := g.flush(ctx); err != nil {
		return nil, err
	}
	return g.Store.Record(ctx, key, kind, o, ev)
}

// Get reads a row after what is queued is written.
func (g *Group) Get(ctx context.Context, key string) (*Entry, error) {
	if err := g.flush(ctx); err != nil {
		return nil, err
	}
	return g.Store.Get(ctx, key)
}

// flush waits until every change queued before it is written.
func (g *Group) flush(ctx context.Context) error {
	wait := make(chan result, 1)
	if err := g.enqueue(Change{}, wait); err != nil {
		return err
	}
	select {
	case r := <-wait:
		return r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// result is what a waiter of the group gets back.
type result struct {
	attempt int
	err     error
}

func (g *Group) enqueue(c Change, wait chan result) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errors.New("journal: the group is closed")
	}
	g.queue = append(g.queue, c)
	g.waiters = append(g.waiters, wait)
	g.mu.Unlock()
	g.signal()
	return nil
}

// signal wakes the writer (a token already waiting will do).
func (g *Group) signal() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

func (g *Group) run() {
	defer close(g.done)
	for {
		<-g.wake
		g.mu.Lock()
		changes, waiters, closed := g.queue, g.waiters, g.closed
		g.queue, g.waiters = nil, nil
		g.mu.Unlock()
		if len(changes) > 0 {
			// A flush marker (no intent, no key) writes nothing.
			writes := changes[:0:0]
			index := make([]int, len(changes))
			for i, c := range changes {
				index[i] = -1
				if c.Begin != nil || c.Key != "" {
					index[i] = len(writes)
					writes = append(writes, c)
				}
			}
			var err error
			if len(writes) > 0 {
				err = g.writer.Apply(context.Background(), writes)
			}
			if err != nil {
				g.mu.Lock()
				if g.failed == nil {
					g.failed = err
				}
				g.mu.Unlock()
			}
			for i, w := range waiters {
				if w != nil {
					r := result{err: err}
					if index[i] >= 0 {
						r.attempt = writes[index[i]].Attempt
						if r.err == nil {
							r.err = writes[index[i]].Err
						}
					}
					w <- r
				}
			}
		}
		if closed {
			return
		}
	}
}

// Close writes what is queued and stops the writer.
func (g *Group) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		<-g.done
		return g.failed
	}
	g.closed = true
	g.mu.Unlock()
	// Never a blocking send: a token already waiting wakes the writer,
	// which sees closed and stops; and once it has stopped, a token that
	// a late enqueue left in the buffer would block a send for ever.
	select {
	case g.wake <- struct{}{}:
	default:
	}
	<-g.done
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failed
}

// oneByOne applies changes through the plain Store methods.
type oneByOne struct{ Store }

func (s oneByOne) Apply(ctx context.Context, changes []Change) error {
	for i := range changes {
		c := &changes[i]
		var err error
		if c.Begin != nil {
			c.Attempt, err = s.Store.Begin(ctx, *c.Begin)
		} else {
			err = s.Store.Finish(ctx, c.Key, c.Attempt, c.Outcome)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
