package encoder

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	QuietLogs()
	os.Exit(m.Run())
}
