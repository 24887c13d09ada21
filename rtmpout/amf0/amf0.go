// Package amf0 encodes and decodes Action Message Format 0, the value format of RTMP commands and
// metadata. It is standalone: no RTMP knowledge lives here.
package amf0

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Type markers (AMF0 specification, section 2.1).
const (
	markerNumber      = 0x00
	markerBoolean     = 0x01
	markerString      = 0x02
	markerObject      = 0x03
	markerNull        = 0x05
	markerUndefined   = 0x06
	markerECMAArray   = 0x08
	markerObjectEnd   = 0x09
	markerStrictArray = 0x0A
	markerDate        = 0x0B
	markerLongString  = 0x0C
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

// Property is one key/value pair of an Object or ECMAArray; order is kept because servers and
// players read some fields positionally.
type Property struct {
	Key   string
	Value any
}

// Object is an anonymous AMF0 object.
type Object []Property

// ECMAArray is an associative array (onMetaData uses it).
type ECMAArray []Property

// StrictArray is an ordinal array.
type StrictArray []any

// Undefined is AMF0's undefined; nil stands for null.
type Undefined struct{}

// Date is milliseconds since the Unix epoch; the time-zone field is reserved and kept as read.
type Date struct {
	Millis   float64
	TimeZone int16
}

// ErrShort means the input ended inside a value.
var ErrShort = errors.New("amf0: input ends inside a value")

// ErrUnsupported means a type marker this decoder does not know.
var ErrUnsupported = errors.New("amf0: unsupported type marker")

// ErrTooDeep means nesting beyond maxDepth.
var ErrTooDeep = errors.New("amf0: nesting too deep")

// Get returns the value stored under key.
func (o Object) Get(key string) (any, bool) { return get(o, key) }

// String returns the string stored under key, or "".
func (o Object) String(key string) string {
	v, _ := get(o, key)
	s, _ := v.(string)
	return s
}

// Get returns the value stored under key.
func (a ECMAArray) Get(key string) (any, bool) { return get(a, key) }

func get(props []Property, key string) (any, bool) {
	for _, p := range props {
		if p.Key == key {
			return p.Value, true
		}
	}
	return nil, false
}

// Append encodes values after dst. Integers become numbers; other Go types are an error.
func Append(dst []byte, values ...any) ([]byte, error) {
	var err error
	for _, v := range values {
		if dst, err = appendValue(dst, v, 0); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, ErrTooDeep
	}
	switch v := v.(type) {
	case nil:
		return append(dst, markerNull), nil
	case Undefined:
		return append(dst, markerUndefined), nil
	case float64:
		return appendNumber(dst, v), nil
	case int:
		return appendNumber(dst, float64(v)), nil
	case int64:
		return appendNumber(dst, float64(v)), nil
	case uint32:
		return appendNumber(dst, float64(v)), nil
	case bool:
		b := byte(0)
		if v {
			b = 1
		}
		return append(dst, markerBoolean, b), nil
	case string:
		if len(v) > math.MaxUint16 {
			dst = append(dst, markerLongString)
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
			return append(dst, v...), nil
		}
		return appendShortString(append(dst, markerString), v), nil
	case Object:
		return appendProps(append(dst, markerObject), v, depth)
	case ECMAArray:
		dst = append(dst, markerECMAArray)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
		return appendProps(dst, v, depth)
	case StrictArray:
		dst = append(dst, markerStrictArray)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
		var err error
		for _, e := range v {
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case Date:
		dst = append(dst, markerDate)
		dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(v.Millis))
		return binary.BigEndian.AppendUint16(dst, uint16(v.TimeZone)), nil
	}
	return nil, fmt.Errorf("amf0: cannot encode %T", v)
}

func appendNumber(dst []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, markerNumber), math.Float64bits(f))
}

func appendShortString(dst []byte, s string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(s)))
	return append(dst, s...)
}

func appendProps(dst []byte, props []Property, depth int) ([]byte, error) {
	var err error
	for _, p := range props {
		if len(p.Key) > math.MaxUint16 {
			return nil, fmt.Errorf("amf0: property name of %d bytes", len(p.Key))
		}
		dst = appendShortString(dst, p.Key)
		if dst, err = appendValue(dst, p.Value, depth+1); err != nil {
			return nil, err
		}
	}
	return append(dst, 0, 0, markerObjectEnd), nil
}

// DecodeAll decodes every value in b.
func DecodeAll(b []byte) ([]any, error) {
	var out []any
	for len(b) > 0 {
		v, n, err := Decode(b)
		if err != nil {
			return out, err
		}
		out = append(out, v)
		b = b[n:]
	}
	return out, nil
}

// Decode decodes the first value in b and returns it with the number of bytes it took.
func Decode(b []byte) (any, int, error) {
	d := decoder{b: b}
	v, err := d.value(0)
	return v, d.off, err
}

type decoder struct {
	b   []byte
	off int
}

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || len(d.b)-d.off < n {
		return nil, ErrShort
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s, nil
}

func (d *decoder) u16() (uint16, error) {
	s, err := d.take(2)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(s), nil
}

func (d *decoder) u32() (uint32, error) {
	s, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(s), nil
}

func (d *decoder) f64() (float64, error) {
	s, err := d.take(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.BigEndian.Uint64(s)), nil
}

func (d *decoder) str(n int) (string, error) {
	s, err := d.take(n)
	return string(s), err
}

func (d *decoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, ErrTooDeep
	}
	m, err := d.take(1)
	if err != nil {
		return nil, err
	}
	switch m[0] {
	case markerNumber:
		return d.f64()
	case markerBoolean:
		b, err := d.take(1)
		if err != nil {
			return nil, err
		}
		return b[0] != 0, nil
	case markerString:
		n, err := d.u16()
		if err != nil {
			return nil, err
		}
		return d.str(int(n))
	case markerLongString:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		return d.str(int(n))
	case markerObject:
		props, err := d.props(depth)
		return Object(props), err
	case markerNull:
		return nil, nil
	case markerUndefined:
		return Undefined{}, nil
	case markerECMAArray:
		if _, err := d.u32(); err != nil { // the count is a hint; the end marker decides
			return nil, err
		}
		props, err := d.props(depth)
		return ECMAArray(props), err
	case markerStrictArray:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		if int64(n) > int64(len(d.b)-d.off) { // each element takes at least one byte
			return nil, ErrShort
		}
		arr := make(StrictArray, 0, n)
		for i := uint32(0); i < n; i++ {
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		return arr, nil
	case markerDate:
		ms, err := d.f64()
		if err != nil {
			return nil, err
		}
		tz, err := d.u16()
		return Date{Millis: ms, TimeZone: int16(tz)}, err
	}
	return nil, fmt.Errorf("%w 0x%02x at byte %d", ErrUnsupported, m[0], d.off-1)
}

func (d *decoder) props(depth int) ([]Property, error) {
	var props []Property
	for {
		n, err := d.u16()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			m, err := d.take(1)
			if err != nil {
				return nil, err
			}
			if m[0] == markerObjectEnd {
				return props, nil
			}
			d.off-- // an empty key followed by a value
		}
		key, err := d.str(int(n))
		if err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		props = append(props, Property{Key: key, Value: v})
	}
}
