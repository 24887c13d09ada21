package broadcast

import (
	"context"
	"time"

	"onair/encoder"
)

// sender owns the connection: it connects, puts audio and video in time order, writes them on the
// stream's timeline, reconnects, and closes at the end. Only the sender goroutine touches it.
type sender struct {
	s      *Session
	tl     *timeline
	conn   *liveConn // nil while disconnected
	merge  *merger
	failed <-chan struct{} // the live connection's failure; nil while disconnected
	// Attempts: one is current; an older one given up for a fresh one is cancelled, and its result
	// dropped when it comes.
	dialed      chan dialResult
	dialing     bool // the current attempt runs
	dialGen     int  // the current attempt's number
	outstanding int  // attempts whose result has not come yet
	dialStarted time.Time
	cancelDial  context.CancelFunc
	retry       <-chan time.Time // fires when the backoff wait is over; nil when none runs
	// The probe runs while disconnected: it tells when the server can be reached again.
	probed    chan bool
	stopProbe context.CancelFunc
	// lostAt is when the live connection was lost; protocolFailures counts attempts in a row that
	// met a server not speaking RTMP.
	lostAt           time.Time
	protocolFailures int
	// held sends a packet held for the other stream when no later packet came to take it along.
	held     *time.Timer
	heldFor  time.Duration
	silent   *time.Timer // observes the connection when no packet comes to trigger it
	observed time.Time
}

type dialResult struct {
	conn *liveConn
	err  error
	gen  int
}

// runSender is the sender goroutine; senderDone is closed when it has finished.
func (s *Session) runSender() {
	defer close(s.senderDone)
	snd := &sender{s: s, tl: newTimeline(), merge: newMerger(s.src.video != nil, s.src.audio != nil),
		dialed: make(chan dialResult, 4), probed: make(chan bool, 1), heldFor: -1}
	snd.silent = time.NewTimer(silentObserveEvery)
	defer snd.silent.Stop()
	snd.held = time.NewTimer(time.Hour)
	snd.held.Stop()
	defer snd.held.Stop()
	if s.plan.RecordOnly {
		s.setState(StateRecording, nil)
	} else {
		snd.startDial()
	}
	snd.run()
	snd.finish()
}

// run handles events until both streams have ended and every packet has gone.
func (snd *sender) run() {
	s := snd.s
	var video <-chan encoder.Packet // nil when there is none: a nil channel is never ready
	if s.venc != nil {
		video = s.venc.Packets()
	}
	audio := s.audioOut
	stopping := s.ctx.Done()
	for video != nil || audio != nil || snd.merge.pending() {
		select {
		case p, ok := <-video:
			if !ok {
				video = nil
				snd.merge.ended(true)
			} else {
				snd.merge.push(packet{video: true, Packet: p})
			}
		case p, ok := <-audio:
			if !ok {
				audio = nil
				snd.merge.ended(false)
			} else {
				snd.merge.push(packet{Packet: p})
			}
		case <-snd.silent.C: // observed below
		case <-snd.held.C: // a packet waited long enough for the other stream: popped below
			snd.heldFor = -1
		case r := <-snd.dialed:
			snd.dialDone(r)
		case <-snd.failed:
			snd.connFailed()
		case <-snd.retry:
			snd.startDial()
		case <-s.reconnectCh:
			if snd.conn == nil && !snd.dialing {
				snd.startDial()
			}
		case cameBack := <-snd.probed:
			snd.serverReachable(cameBack)
		case <-stopping:
			// Keep draining (without writing) until the producers have closed their channels.
			stopping = nil
			snd.merge.flush()
		}
		snd.afterEvent()
	}
}

// afterEvent observes the connection when due and sends what the merger lets go.
func (snd *sender) afterEvent() {
	s := snd.s
	if now := time.Now(); now.Sub(snd.observed) >= observeEvery {
		snd.observed = now
		snd.silent.Reset(silentObserveEvery) // pushed back while packets come: it never fires then
		if snd.conn != nil {
			snd.observe()
		}
	}
	for {
		p, ok := snd.merge.pop(s.clock.Now())
		if !ok {
			break
		}
		if s.ctx.Err() == nil {
			s.record(p)
			snd.write(p) // the connection copies what it queues
		}
		p.Release()
	}
	if due, ok := snd.merge.due(); ok && due != snd.heldFor {
		snd.heldFor = due
		snd.held.Reset(time.Until(s.clock.At(due)))
	}
}

// finish waits for a dial in progress, closes the connection and the encoders, and sets the final
// state.
func (snd *sender) finish() {
	s := snd.s
	snd.endProbe()
	limit := 5 * time.Second // a clean end flushes what is queued
	if s.ctx.Err() != nil {
		limit = time.Second // Stop is at once
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for snd.outstanding > 0 { // leave no attempt behind: Stop has cancelled them
		r := <-snd.dialed
		snd.outstanding--
		if r.conn != nil {
			r.conn.Close(ctx)
		}
	}
	if snd.cancelDial != nil {
		snd.cancelDial()
	}
	if snd.conn != nil {
		snd.conn.Close(ctx)
		snd.endConn()
	}
	s.StopRecording()
	if s.aenc != nil {
		s.aenc.Close()
	}
	if s.recv != nil {
		s.recv.Stop()
	}
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		s.setState(StateFailed, nil)
	} else {
		s.setState(StateStopped, nil)
	}
}
