// Package rtmpout is OnAir's RTMP/RTMPS publish client, layered one way: handshake -> chunk ->
// message -> client, with AMF0 in its own package. Its send queue measures backpressure and drops
// frames by priority when the network cannot keep up.
package rtmpout
