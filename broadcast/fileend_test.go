package broadcast

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"onair/tools/testpeer"
)

// At a video file's end the stream stops by default, even when its sound comes from elsewhere (no
// frozen picture with sound), and says why; with AtFileEnd hold it goes on with "Be right back"
// and silence, and says the file has ended.
func TestVideoFileEnd(t *testing.T) {
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	testpeer.MakeClip(t, clip, testpeer.Clip{Width: 320, Height: 180, FPS: 30, Seconds: 2, Audio: true})
	n := testpeer.StartNginx(t, testpeer.NginxOptions{})

	stop, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "end", Width: 320, Height: 180,
		FPS: 30, VideoKbps: 500, Video: "file:" + clip, Audio: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop.Stop)
	select {
	case <-stop.Done():
	case <-time.After(8 * time.Second):
		t.Fatalf("still %s 8 s into a 2 s file with the test tone", stop.State())
	}
	if st := stop.Snapshot(); st.State != StateStopped || st.Ended != "the video file ended" {
		t.Fatalf("at the file's end: %s, ended %q", st.State, st.Ended)
	}

	hold, err := Start(context.Background(), Config{Preset: "custom", Server: n.URL(""), Key: "hold", Width: 320, Height: 180,
		FPS: 30, VideoKbps: 500, Video: "file:" + clip, Audio: "file", AtFileEnd: FileEndHold})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hold.Stop)
	waitState(t, hold, StateLive, 5*time.Second)
	time.Sleep(4 * time.Second)
	before := hold.Snapshot()
	time.Sleep(2 * time.Second)
	after := hold.Snapshot()
	t.Logf("held: %s, lost %v, %d then %d frames sent, %d then %d audio frames", after.State, after.LostDevices,
		before.FramesSent, after.FramesSent, before.AudioSent, after.AudioSent)
	if after.State != StateLive || len(after.LostDevices) != 1 || after.FramesSent < before.FramesSent+50 || after.AudioSent < before.AudioSent+80 {
		t.Fatal("after the file's end the held stream should go on, with pictures and sound, and say the file ended")
	}
}
