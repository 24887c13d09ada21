package broadcast

// pad adds the controller's probe padding to a video frame: an H.264 filler unit worth the time
// since the last frame at padKbps (under wmu). Players skip filler; the recording never sees it.
func (d *destination) pad(p packet) []byte {
	if d.padKbps <= 0 {
		d.padFrom = -1
		return p.Data
	}
	if d.padFrom < 0 || p.DTS <= d.padFrom { // padding starts with the next frame
		d.padFrom = p.DTS
		return p.Data
	}
	n := min(256<<10, int(float64(d.padKbps)*125*(p.DTS-d.padFrom).Seconds()))
	d.padFrom = p.DTS
	if n < 8 {
		return p.Data
	}
	buf := append(d.padBuf[:0], p.Data...)
	buf = append(buf, 0, 0, 0, 1, fillerNALHeader)
	for range n {
		buf = append(buf, 0xff)
	}
	d.padBuf = append(buf, 0x80) // the unit's stop bit
	return d.padBuf
}

// fillerNALHeader starts an H.264 filler data unit (type 12).
const fillerNALHeader = 0x0c
