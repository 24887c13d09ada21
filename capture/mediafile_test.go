package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"onair/tools/testpeer"
)

func TestMediaFilePlaysInRealTime(t *testing.T) {
	for _, c := range []struct{ name, vcodec, acodec string }{
		{"clip.mp4", "libx264", "aac"},
		{"clip.nut", "rawvideo", "pcm_s16le"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.name)
			testpeer.MakeClip(t, path, testpeer.Clip{Width: 320, Height: 240, FPS: 25, Seconds: 2, Audio: true, VideoCodec: c.vcodec, AudioCodec: c.acodec})
			clock := NewClock()
			m, err := OpenMediaFile(clock, path, MediaFileOptions{Video: true, Audio: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if vi := m.Video().Info(); vi.Width != 320 || vi.Height != 240 || vi.FPS != 25 {
				t.Fatalf("video info %+v", vi)
			}
			start := time.Now()
			var frames, samples int
			var first, last time.Duration
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				for {
					f, release, err := m.Video().Read()
					if errors.Is(err, io.EOF) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					if b := f.Image.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
						t.Errorf("frame %v", b)
					}
					if _, ok := f.Image.(*image.YCbCr); !ok {
						t.Errorf("frame type %T", f.Image)
					}
					if frames == 0 {
						first = f.Time
					} else if f.Time <= last {
						t.Errorf("frame time %v after %v", f.Time, last)
					}
					if lag := clock.Now() - f.Time; lag < 0 || lag > 250*time.Millisecond {
						t.Errorf("frame %d handed out %v from its time", frames, lag)
					}
					last = f.Time
					frames++
					release()
				}
			}()
			go func() {
				defer wg.Done()
				for {
					c, release, err := m.Audio().Read()
					if errors.Is(err, io.EOF) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					if c.SampleRate != 48000 || c.Channels != 2 {
						t.Errorf("audio %d Hz %d ch", c.SampleRate, c.Channels)
					}
					samples += len(c.Samples) / c.Channels
					release()
				}
			}()
			wg.Wait()
			elapsed := time.Since(start)
			t.Logf("%d frames over %v, %d samples, played in %v", frames, last-first, samples, elapsed)
			if frames != 50 {
				t.Errorf("%d frames, want 50", frames)
			}
			if span := last - first; span < 1940*time.Millisecond || span > 1980*time.Millisecond {
				t.Errorf("frames span %v, want 1.96 s", span)
			}
			if samples < 96000-2048 || samples > 96000+2048 {
				t.Errorf("%d samples, want 96000 (±2048 for AAC priming and padding)", samples)
			}
			if elapsed < 1900*time.Millisecond || elapsed > 3*time.Second {
				t.Errorf("played 2 s of media in %v: not real time", elapsed)
			}
		})
	}
}

