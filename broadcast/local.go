package broadcast

import (
	"context"
	"errors"
	"log/slog"
)

// receiver is the Local test destination: an RTMP server inside OnAir. (It lands with the local
// test issue.)
type receiver struct{}

func startReceiver(ctx context.Context, log *slog.Logger) (*receiver, error) {
	return nil, errors.New("the Local test receiver is not available yet: choose a platform or a custom server")
}

func (r *receiver) url() string { return "" }
func (r *receiver) stop()       {}

// Report is what the Local test receiver found, for the end of `onair stream --preset local`; ""
// for other destinations.
func (s *Session) Report() string { return "" }
