package annexb

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

func TestUnits(t *testing.T) {
	for in, want := range map[string]string{
		// start:body:end of each unit
		"00000001aa00000301bb000001cc0000000001dd": "0:4:10 10:13:15 15:19:20",
		"":               "none",
		"aabb":           "none",
		"000001":         "0:3:3",
		"000001000001aa": "0:3:3 3:6:7",
		"aa000001bb":     "1:4:5",
		"0000000001aa":   "1:5:6", // only one extra zero makes a four-byte code
		"000001aa000001": "0:3:4 4:7:7",
	} {
		b, err := hex.DecodeString(in)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		if !Units(b, func(s, bd, e int) { got = append(got, fmt.Sprintf("%d:%d:%d", s, bd, e)) }) {
			got = []string{"none"}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: %s, want %s", in, strings.Join(got, " "), want)
		}
	}
}
