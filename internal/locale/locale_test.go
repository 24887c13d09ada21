package locale

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestConstructorRewritesCLocale runs this test binary again with C locales and checks what the Go
// side sees: the constructor ran before the runtime read the environment.
func TestConstructorRewritesCLocale(t *testing.T) {
	if os.Getenv("ONAIR_LOCALE_CHILD") != "" {
		os.Stdout.WriteString("LANG=" + os.Getenv("LANG") + " LC_ALL=" + os.Getenv("LC_ALL") + " LC_MESSAGES=" + os.Getenv("LC_MESSAGES") + "\n")
		return
	}
	for env, want := range map[string]string{
		"LANG=C.UTF-8":     "LANG=en_US LC_ALL= LC_MESSAGES=",
		"LANG=C":           "LANG= LC_ALL= LC_MESSAGES=",
		"LC_ALL=POSIX":     "LANG= LC_ALL=en_US LC_MESSAGES=",
		"LANG=de_DE.UTF-8": "LANG=de_DE.UTF-8 LC_ALL= LC_MESSAGES=",
	} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestConstructorRewritesCLocale$")
		cmd.Env = []string{"ONAIR_LOCALE_CHILD=1", env}
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.SplitN(string(out), "\n", 2)[0]; got != want {
			t.Errorf("%s: child saw %q, want %q", env, got, want)
		}
	}
}
