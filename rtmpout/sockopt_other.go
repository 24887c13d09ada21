//go:build !linux

package rtmpout

import (
	"net"
	"time"
)

func kernelUnsent(*net.TCPConn) int { return 0 }

func limitNotSent(*net.TCPConn, int) {}

func tcpState(*net.TCPConn) (uint64, int, time.Duration) { return 0, 0, 0 }

func setSendBuffer(*net.TCPConn, int) {}

func setMaxPacing(*net.TCPConn, int) {}
