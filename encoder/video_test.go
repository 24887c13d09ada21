package encoder

import (
	"bytes"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asticode/go-astiav"
)

func TestVideoRoundTripQualityAndKeyframes(t *testing.T) {
	const w, h, fps, n = 1280, 720, 30, 150
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: 4500, Codec: "libx264"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	var sources [][]byte
	for i := 0; i < n; i++ {
		y, u, vv := pattern(w, h, i)
		sources = append(sources, y)
		submitWait(t, v, i420Frame(w, h, y, u, vv, time.Duration(i)*time.Second/fps))
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	pkts := <-got
	if len(pkts) != n {
		t.Fatalf("%d packets for %d frames", len(pkts), n)
	}
	for i, p := range pkts {
		wantKey := i%(2*fps) == 0
		if p.Keyframe != wantKey {
			t.Fatalf("packet %d (pts %v): keyframe %v, want %v", i, p.PTS, p.Keyframe, wantKey)
		}
		if p.DTS > p.PTS {
			t.Fatalf("packet %d: dts %v after pts %v", i, p.DTS, p.PTS)
		}
	}
	cfg := v.Config()
	if len(cfg) < 8 || cfg[0] != 0 || cfg[1] != 0 {
		t.Fatalf("configuration is not Annex B: %x", cfg)
	}
	pics := decodeH264(t, cfg, pkts)
	if len(pics) != n {
		t.Fatalf("decoded %d pictures, encoded %d", len(pics), n)
	}
	var sum float64
	for i, p := range pics {
		if p.w != w || p.h != h {
			t.Fatalf("picture %d is %dx%d", i, p.w, p.h)
		}
		sum += psnr(p.y, sources[i])
	}
	if avg := sum / n; avg < 30 {
		t.Fatalf("average luma PSNR %.1f dB, want > 30", avg)
	} else {
		t.Logf("average luma PSNR %.1f dB at 4500 kb/s 720p", avg)
	}
	if st := v.Stats(); st.Encoded != n || st.Skipped != 0 || st.Codec != "libx264" {
		t.Fatalf("stats %+v", st)
	}
}

func TestForceKeyframe(t *testing.T) {
	const w, h, fps = 320, 240, 30
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: 500, Codec: "libx264"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	for i := 0; i < 20; i++ {
		if i == 10 {
			v.ForceKeyframe()
		}
		y, u, vv := pattern(w, h, i)
		submitWait(t, v, i420Frame(w, h, y, u, vv, time.Duration(i)*time.Second/fps))
	}
	_ = v.Close()
	pkts := <-got
	for i, p := range pkts {
		if p.Keyframe != (i == 0 || i == 10) {
			t.Fatalf("packet %d keyframe=%v (%d packets, stats %+v)", i, p.Keyframe, len(pkts), v.Stats())
		}
	}
}

func TestSubmitNeverBlocksAndCountsSkips(t *testing.T) {
	const w, h = 1280, 720
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: 30, BitrateKbps: 2000, Codec: "libx264"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(v)
	y, u, vv := pattern(w, h, 0)
	var released atomic.Int64
	start := time.Now()
	for i := 0; i < 200; i++ {
		f := i420Frame(w, h, y, u, vv, time.Duration(i)*time.Millisecond)
		f.Release = func() { released.Add(1) }
		if err := v.Submit(f); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("200 submits took %v", d)
	}
	_ = v.Close()
	pkts := <-got
	st := v.Stats()
	if st.Skipped == 0 || st.Encoded+st.Skipped != 200 || uint64(len(pkts)) != st.Encoded {
		t.Fatalf("encoded %d, skipped %d, packets %d for 200 submitted", st.Encoded, st.Skipped, len(pkts))
	}
	if n := released.Load(); n != 200 {
		t.Fatalf("%d of 200 frames released", n)
	}
}

func TestBadVideoConfig(t *testing.T) {
	for _, c := range []VideoConfig{{Width: 0, Height: 720, FPS: 30, BitrateKbps: 1}, {Width: 1281, Height: 720, FPS: 30, BitrateKbps: 1},
		{Width: 1280, Height: 720, FPS: 0, BitrateKbps: 1}, {Width: 1280, Height: 720, FPS: 30}, {Width: 64, Height: 64, FPS: 30, BitrateKbps: 100, Codec: "nope"}} {
		if _, err := NewVideo(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

func TestHardwareFallsBackToLibx264(t *testing.T) {
	v, err := NewVideo(VideoConfig{Width: 320, Height: 240, FPS: 30, BitrateKbps: 500})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	go func() {
		for range v.Packets() {
		}
	}()
	t.Logf("hardware encoders that work here: %v; chosen: %s", hardwareThatWorks(), v.Codec())
	if len(hardwareThatWorks()) == 0 && v.Codec() != "libx264" {
		t.Fatalf("no hardware here, yet %s was chosen", v.Codec())
	}
}

// TestScaleContextPointer guards swsPtr's reach into astiav.SoftwareScaleContext's private layout:
// the context it finds must be the one go-astiav made, with its sizes.
func TestScaleContextPointer(t *testing.T) {
	ssc, err := astiav.CreateSoftwareScaleContext(64, 48, astiav.PixelFormatRgba, 32, 16, astiav.PixelFormatYuv420P,
		astiav.NewSoftwareScaleContextFlags(astiav.SoftwareScaleContextFlagBilinear))
	if err != nil {
		t.Fatal(err)
	}
	defer ssc.Free()
	if w, h := swsSizes(ssc); w != [2]int{64, 32} || h != [2]int{48, 16} {
		t.Fatalf("swsPtr found a context of %v x %v, want widths [64 32] heights [48 16]: the layout of astiav.SoftwareScaleContext changed", w, h)
	}
}

// TestRateChangesMidStream checks that the rate setters reach x264's context (libx264 reconfigures
// itself when they change between frames).
func TestRateChangesMidStream(t *testing.T) {
	cc, err := openVideo("libx264", VideoConfig{Width: 64, Height: 64, FPS: 30, BitrateKbps: 800, KeyframeInterval: time.Second, Preset: "ultrafast", Profile: "high"})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Free()
	if cc.RateControlMaxRate() != 800000 || cc.RateControlBufferSize() != 800000 {
		t.Fatalf("after open: maxrate %d bufsize %d, want 800000", cc.RateControlMaxRate(), cc.RateControlBufferSize())
	}
	r := newRateControl(800)
	for _, c := range []struct{ kbps, buffer int }{
		{1234, 800},  // a raise keeps the buffer's bits
		{2000, 1000}, // but no less than half a second
		{500, 500},   // a cut shrinks it to a second at most
		{600, 500},
	} {
		r.apply(cc, c.kbps, 1, 0)
		if cc.BitRate() != int64(c.kbps)*1000 || cc.RateControlMaxRate() != int64(c.kbps)*1000 || cc.RateControlBufferSize() != c.buffer*1000 {
			t.Fatalf("at %d kb/s: rate %d, maxrate %d, buffer %d; want buffer %d kbit", c.kbps, cc.BitRate(), cc.RateControlMaxRate(), cc.RateControlBufferSize(), c.buffer)
		}
	}
}

func TestPresetIsChosenByATrial(t *testing.T) {
	cfg := VideoConfig{Width: 1280, Height: 720, FPS: 30, BitrateKbps: 4500, KeyframeInterval: 2 * time.Second, Profile: "high"}
	s, fps := chooseStep(cfg, trialFPS)
	t.Logf("720p30: %v at %.0f fps in the trial", s, fps)
	if fps <= 0 {
		t.Fatal("the trial encoded nothing")
	}
	if s != ladder[len(ladder)-1] && fps < s.needs(30) {
		t.Fatalf("%v chosen at %.0f fps, below %.0f", s, fps, s.needs(30))
	}
	// A rate no machine keeps ends on the last step.
	cfg.Width, cfg.Height, cfg.FPS = 1920, 1080, 240
	if s, _ := chooseStep(cfg, trialFPS); s != ladder[len(ladder)-1] {
		t.Fatalf("1080p240 chose %v", s)
	}
}

func TestOneThreadNeedsMoreHeadroom(t *testing.T) {
	// A machine where one thread manages 80 fps and x264's slice threads 120 (veryfast) or more.
	trial := func(c VideoConfig) float64 {
		if c.Threads == 1 {
			return 80
		}
		return map[string]float64{"veryfast": 120, "superfast": 200, "ultrafast": 400}[c.Preset]
	}
	for _, tc := range []struct {
		fps  int
		want step
	}{
		{30, step{"veryfast", 1}},   // 80 >= 2.5 x 30
		{40, step{"veryfast", 0}},   // 80 < 2.5 x 40; 120 >= 1.5 x 40
		{100, step{"superfast", 0}}, // 120 < 150; 200 >= 150
		{500, step{"ultrafast", 0}}, // nothing keeps up: the last step
	} {
		if s, _ := chooseStep(VideoConfig{FPS: tc.fps}, trial); s != tc.want {
			t.Errorf("at %d fps: %v, want %v", tc.fps, s, tc.want)
		}
	}
}

func TestThreadsReachX264(t *testing.T) {
	for _, threads := range []int{1, 0} {
		v, err := NewVideo(VideoConfig{Width: 320, Height: 240, FPS: 30, BitrateKbps: 800, Codec: "libx264", Preset: "veryfast", Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		got := collect(v)
		for i := 0; i < 3; i++ {
			y, u, vv := pattern(320, 240, i)
			submitWait(t, v, i420Frame(320, 240, y, u, vv, time.Duration(i)*time.Second/30))
		}
		v.Close()
		var stream []byte // x264 writes its settings into the first keyframe
		for _, p := range <-got {
			stream = append(stream, p.Data...)
		}
		want := "threads=1 "
		if threads == 0 {
			want = "sliced_threads=1"
		}
		if !bytes.Contains(stream, []byte(want)) {
			t.Errorf("Threads %d: x264's settings lack %q", threads, want)
		}
		if v.Stats().Threads != threads {
			t.Errorf("Stats().Threads = %d, want %d", v.Stats().Threads, threads)
		}
	}
}

func TestHardwareIsTriedOnlyWithItsDevice(t *testing.T) {
	present := map[string]bool{"/dev/dri/renderD*": true}
	glob := func(p string) ([]string, error) {
		if present[p] {
			return []string{p}, nil
		}
		return nil, nil
	}
	got := worthTrying(hardwareCandidates, glob)
	if len(got) != 2 || got[0] != "h264_qsv" || got[1] != "h264_vaapi" {
		t.Fatalf("with only a DRM render node: %v; want [h264_qsv h264_vaapi]", got)
	}
	if got := worthTrying(hardwareCandidates, func(string) ([]string, error) { return nil, nil }); len(got) != 0 {
		t.Fatalf("with no devices: %v", got)
	}
	// Forced anyway, a trial without its device fails cleanly (no crash, no encoder).
	level := astiav.GetLogLevel()
	astiav.SetLogLevel(astiav.LogLevelQuiet) // their complaints are expected
	defer astiav.SetLogLevel(level)
	for _, c := range hardwareCandidates {
		if m, _ := filepath.Glob(c.devices); len(m) == 0 && trialEncode(c.name) {
			t.Errorf("%s encoded with no %s", c.name, c.devices)
		}
	}
}

// The start-up trial accepts an encoder only if a forced keyframe comes out as an IDR frame; it
// refuses libx264 opened so that a forced keyframe is a plain I frame.
func TestTrialChecksForcedKeyframesAreIDR(t *testing.T) {
	cfg := VideoConfig{Width: 320, Height: 240, FPS: 30, BitrateKbps: 500, KeyframeInterval: 10 * time.Second, Preset: "veryfast", Profile: "main"}
	if !forcedKeyIsIDR("libx264", cfg) {
		t.Fatal("libx264 with forced-idr: the forced keyframe is not an IDR frame")
	}
	cfg.openGOP, cfg.BFrames = true, 2 // x264 opens GOPs only with B-frames
	if forcedKeyIsIDR("libx264", cfg) {
		t.Fatal("libx264 with open GOPs and without forced-idr passed the trial: the trial cannot tell")
	}
}
