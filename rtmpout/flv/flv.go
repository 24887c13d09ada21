// Package flv builds the FLV tag bodies RTMP carries: H.264 (AVC) and AAC, with their sequence
// headers, from what an encoder produces (Annex B H.264, raw AAC, AudioSpecificConfig).
package flv

import (
	"encoding/binary"
	"errors"
	"fmt"

	"onair/internal/annexb"
)

// FLV codec ids, also used in onMetaData.
const (
	CodecAVC = 7
	CodecAAC = 10
)

const (
	frameKey   = 1
	frameInter = 2

	avcSequenceHeader = 0
	avcNALU           = 1
	aacSequenceHeader = 0
	aacRaw            = 1

	// AAC in FLV always says 44 kHz, 16-bit, stereo; the AudioSpecificConfig tells the truth.
	aacSoundByte = CodecAAC<<4 | 3<<2 | 1<<1 | 1
)

// H.264 NAL unit types that matter here.
const (
	nalSlice = 1
	nalIDR   = 5
	nalSPS   = 7
	nalPPS   = 8
	nalAUD   = 9
)

// ErrNoParameterSets means the codec configuration lacks an SPS or a PPS.
var ErrNoParameterSets = errors.New("flv: H.264 configuration without SPS and PPS")

// SplitAnnexB calls fn for each NAL unit in an Annex B byte stream (start codes removed).
func SplitAnnexB(b []byte, fn func(nal []byte)) {
	found := annexb.Units(b, func(_, body, end int) {
		if end > body {
			fn(b[body:end])
		}
	})
	if !found && len(b) > 0 {
		fn(b) // no start code at all: one bare NAL unit
	}
}

// AVCSequenceHeader returns the video tag body carrying an AVCDecoderConfigurationRecord built from
// the SPS and PPS in an Annex B configuration (what FFmpeg puts in extradata, or the first keyframe).
func AVCSequenceHeader(annexB []byte) ([]byte, error) {
	var sps, pps [][]byte
	SplitAnnexB(annexB, func(n []byte) {
		switch n[0] & 0x1F {
		case nalSPS:
			sps = append(sps, n)
		case nalPPS:
			pps = append(pps, n)
		}
	})
	if len(sps) == 0 || len(pps) == 0 || len(sps[0]) < 4 {
		return nil, ErrNoParameterSets
	}
	b := []byte{frameKey<<4 | CodecAVC, avcSequenceHeader, 0, 0, 0}
	b = append(b, 1, sps[0][1], sps[0][2], sps[0][3], 0xFC|3, 0xE0|byte(len(sps)))
	for _, s := range sps {
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	b = append(b, byte(len(pps)))
	for _, p := range pps {
		b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	return b, nil
}

// AppendVideo appends the video tag body of one access unit: the FLV header, then each NAL unit
// with a 4-byte length instead of a start code. Access unit delimiters are left out. cts is the
// composition time offset (PTS - DTS) in milliseconds.
func AppendVideo(dst []byte, annexB []byte, keyframe bool, cts int32) []byte {
	ft := byte(frameInter)
	if keyframe {
		ft = frameKey
	}
	dst = append(dst, ft<<4|CodecAVC, avcNALU, byte(cts>>16), byte(cts>>8), byte(cts))
	SplitAnnexB(annexB, func(n []byte) {
		if n[0]&0x1F == nalAUD {
			return
		}
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(n)))
		dst = append(dst, n...)
	})
	return dst
}

// Disposable reports whether no other frame refers to this access unit: every slice has
// nal_ref_idc 0 (non-reference B-frames). Such frames are the first to drop under congestion.
func Disposable(annexB []byte) bool {
	slices, refs := 0, 0
	SplitAnnexB(annexB, func(n []byte) {
		t := n[0] & 0x1F
		if t == nalSlice || t == nalIDR {
			slices++
			if n[0]&0x60 != 0 {
				refs++
			}
		}
	})
	return slices > 0 && refs == 0
}

// AACSequenceHeader returns the audio tag body carrying an AudioSpecificConfig.
func AACSequenceHeader(asc []byte) ([]byte, error) {
	if len(asc) < 2 {
		return nil, fmt.Errorf("flv: AudioSpecificConfig of %d bytes", len(asc))
	}
	return append([]byte{aacSoundByte, aacSequenceHeader}, asc...), nil
}

// AppendAudio appends the audio tag body of one raw AAC frame.
func AppendAudio(dst []byte, aac []byte) []byte {
	return append(append(dst, aacSoundByte, aacRaw), aac...)
}
