package amf0

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// cases are byte-exact encodings; they also seed FuzzDecode.
var cases = []struct {
	name  string
	value any
	hex   string
}{
	{"number", 1.0, "003ff0000000000000"},
	{"number zero", 0.0, "000000000000000000"},
	{"true", true, "0101"},
	{"false", false, "0100"},
	{"string", "live", "0200046c697665"},
	{"empty string", "", "020000"},
	{"null", nil, "05"},
	{"undefined", Undefined{}, "06"},
	{"object", Object{{"app", "live"}, {"n", 3.0}}, "03000361707002000" + "46c697665" + "00016e" + "004008000000000000" + "000009"},
	{"empty object", Object{}, "03000009"},
	{"ecma array", ECMAArray{{"width", 1280.0}}, "0800000001" + "0005" + "7769647468" + "004094000000000000" + "000009"},
	{"strict array", StrictArray{1.0, "a"}, "0a00000002" + "003ff0000000000000" + "02000161"},
	{"date", Date{Millis: 1000, TimeZone: 0}, "0b" + "408f400000000000" + "0000"},
	{"nested", Object{{"o", Object{{"b", false}}}}, "030001" + "6f" + "030001" + "62" + "0100" + "000009" + "000009"},
}

func TestEncodeByteExact(t *testing.T) {
	for _, c := range cases {
		got, err := Append(nil, c.value)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if h := hex.EncodeToString(got); h != c.hex {
			t.Errorf("%s: encoded %s, want %s", c.name, h, c.hex)
		}
	}
}

func TestDecodeByteExact(t *testing.T) {
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		v, n, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n != len(b) {
			t.Errorf("%s: consumed %d of %d bytes", c.name, n, len(b))
		}
		want := c.value
		if o, ok := want.(Object); ok && len(o) == 0 {
			want = Object(nil)
		}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("%s: decoded %#v, want %#v", c.name, v, want)
		}
	}
}

func TestLongString(t *testing.T) {
	s := strings.Repeat("x", 70000)
	b, err := Append(nil, s)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != markerLongString || len(b) != 5+70000 {
		t.Fatalf("long string encoded with marker %#x and %d bytes", b[0], len(b))
	}
	v, _, err := Decode(b)
	if err != nil || v.(string) != s {
		t.Fatalf("long string round trip failed: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		hex  string
		want error
	}{
		{"", ErrShort},
		{"00", ErrShort},
		{"0200", ErrShort},
		{"020005616263", ErrShort},
		{"03000161", ErrShort},
		{"0affffffff", ErrShort},
		{"11", ErrUnsupported},
		{strings.Repeat("0a00000001", 100) + "05", ErrTooDeep},
	} {
		b, _ := hex.DecodeString(c.hex)
		if _, _, err := Decode(b); !errors.Is(err, c.want) {
			t.Errorf("Decode(%s) error = %v, want %v", c.hex, err, c.want)
		}
	}
}

func TestDecodeAllCommand(t *testing.T) {
	// A real _result of connect as nginx-rtmp sends it, reduced.
	b, _ := Append(nil, "_result", 1.0, Object{{"fmsVer", "FMS/3,0,1,123"}}, Object{{"level", "status"}, {"code", "NetConnection.Connect.Success"}})
	vals, err := DecodeAll(b)
	if err != nil || len(vals) != 4 {
		t.Fatalf("DecodeAll = %v, %v", vals, err)
	}
	if code := vals[3].(Object).String("code"); code != "NetConnection.Connect.Success" {
		t.Fatalf("code = %q", code)
	}
}

func TestEncodeRejectsUnknownTypes(t *testing.T) {
	if _, err := Append(nil, struct{}{}); err == nil {
		t.Fatal("encoding a struct did not fail")
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, n, err := Decode(b)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("consumed %d of %d bytes", n, len(b))
		}
		// What decodes must encode again and decode to the same value.
		enc, err := Append(nil, v)
		if err != nil {
			t.Fatalf("re-encode %#v: %v", v, err)
		}
		v2, _, err := Decode(enc)
		if err != nil {
			t.Fatalf("decode of re-encoding: %v", err)
		}
		enc2, err := Append(nil, v2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable: %x then %x (%v)", enc, enc2, err)
		}
	})
}
