package encoder

import (
	"bufio"
	"bytes"

	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// BenchmarkVideoVsFFmpeg encodes the same y4m clip with OnAir's encoder and with the ffmpeg CLI
// (same x264 settings) and reports the CPU each spent per frame. Goal: OnAir ≤ 1.05 × ffmpeg.
// Run with: go test -run '^$' -bench VsFFmpeg -benchtime 1x ./encoder
func BenchmarkVideoVsFFmpeg(b *testing.B) {
	for _, s := range []struct {
		name          string
		width, height int
	}{{"720p30", 1280, 720}, {"1080p30", 1920, 1080}} {
		b.Run(s.name, func(b *testing.B) {
			const fps, frames = 30, 150
			clip := filepath.Join(b.TempDir(), "clip.y4m")
			testpeer.MakeClip(b, clip, testpeer.Clip{Width: s.width, Height: s.height, FPS: fps,
				Seconds: float64(frames) / fps, VideoCodec: "rawvideo"})
			var ours, theirs time.Duration
			for i := 0; i < b.N; i++ { // alternate the two, so both see the same machine
				ours += encodeY4M(b, clip, s.width, s.height, fps)
				theirs += ffmpegEncode(b, clip)
			}
			per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(frames*b.N) }
			b.ReportMetric(per(ours), "onair-cpu-ms/frame")
			b.ReportMetric(per(theirs), "ffmpeg-cpu-ms/frame")
			b.ReportMetric(float64(ours)/float64(theirs), "ratio")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// encodeY4M reads the clip frame by frame and encodes it; it returns the process CPU time used.
func encodeY4M(b *testing.B, path string, w, h, fps int) time.Duration {
	runtime.GC()
	start := cpuTime()
	file, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	r := bufio.NewReaderSize(file, 1<<20)
	if _, err := r.ReadString('\n'); err != nil { // stream header
		b.Fatal(err)
	}
	// The same settings as the ffmpeg command (the preset named, so no start-up trial is timed).
	v, err := NewVideo(VideoConfig{Width: w, Height: h, FPS: fps, BitrateKbps: 4500, Codec: "libx264", Preset: "veryfast"})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan int)
	go func() {
		n := 0
		for range v.Packets() {
			n++
		}
		done <- n
	}()
	frame := make([]byte, w*h*3/2)
	free := make(chan struct{}, 1)
	free <- struct{}{}
	for i := 0; ; i++ {
		<-free // one buffer: wait until the encoder has converted the previous frame
		line, err := r.ReadSlice('\n')
		if err == io.EOF {
			break
		}
		if err != nil || !bytes.HasPrefix(line, []byte("FRAME")) {
			b.Fatalf("y4m frame header: %q %v", line, err)
		}
		if _, err := io.ReadFull(r, frame); err != nil {
			b.Fatal(err)
		}
		f := i420Frame(w, h, frame[:w*h], frame[w*h:w*h*5/4], frame[w*h*5/4:], time.Duration(i)*time.Second/time.Duration(fps))
		f.Release = func() { free <- struct{}{} }
		if err := v.Submit(f); err != nil {
			b.Fatal(err)
		}
	}
	if err := v.Close(); err != nil {
		b.Fatal(err)
	}
	if n := <-done; n == 0 {
		b.Fatal("no packets")
	}
	return cpuTime() - start
}

func ffmpegEncode(b *testing.B, path string) time.Duration {
	cmd := testpeer.Command(b.Context(), "ffmpeg", "-v", "error", "-i", path, "-c:v", "libx264", "-preset", "veryfast",
		"-tune", "zerolatency", "-b:v", "4500k", "-maxrate", "4500k", "-bufsize", "4500k", "-g", "60",
		"-sc_threshold", "0", "-bf", "0", "-f", "null", "-")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}
