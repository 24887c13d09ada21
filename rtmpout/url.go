package rtmpout

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Target is a parsed publish destination. It holds the stream key: print it with Redacted only.
type Target struct {
	TLS        bool
	Host       string // without port, for TLS server name
	Port       int
	App        string // connect's "app", with the server URL's query if it had one
	TCURL      string // connect's "tcUrl"
	StreamName string // publish's name: the key, with its own query
}

// Addr returns host:port for dialing.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// Redacted describes the target without the stream key, for logs and messages.
func (t Target) Redacted() string {
	key := "(no key)"
	if t.StreamName != "" {
		key = "(key hidden)"
	}
	return t.TCURL + "/" + key
}

// ParseURL parses an rtmp:// or rtmps:// server URL. The stream key is given separately or, when
// key is empty, as the URL's last path element. Nothing is dialed.
func ParseURL(server, key string) (Target, error) {
	bad := func(format string, a ...any) (Target, error) {
		return Target{}, &Error{Kind: ErrBadURL, Detail: fmt.Sprintf(format, a...)}
	}
	server = strings.TrimSpace(server)
	key = strings.TrimSpace(key)
	u, err := url.Parse(server)
	if err != nil {
		return bad("%q is not a URL", Redact(server, key))
	}
	var t Target
	switch strings.ToLower(u.Scheme) {
	case "rtmp":
		t.Port = 1935
	case "rtmps":
		t.TLS, t.Port = true, 443
	case "":
		return bad("the server address must start with rtmp:// or rtmps://")
	default:
		return bad("the scheme %q is not RTMP; use rtmp:// or rtmps://", u.Scheme)
	}
	if u.User != nil {
		return bad("user names in the server address are not supported")
	}
	t.Host = u.Hostname()
	if t.Host == "" {
		return bad("the server address has no host name")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("port %q is not a port number", p)
		}
		t.Port = n
	}

	path := strings.Trim(u.EscapedPath(), "/")
	if key == "" {
		i := strings.LastIndex(path, "/")
		if i < 0 {
			return bad("no stream key: give it separately or as the last part of the address")
		}
		path, key = path[:i], path[i+1:]
		if u.RawQuery != "" { // rtmp://host/app/key?x=y: the query belongs to the key
			key += "?" + u.RawQuery
			u.RawQuery = ""
		}
	}
	if path == "" {
		return bad("the server address has no application (as in rtmp://host/app)")
	}
	if strings.ContainsAny(key, " \t\r\n") {
		return bad("the stream key contains spaces")
	}
	t.App = path
	if u.RawQuery != "" {
		t.App += "?" + u.RawQuery
	}
	hostport := t.Host
	if strings.Contains(hostport, ":") {
		hostport = "[" + hostport + "]"
	}
	if u.Port() != "" {
		hostport += ":" + u.Port()
	}
	t.TCURL = strings.ToLower(u.Scheme) + "://" + hostport + "/" + t.App
	t.StreamName = key
	return t, nil
}

// Redact hides the stream key wherever it appears in s, and its part before a '?' (servers
// echo the stream name without its query). It is the one place OnAir hides a key.
func Redact(s, key string) string {
	if key == "" {
		return s
	}
	s = strings.ReplaceAll(s, key, "(key hidden)")
	if i := strings.IndexByte(key, '?'); i > 0 {
		s = strings.ReplaceAll(s, key[:i], "(key hidden)")
	}
	return s
}
