package broadcast

import (
	"errors"
	"onair/rtmpout"
	"strings"
)

// Explain turns an error into the sentence a user reads and the technical detail beside it.
func Explain(err error) (words, detail string) {
	var re *rtmpout.Error
	if errors.As(err, &re) && re.Kind == rtmpout.ErrBadURL && re.Detail != "" {
		// What is wrong with the address is the reason itself: it belongs on the first line.
		return sentence(re.Words() + ": " + re.Detail), ""
	}
	if errors.As(err, &re) {
		d := re.Detail
		if re.Err != nil {
			if d != "" {
				d += ": "
			}
			d += re.Err.Error()
		}
		return sentence(re.Words()), d
	}
	return sentence(err.Error()), ""
}

// sentence capitalises s and ends it with a full stop.
func sentence(s string) string {
	s = capitalize(s)
	if s != "" && !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, ")") {
		s += "."
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-32) + s[1:]
	}
	return s
}
