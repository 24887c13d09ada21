package rtmpout

import (
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// kernelUnsent returns the bytes in the socket's send buffer not yet acknowledged by the peer.
func kernelUnsent(c *net.TCPConn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	_ = rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ) })
	return n
}

// limitNotSent caps the bytes the kernel accepts beyond what it has sent (TCP_NOTSENT_LOWAT), so
// congestion shows up in our queue, where frames can still be dropped by priority, instead of
// piling up as seconds of invisible delay in the socket buffer.
func limitNotSent(c *net.TCPConn, bytes int) {
	setPositive(c, unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, bytes)
}

// tcpState returns the bytes the peer has acknowledged (tcpi_bytes_acked: what actually crossed
// the network, unlike what we wrote into the socket), those it acknowledged selectively past a
// loss (SACK, in whole segments), and the smallest round trip seen.
func tcpState(c *net.TCPConn) (acked uint64, sacked int, minRTT time.Duration) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, 0, 0
	}
	_ = rc.Control(func(fd uintptr) {
		if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			acked, minRTT = info.Bytes_acked, time.Duration(info.Min_rtt)*time.Microsecond
			sacked = int(info.Sacked) * int(info.Snd_mss)
		}
	})
	return acked, sacked, minRTT
}

// setSendBuffer caps the socket's send buffer, which holds the bytes in flight as well as the
// unsent ones. Linux doubles the value for its bookkeeping, so half is asked for.
func setSendBuffer(c *net.TCPConn, bytes int) {
	if bytes > 0 {
		setPositive(c, unix.SOL_SOCKET, unix.SO_SNDBUF, bytes/2)
	}
}

// setMaxPacing caps the rate the kernel sends the socket's bytes at (SO_MAX_PACING_RATE, bytes/s):
// TCP paces its segments then, whatever its congestion control believes of the link.
func setMaxPacing(c *net.TCPConn, bytesPerSecond int) {
	setPositive(c, unix.SOL_SOCKET, unix.SO_MAX_PACING_RATE, bytesPerSecond)
}

// setPositive sets an integer socket option to value, when value is positive. A socket that
// refuses it keeps the kernel's default: each is a refinement, not a condition to stream.
func setPositive(c *net.TCPConn, level, option, value int) {
	rc, err := c.SyscallConn()
	if err != nil || value <= 0 {
		return
	}
	_ = rc.Control(func(fd uintptr) { _ = unix.SetsockoptInt(int(fd), level, option, value) })
}
