package broadcast

import (
	"time"

	"onair/encoder"
)

// sender puts audio and video in time order, records them, and hands them to every destination.
// Only the sender goroutine touches it.
type sender struct {
	s     *Session
	merge *merger
	// held sends a packet held for the other stream when no later packet came to take it along.
	held    *time.Timer
	heldFor time.Duration
}

// runSender is the sender goroutine; senderDone is closed when it and every destination have
// finished.
func (s *Session) runSender() {
	defer close(s.senderDone)
	snd := &sender{s: s, merge: newMerger(s.src.video != nil, s.src.audio != nil), heldFor: -1}
	snd.held = time.NewTimer(time.Hour)
	snd.held.Stop()
	defer snd.held.Stop()
	if s.plan.RecordOnly {
		s.setState(StateRecording, nil)
	}
	for _, d := range s.dests {
		go d.run()
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
		case <-snd.held.C: // a packet waited long enough for the other stream: popped below
			snd.heldFor = -1
		case <-s.keyNeeded:
			// A destination went live: it starts on a keyframe, so ask for one unless one is on
			// its way (the encoder's first frame is one).
			if s.venc != nil && !snd.merge.holdsKeyframe() && s.venc.Stats().Encoded > 0 {
				s.venc.ForceKeyframe()
			}
		case <-stopping:
			// Keep draining (without writing) until the producers have closed their channels.
			stopping = nil
			snd.merge.flush()
		}
		snd.afterEvent()
	}
}

// afterEvent sends what the merger lets go.
func (snd *sender) afterEvent() {
	s := snd.s
	for {
		p, ok := snd.merge.pop(s.clock.Now())
		if !ok {
			break
		}
		if s.ctx.Err() == nil {
			s.record(p)
			for _, d := range s.dests {
				d.write(p) // the connection copies what it queues
			}
		}
		p.Release()
	}
	if due, ok := snd.merge.due(); ok && due != snd.heldFor {
		snd.heldFor = due
		snd.held.Reset(time.Until(s.clock.At(due)))
	}
}

// finish lets every destination flush and close, then closes the recording and the audio encoder
// and sets the final state.
func (snd *sender) finish() {
	s := snd.s
	for _, d := range s.dests {
		close(d.end)
	}
	for _, d := range s.dests {
		<-d.done
	}
	s.StopRecording()
	if s.aenc != nil {
		s.aenc.Close()
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
