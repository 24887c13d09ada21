package encoder

import (
	"testing"
	"time"
)

// A lent picture must be read before it is released: here the capturer reuses it the moment it
// gets it back (it is blanked), so a picture released before x264 copied it would encode black.
func TestLentPictureIsReadBeforeRelease(t *testing.T) {
	const w, h, n = 640, 360, 10
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: 30, BitrateKbps: 2000, Codec: "libx264", Preset: "veryfast"})
	if err != nil {
		t.Fatal(err)
	}
	if v.lender == nil {
		t.Fatal("libx264 without a lender: every picture is copied")
	}
	got := collect(v)
	var sources [][]byte
	for i := 0; i < n; i++ {
		y, u, vv := pattern(w, h, i)
		sources = append(sources, append([]byte(nil), y...))
		f := i420Frame(w, h, y, u, vv, time.Duration(i)*time.Second/30)
		taken := make(chan struct{})
		f.Release = func() {
			clear(y)
			close(taken)
		}
		if err := v.Submit(f); err != nil {
			t.Fatal(err)
		}
		<-taken
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if v.lender.lent {
		t.Fatal("the last picture is still lent after Close")
	}
	pkts := <-got
	pics := decodeH264(t, v.Config(), pkts)
	if len(pics) != n {
		t.Fatalf("decoded %d pictures of %d", len(pics), n)
	}
	for i, p := range pics {
		if db := psnr(p.y, sources[i]); db < 30 {
			t.Fatalf("picture %d: luma PSNR %.1f dB against the source: released before it was read", i, db)
		}
	}
}
