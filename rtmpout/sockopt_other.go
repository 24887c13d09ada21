//go:build !linux

package rtmpout

import "net"

func kernelUnsent(*net.TCPConn) int { return 0 }

func limitNotSent(*net.TCPConn, int) {}

func tcpDelivered(*net.TCPConn) uint64 { return 0 }
