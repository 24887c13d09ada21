package capture

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"
)

func registeredMicrophones() []driver.Driver {
	return driver.GetManager().Query(func(d driver.Driver) bool { return d.Info().DeviceType == driver.Microphone })
}

// Microphones register on first use, not when the program starts. A child process, so that no
// other test has listed devices before.
func TestMicrophonesRegisterOnFirstUse(t *testing.T) {
	if os.Getenv("ONAIR_MIC_CHILD") != "" {
		if n := len(registeredMicrophones()); n != 0 {
			t.Fatalf("%d microphones registered before any was asked for", n)
		}
		ListDevices()
		if microphones.ctx != nil && len(registeredMicrophones()) == 0 {
			t.Fatal("miniaudio started, yet listing registered no microphone (not even its null one)")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMicrophonesRegisterOnFirstUse$", "-test.v")
	cmd.Env = append(os.Environ(), "ONAIR_MIC_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// Recording through miniaudio's null device (which every machine has): float32 chunks at 48 kHz
// in the asked channel count, and EOF once closed.
func TestMicrophoneRecordsThroughMiniaudio(t *testing.T) {
	loadMicrophones()
	var null driver.Driver
	for _, d := range registeredMicrophones() {
		if strings.Contains(d.Info().Label, nullMicrophone) {
			null = d
		}
	}
	if null == nil {
		t.Skip("miniaudio has no null device here")
	}
	if err := null.Open(); err != nil {
		t.Fatal(err)
	}
	r, err := null.(driver.AudioRecorder).AudioRecord(prop.Media{Audio: prop.Audio{ChannelCount: 2, SampleRate: 48000}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		a, release, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		f, ok := a.(*wave.Float32Interleaved)
		if !ok {
			t.Fatalf("chunk %d is %T", i, a)
		}
		if ci := f.ChunkInfo(); ci.Channels != 2 || ci.SamplingRate != 48000 || ci.Len == 0 || len(f.Data) != ci.Len*2 {
			t.Fatalf("chunk %d: %+v with %d samples", i, ci, len(f.Data))
		}
		release()
	}
	done := make(chan error, 1)
	go func() {
		for {
			if _, _, err := r.Read(); err != nil {
				done <- err
				return
			}
		}
	}()
	if err := null.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("after Close: %v, want EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading went on after Close")
	}
}
