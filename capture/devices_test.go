package capture

import (
	"errors"
	"image"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/driver"

	_ "onair/capture/drivers"
	"onair/tools/testpeer"
)

func TestListingHidesTheNullMicrophone(t *testing.T) {
	all := driver.GetManager().Query(func(driver.Driver) bool { return true })
	for _, d := range all {
		t.Logf("driver: %s %q %q", d.Info().DeviceType, d.Info().Label, d.Info().Name)
	}
	for _, d := range ListDevices() {
		t.Logf("offered: %+v", d)
		if strings.Contains(d.ID, nullMicrophone) {
			t.Fatalf("the null microphone is offered: %+v", d)
		}
	}
	// Where the only microphone is the null one, opening "the microphone" says there is none.
	hasReal := false
	for _, d := range ListDevices() {
		hasReal = hasReal || d.Kind == Microphone
	}
	if !hasReal {
		if _, err := OpenMicrophone(NewClock(), ""); !errors.Is(err, ErrNoMicrophone) {
			t.Fatalf("OpenMicrophone with no microphone: %v", err)
		}
	}
}

func TestUnknownDevicesAreClearErrors(t *testing.T) {
	if _, err := OpenCamera(NewClock(), "No Such Camera", 1280, 720, 30); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("camera: %v", err)
	}
	if _, err := OpenMicrophone(NewClock(), "No Such Microphone"); !errors.Is(err, ErrNoDevice) && !errors.Is(err, ErrNoMicrophone) {
		t.Fatalf("microphone: %v", err)
	}
}

// TestScreenUnderXvfb starts its own Xvfb and runs the screen check in a child process: the X11
// driver looks for screens when the process starts.
func TestScreenUnderXvfb(t *testing.T) {
	if os.Getenv("ONAIR_SCREEN_CHILD") != "" {
		screenChild(t)
		return
	}
	disp := testpeer.StartXvfb(t, "640x480x24")
	child := exec.Command(os.Args[0], "-test.run", "^TestScreenUnderXvfb$", "-test.v")
	child.Env = append(os.Environ(), "DISPLAY="+disp, "ONAIR_SCREEN_CHILD=1")
	out, err := child.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("screen check: %v", err)
	}
}

func screenChild(t *testing.T) {
	var screens []Device
	for _, d := range ListDevices() {
		if d.Kind == Screen {
			screens = append(screens, d)
		}
	}
	if len(screens) == 0 {
		t.Fatal("no screen listed under Xvfb")
	}
	clock := NewClock()
	s, err := OpenScreen(clock, "", 30)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var first, last time.Duration
	n := 0
	for clock.Now() < 3*time.Second {
		f, release, err := s.Read()
		if err != nil {
			t.Fatal(err)
		}
		if b := f.Image.Bounds(); b.Dx() != 640 || b.Dy() != 480 {
			t.Fatalf("screen frame %v, want 640x480", b)
		}
		if _, ok := f.Image.(*image.RGBA); !ok {
			t.Fatalf("screen frame is %T", f.Image)
		}
		if n == 0 {
			first = f.Time
		}
		last = f.Time
		n++
		release()
	}
	fps := float64(n-1) / (last - first).Seconds()
	t.Logf("screen: %d frames at %.1f fps", n, fps)
	if fps < 25 || fps > 31 {
		t.Fatalf("screen delivered %.1f fps, asked 30", fps)
	}
}
