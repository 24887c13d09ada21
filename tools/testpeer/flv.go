package testpeer

import (
	"encoding/binary"
	"fmt"
	"os"
)

// Tag is one FLV tag.
type Tag struct {
	Type      uint8 // 8 audio, 9 video, 18 script data
	Timestamp uint32
	Body      []byte
}

// ReadFLV reads every tag of an FLV file.
func ReadFLV(path string) ([]Tag, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 13 || string(b[:3]) != "FLV" {
		return nil, fmt.Errorf("%s is not an FLV file", path)
	}
	off := int(binary.BigEndian.Uint32(b[5:9])) + 4
	var tags []Tag
	for off+11 <= len(b) {
		h := b[off : off+11]
		size := int(h[1])<<16 | int(h[2])<<8 | int(h[3])
		ts := uint32(h[4])<<16 | uint32(h[5])<<8 | uint32(h[6]) | uint32(h[7])<<24
		if off+11+size > len(b) {
			break // a truncated last tag
		}
		tags = append(tags, Tag{Type: h[0] & 0x1F, Timestamp: ts, Body: b[off+11 : off+11+size]})
		off += 11 + size + 4
	}
	return tags, nil
}
