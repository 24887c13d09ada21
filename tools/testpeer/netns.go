package testpeer

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// Netns is a network namespace of the test's own, joined to this one by a veth pair whose host
// end can be shaped with tc: a server inside it sits behind a link the test controls. Traffic
// goes only to the namespace's own address.
type Netns struct {
	t      testing.TB
	Name   string
	HostIf string // the veth end in this namespace: tc shapes what is sent to the namespace here
	HostIP string
	IP     string // the namespace's address
}

var netnsCount atomic.Int32

// NewNetns makes the namespace and removes it when the test ends. It needs root and iproute2.
func NewNetns(t testing.TB) *Netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("testpeer: network namespaces need root")
	}
	Require(t, "ip", "iproute2")
	Require(t, "tc", "iproute2")
	n := netnsCount.Add(1)
	id := fmt.Sprintf("%d%d", os.Getpid()%10000, n)
	subnet := fmt.Sprintf("10.213.%d", (os.Getpid()*7+int(n))%250+1)
	ns := &Netns{t: t, Name: "onair-test-" + id, HostIf: "oat" + id + "h", HostIP: subnet + ".1", IP: subnet + ".2"}
	peer := "oat" + id + "n"
	t.Cleanup(func() {
		_ = exec.Command("ip", "netns", "del", ns.Name).Run()
		_ = exec.Command("ip", "link", "del", ns.HostIf).Run()
	})
	for _, args := range [][]string{
		{"netns", "add", ns.Name},
		{"link", "add", ns.HostIf, "type", "veth", "peer", "name", peer},
		{"link", "set", peer, "netns", ns.Name},
		{"addr", "add", ns.HostIP + "/24", "dev", ns.HostIf},
		{"link", "set", ns.HostIf, "up"},
		{"netns", "exec", ns.Name, "ip", "addr", "add", ns.IP + "/24", "dev", peer},
		{"netns", "exec", ns.Name, "ip", "link", "set", peer, "up"},
		{"netns", "exec", ns.Name, "ip", "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("testpeer: ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return ns
}

// Shape limits what this namespace sends into the namespace to kbps, with a bottleneck buffer of
// bufferMS (tc tbf); a rate changed while shaped keeps what the buffer holds.
func (ns *Netns) Shape(kbps, bufferMS int) {
	ns.t.Helper()
	args := []string{"qdisc", "replace", "dev", ns.HostIf, "root", "tbf", "rate", fmt.Sprintf("%dkbit", kbps),
		"burst", "32kbit", "latency", fmt.Sprintf("%dms", bufferMS)}
	if out, err := exec.Command("tc", args...).CombinedOutput(); err != nil {
		ns.t.Fatalf("testpeer: tc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Unshape removes the shaping.
func (ns *Netns) Unshape() {
	_ = exec.Command("tc", "qdisc", "del", "dev", ns.HostIf, "root").Run()
}

// Command runs a program inside the namespace.
func (ns *Netns) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}
