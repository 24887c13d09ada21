// Package testpeer runs real peers for OnAir's tests: nginx with the RTMP module (optionally behind
// TLS), and the ffmpeg/ffprobe command-line tools with hard timeouts.
package testpeer

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const rtmpModule = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
const streamModule = "/usr/lib/nginx/modules/ngx_stream_module.so"

// NginxOptions configures an nginx-rtmp peer.
type NginxOptions struct {
	// OnPublish, when set, is the URL nginx-rtmp asks before it accepts a publish (2xx accepts).
	OnPublish string
	// TLSCert and TLSKey, when set, add an RTMPS listener (nginx's stream module terminating TLS).
	TLSCert, TLSKey string
	// Push, when set, relays every stream published here to these RTMP applications (nginx-rtmp's
	// push directive), as a relay that fans a stream out to platforms does.
	Push []string
	// Netns, when set, runs nginx inside this namespace, listening on its address.
	Netns *Netns
	// RecordDir, when set, has nginx write every stream it receives to KEY.flv there, exactly as
	// received (a new publish starts the file again).
	RecordDir string
}

// Nginx is a running nginx-rtmp on 127.0.0.1 with one application, "live".
type Nginx struct {
	t        testing.TB
	dir      string
	Host     string // the address it listens on: 127.0.0.1, or the namespace's
	netns    *Netns
	Port     int // RTMP port
	TLSPort  int // RTMPS port, 0 without TLS
	confPath string

	mu     sync.Mutex // Stop may run from a test's goroutine and from cleanup
	cmd    *exec.Cmd
	exited chan struct{}
}

// StartNginx starts nginx-rtmp and stops it when the test ends.
func StartNginx(t testing.TB, opts NginxOptions) *Nginx {
	t.Helper()
	Require(t, "nginx", "nginx")
	if _, err := os.Stat(rtmpModule); err != nil {
		t.Fatalf("testpeer: %s is missing: install the Debian package libnginx-mod-rtmp (make test does)", rtmpModule)
	}
	n := &Nginx{t: t, dir: t.TempDir(), Host: "127.0.0.1", Port: FreePort(t), netns: opts.Netns}
	if n.netns != nil {
		n.Host, n.Port = n.netns.IP, 1935
	}
	var conf strings.Builder
	fmt.Fprintf(&conf, "load_module %s;\n", rtmpModule)
	if opts.TLSCert != "" {
		if _, err := os.Stat(streamModule); err != nil {
			t.Fatalf("testpeer: %s is missing: install the Debian package libnginx-mod-stream", streamModule)
		}
		fmt.Fprintf(&conf, "load_module %s;\n", streamModule)
		n.TLSPort = FreePort(t)
	}
	fmt.Fprintf(&conf, "daemon off;\nmaster_process off;\nworker_processes 1;\npid %s/nginx.pid;\n", n.dir)
	fmt.Fprintf(&conf, "error_log %s/error.log info;\nevents { worker_connections 256; }\n", n.dir)
	fmt.Fprintf(&conf, "rtmp { server { listen %s:%d; chunk_size 4096;\n", n.Host, n.Port)
	conf.WriteString("  application live { live on; drop_idle_publisher 10s;\n")
	if opts.OnPublish != "" {
		fmt.Fprintf(&conf, "    on_publish %s;\n", opts.OnPublish)
	}
	if opts.RecordDir != "" {
		fmt.Fprintf(&conf, "    record all; record_path %s; record_unique off;\n", opts.RecordDir)
	}
	for _, p := range opts.Push {
		fmt.Fprintf(&conf, "    push %s;\n", p)
	}
	conf.WriteString("  } } }\n")
	if opts.TLSCert != "" {
		fmt.Fprintf(&conf, "stream { server { listen 127.0.0.1:%d ssl; ssl_certificate %s; ssl_certificate_key %s;\n"+
			"  proxy_pass 127.0.0.1:%d; } }\n", n.TLSPort, opts.TLSCert, opts.TLSKey, n.Port)
	}
	n.confPath = filepath.Join(n.dir, "nginx.conf")
	if err := os.WriteFile(n.confPath, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	n.Start()
	t.Cleanup(n.Stop)
	return n
}

// Start (re)starts nginx on the same ports and waits until it accepts connections.
func (n *Nginx) Start() {
	n.t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	args := []string{"-p", n.dir, "-c", n.confPath, "-e", filepath.Join(n.dir, "error.log")}
	n.cmd = exec.Command("nginx", args...)
	if n.netns != nil {
		n.cmd = n.netns.Command("nginx", args...)
	}
	n.cmd.Stdout, n.cmd.Stderr = os.Stderr, os.Stderr
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("testpeer: start nginx: %v", err)
	}
	n.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(n.cmd, n.exited)
	ports := []int{n.Port}
	if n.TLSPort != 0 {
		ports = append(ports, n.TLSPort)
	}
	for _, p := range ports {
		if err := waitListening(n.Host, p, n.exited, 10*time.Second); err != nil {
			log, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
			n.t.Fatalf("testpeer: nginx did not listen on %d: %v\n%s", p, err, log)
		}
	}
}

// Stop kills nginx at once (as a crash or a restart of the ingest would) and waits for it to exit.
func (n *Nginx) Stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	<-n.exited
	n.cmd = nil
}

// URL returns the RTMP URL of the "live" application with the given stream key.
func (n *Nginx) URL(key string) string {
	return fmt.Sprintf("rtmp://%s:%d/live/%s", n.Host, n.Port, key)
}

// ErrorLog returns what nginx has logged so far (for failure messages).
func (n *Nginx) ErrorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
	return string(b)
}

func waitListening(host string, port int, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("nginx exited")
		default:
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort(host, fmt.Sprint(port)), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("timed out after %v", limit)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Require fails the test, naming the Debian package to install, when a peer binary is missing.
func Require(t testing.TB, binary, debianPackage string) {
	t.Helper()
	if _, err := exec.LookPath(binary); err != nil {
		t.Fatalf("testpeer: %s not found: install the Debian package %s (make test installs it)", binary, debianPackage)
	}
}

// Freeze stops nginx without closing anything (SIGSTOP): its sockets stay open, the kernel fills
// their buffers, then acknowledges nothing more, as with a server or a network that hangs.
func (n *Nginx) Freeze() { n.signal(syscall.SIGSTOP) }

// Thaw resumes a frozen nginx.
func (n *Nginx) Thaw() { n.signal(syscall.SIGCONT) }

func (n *Nginx) signal(sig os.Signal) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil && n.cmd.Process != nil {
		_ = n.cmd.Process.Signal(sig)
	}
}

// WaitForPlayer waits until a player has asked nginx for the stream key (its "play" command is in
// the log), so a test can start publishing knowing the player sees the stream from its start.
func (n *Nginx) WaitForPlayer(t testing.TB, key string, limit time.Duration) {
	t.Helper()
	want := "play: name='" + key + "'"
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(n.ErrorLog(), want) {
			return
		}
	}
	t.Fatalf("testpeer: no player asked for %q within %v", key, limit)
}
