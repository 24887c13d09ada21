package rtmpout

import "testing"

// TestReachedCountsSelectiveAcknowledgements: bytes the peer acknowledged past a loss reached it,
// and a withdrawn selective acknowledgement does not take delivered bytes back.
func TestReachedCountsSelectiveAcknowledgements(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, acked uint64
		sacked, held  int
		wantDelivered uint64
		wantUnsent    int
	}{
		{"no loss", 0, 10000, 0, 4000, 10000, 4000},
		{"two segments past a hole", 10000, 10000, 2896, 8000, 12896, 5104},
		{"the hole repaired", 12896, 14000, 0, 3000, 14000, 3000},
		{"a selective acknowledgement withdrawn", 12896, 10000, 0, 8000, 12896, 8000},
		{"the OS says nothing", 0, 0, 0, 4000, 0, 4000},
	} {
		delivered, unsent := reached(tc.before, tc.acked, tc.sacked, tc.held)
		if delivered != tc.wantDelivered || unsent != tc.wantUnsent {
			t.Errorf("%s: delivered %d, unsent %d; want %d, %d", tc.name, delivered, unsent, tc.wantDelivered, tc.wantUnsent)
		}
	}
}