func TestMediaFileLoops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "short.mp4")
	testpeer.MakeClip(t, path, testpeer.Clip{Width: 160, Height: 120, FPS: 25, Seconds: 1})
	m, err := OpenMediaFile(NewClock(), path, MediaFileOptions{Video: true, Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var last time.Duration = -1
	for i := 0; i < 60; i++ { // 2.4 s of a 1 s clip
		f, release, err := m.Video().Read()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.Time <= last {
			t.Fatalf("frame %d at %v after %v", i, f.Time, last)
		}
		last = f.Time
		release()
	}
}

func TestMediaFileErrors(t *testing.T) {
	if _, err := OpenMediaFile(NewClock(), "/no/such/file.mp4", MediaFileOptions{Video: true}); err == nil {
		t.Fatal("a missing file opened")
	}
	path := filepath.Join(t.TempDir(), "silent.mp4")
	testpeer.MakeClip(t, path, testpeer.Clip{Width: 160, Height: 120, FPS: 25, Seconds: 1})
	if _, err := OpenMediaFile(NewClock(), path, MediaFileOptions{Video: true, Audio: true}); err == nil {
		t.Fatal("audio asked from a file without audio")
	}
}

// Each picture handed out is its own frame, also when the file needs converting to yuv420p and the
// reader is slower than the decoder: compared with what the ffmpeg CLI decodes (same scaler).
func TestMediaFilePicturesAreTheirOwnFrames(t *testing.T) {
	const w, h, n = 320, 240, 10
	for _, pix := range []string{"yuv420p", "yuv422p"} {
		t.Run(pix, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "clip.nut")
			testpeer.MakeClip(t, path, testpeer.Clip{Width: w, Height: h, FPS: 25, Seconds: 1, VideoCodec: "rawvideo", PixelFormat: pix})
			out, err := testpeer.Run(t, time.Minute, "ffmpeg", "-v", "error", "-i", path, "-frames:v", strconv.Itoa(n+1),
				"-sws_flags", "bilinear", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-")
			if err != nil {
				t.Fatalf("ffmpeg: %v", err)
			}
			want := func(i int) []byte { return out[i*w*h*3/2 : i*w*h*3/2+w*h] }
			m, err := OpenMediaFile(NewClock(), path, MediaFileOptions{Video: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			for i := 0; i < n; i++ {
				f, release, err := m.Video().Read()
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(30 * time.Millisecond) // the decoder runs ahead meanwhile
				y := f.Image.(*image.YCbCr).Y
				if !bytes.Equal(y[:w*h], want(i)) {
					t.Fatalf("picture %d differs from the file's (the next one's? %v)", i, bytes.Equal(y[:w*h], want(i+1)))
				}
				release()
			}
		})
	}
}

// A chunk's samples stay as they were read until it is released; released chunks' memory is
// reused for later ones.
func TestMediaFileAudioChunksAreTheirOwnUntilReleased(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clip.nut")
	testpeer.MakeClip(t, path, testpeer.Clip{Width: 64, Height: 48, FPS: 25, Seconds: 3, Audio: true, VideoCodec: "rawvideo", AudioCodec: "pcm_s16le"})
	m, err := OpenMediaFile(NewClock(), path, MediaFileOptions{Audio: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	type held struct{ samples, copy []float32 }
	var kept []held
	released := map[*float32]bool{}
	reused := 0
	for i := 0; ; i++ {
		c, release, err := m.Audio().Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if released[&c.Samples[0]] {
			reused++
		}
		if i%2 == 1 {
			released[&c.Samples[0]] = true
			release()
			continue
		}
		kept = append(kept, held{c.Samples, append([]float32(nil), c.Samples...)})
	}
	if reused == 0 {
		t.Fatal("no chunk reused the memory of one released before it")
	}
	for i, h := range kept {
		for j := range h.copy {
			if h.samples[j] != h.copy[j] {
				t.Fatalf("held chunk %d was written over at sample %d", i, j)
			}
		}
	}
	t.Logf("%d chunks held, %d reused released memory", len(kept), reused)
}

// The samples match what the ffmpeg CLI decodes from the same file, for interleaved 16-bit,
// interleaved float and planar float (AAC) audio.
func TestMediaFileAudioSamplesMatchFFmpeg(t *testing.T) {
	for _, c := range []struct{ name, vcodec, acodec string }{
		{"s16.nut", "rawvideo", "pcm_s16le"}, {"flt.mkv", "rawvideo", "pcm_f32le"}, {"fltp.mp4", "libx264", "aac"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.name)
			// Two tones, one per channel, so that a channel mix-up shows.
			if out, err := testpeer.Run(t, time.Minute, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25",
				"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000",
				"-filter_complex", "[1:a][2:a]amerge=inputs=2[a]", "-map", "0:v", "-map", "[a]", "-t", "0.5",
				"-c:v", c.vcodec, "-c:a", c.acodec, path); err != nil {
				t.Fatalf("making the clip: %v\n%s", err, out)
			}
			raw, err := testpeer.Run(t, time.Minute, "ffmpeg", "-v", "error", "-i", path, "-map", "0:a", "-f", "f32le", "-")
			if err != nil {
				t.Fatalf("ffmpeg: %v", err)
			}
			m, err := OpenMediaFile(NewClock(), path, MediaFileOptions{Audio: true})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			var got []float32
			for {
				ch, release, err := m.Audio().Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if ch.Channels != 2 {
					t.Fatalf("%d channels, want 2", ch.Channels)
				}
				got = append(got, ch.Samples...)
				release()
			}
			if len(got) != len(raw)/4 || len(got) == 0 {
				t.Fatalf("%d samples, ffmpeg decodes %d", len(got), len(raw)/4)
			}
			for i, v := range got {
				// The CLI's FFmpeg may be another version than the one linked in: a lossy decoder's
				// rounding may differ in the last bits, a lost or altered sample would not.
				if want := math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:])); math.Abs(float64(v-want)) > 1e-6 {
					t.Fatalf("sample %d (channel %d) is %v, ffmpeg's is %v", i, i%2, v, want)
				}
			}
		})
	}
}

// Audio from a file with video is released on the video's frame instants (the same arithmetic as
// the frames' own times, so both wake together); without video, when it is due.
func TestAudioIsReleasedOnTheFrameGrid(t *testing.T) {
	m := &MediaFile{start: 50 * time.Millisecond, video: &fileVideo{info: VideoInfo{FPS: 30}}}
	for k := int64(1); k < 20000; k += 7 {
		frame := m.start + mediaTime(k, astiav.NewRational(1, 30))
		for _, before := range []time.Duration{0, time.Nanosecond, 10 * time.Millisecond, 33 * time.Millisecond} {
			if got := m.onFrameGrid(frame - before); got < frame-time.Microsecond || got > frame+time.Microsecond {
				t.Fatalf("%v before frame %d (%v): released at %v", before, k, frame, got)
			}
		}
	}
	if got := (&MediaFile{start: m.start}).onFrameGrid(77 * time.Millisecond); got != 77*time.Millisecond {
		t.Fatalf("audio-only file: released at %v, want when due (77ms)", got)
	}
}
