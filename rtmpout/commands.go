package rtmpout

import (
	"encoding/binary"
	"fmt"

	"onair/rtmpout/amf0"
	"onair/rtmpout/chunk"
)

// Chunk stream ids, as FFmpeg and OBS use them.
const (
	csidControl = 2
	csidCommand = 3
	csidAudio   = 4
	csidVideo   = 6
	csidData    = 5
	csidStream  = 8 // publish and other NetStream commands
)

// User control event types (RTMP specification, 7.1.7).
const (
	eventPingRequest  = 6
	eventPingResponse = 7
)

func controlMessage(typ uint8, payload []byte) *chunk.Message {
	return &chunk.Message{CSID: csidControl, Type: typ, Payload: payload}
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func commandMessage(csid, streamID uint32, values ...any) (*chunk.Message, error) {
	b, err := amf0.Append(nil, values...)
	if err != nil {
		return nil, err
	}
	return &chunk.Message{CSID: csid, Type: chunk.TypeCommandAMF0, StreamID: streamID, Payload: b}, nil
}

// command is a decoded AMF0 command: name, transaction id, command object, arguments.
type command struct {
	name string
	txn  float64
	obj  amf0.Object
	args []any
}

func parseCommand(m *chunk.Message) (*command, error) {
	payload := m.Payload
	if m.Type == chunk.TypeCommandAMF3 && len(payload) > 0 {
		payload = payload[1:] // AMF3 command messages start with a format byte, then AMF0
	}
	vals, err := amf0.DecodeAll(payload)
	if err != nil && len(vals) < 2 {
		return nil, fmt.Errorf("malformed command: %w", err)
	}
	c := &command{}
	if len(vals) > 0 {
		c.name, _ = vals[0].(string)
	}
	if len(vals) > 1 {
		c.txn, _ = vals[1].(float64)
	}
	if len(vals) > 2 {
		c.obj, _ = vals[2].(amf0.Object)
	}
	if len(vals) > 3 {
		c.args = vals[3:]
	}
	return c, nil
}

// info returns the first information object of an _error or onStatus: code, level, description.
func (c *command) info() amf0.Object {
	for _, a := range c.args {
		if o, ok := a.(amf0.Object); ok {
			return o
		}
	}
	return c.obj
}

func (c *command) describe() string {
	o := c.info()
	s := o.String("code")
	if d := o.String("description"); d != "" {
		if s != "" {
			s += ": "
		}
		s += d
	}
	if s == "" {
		s = c.name
	}
	return s
}
