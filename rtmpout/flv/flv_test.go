package flv

import (
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(s string) []byte { b, _ := hex.DecodeString(s); return b }

// A real x264 configuration: SPS (High, level 3.1) and PPS with 4-byte start codes.
var x264Config = unhex("00000001" + "6764001facd9405005bb011000000300100000030320f1831960" +
	"00000001" + "68ebecb22c")

func TestSplitAnnexB(t *testing.T) {
	for in, want := range map[string]string{
		"00000001aa00000301bb000001cc0000000001dd": "aa00000301bb cc00 dd", // 3- and 4-byte codes, escapes kept
		"":               "",
		"aabb":           "aabb", // no start code: one bare NAL unit
		"000001":         "",     // a start code and nothing after it
		"000001000001aa": "aa",   // an empty unit between two codes
		"aa000001bb":     "bb",   // bytes before the first code are not a unit
	} {
		var got []string
		SplitAnnexB(unhex(in), func(n []byte) { got = append(got, hex.EncodeToString(n)) })
		if strings.Join(got, " ") != want {
			t.Errorf("%s: got %q, want %q", in, strings.Join(got, " "), want)
		}
	}
}

func TestAVCSequenceHeader(t *testing.T) {
	b, err := AVCSequenceHeader(x264Config)
	if err != nil {
		t.Fatal(err)
	}
	// Header, then configurationVersion 1, profile/compat/level copied from the SPS, 4-byte lengths,
	// one SPS with its length, one PPS with its length.
	if hex.EncodeToString(b[:11]) != "1700000000"+"0164001fffe1" {
		t.Fatalf("header %x", b[:11])
	}
	sps := x264Config[4:30]
	if int(b[11])<<8|int(b[12]) != len(sps) || hex.EncodeToString(b[13:13+len(sps)]) != hex.EncodeToString(sps) {
		t.Fatalf("SPS in avcC wrong: %x", b[11:])
	}
	rest := b[13+len(sps):]
	if hex.EncodeToString(rest) != "01"+"0005"+"68ebecb22c" {
		t.Fatalf("PPS part %x", rest)
	}
	if _, err := AVCSequenceHeader(unhex("0000000168ebecb22c")); err != ErrNoParameterSets {
		t.Fatalf("PPS only: %v", err)
	}
}

func TestAppendVideo(t *testing.T) {
	au := unhex("00000001" + "0910" + "00000001" + "6588aa" + "000001" + "0188bb")
	got := hex.EncodeToString(AppendVideo(nil, au, true, 66))
	want := "1701000042" + "00000003" + "6588aa" + "00000003" + "0188bb"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if got := hex.EncodeToString(AppendVideo(nil, unhex("000001419a"), false, -33))[:10]; got != "2701ffffdf" {
		t.Fatalf("negative cts header %s", got)
	}
}

func TestDisposable(t *testing.T) {
	if !Disposable(unhex("00000001" + "019e")) { // nal_ref_idc 0, non-IDR slice
		t.Error("a non-reference slice is disposable")
	}
	if Disposable(unhex("00000001" + "419a")) { // nal_ref_idc 2
		t.Error("a reference slice is not disposable")
	}
	if Disposable(unhex("00000001" + "0910")) {
		t.Error("no slice at all is not disposable")
	}
}

func TestAAC(t *testing.T) {
	b, err := AACSequenceHeader(unhex("1190"))
	if err != nil || hex.EncodeToString(b) != "af001190" {
		t.Fatalf("sequence header %x, %v", b, err)
	}
	if got := hex.EncodeToString(AppendAudio(nil, unhex("2100"))); got != "af012100" {
		t.Fatalf("raw %s", got)
	}
	if _, err := AACSequenceHeader([]byte{1}); err == nil {
		t.Fatal("one-byte AudioSpecificConfig accepted")
	}
}
