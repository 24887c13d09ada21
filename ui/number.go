package ui

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"
)

// numberEntry is a field for a whole number: checked as it is typed, applied only when the user is
// done with it (Enter, or leaving the field), so that typing 4500 never applies 4, 45 and 450.
type numberEntry struct {
	widget.Entry
	min, max int
	what     string
	done     func(n int) // called with a valid number when the user is done
}

func newNumberEntry(what string, min, max int, done func(int)) *numberEntry {
	e := &numberEntry{min: min, max: max, what: what, done: done}
	e.ExtendBaseWidget(e)
	e.Validator = func(s string) error { _, err := e.number(s); return err }
	e.OnSubmitted = func(string) { e.finish() }
	return e
}

// number reads s, or says in words what is wrong with it.
func (e *numberEntry) number(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case err != nil:
		return 0, errors.New("the " + e.what + " is a whole number, like 4500")
	case n < e.min:
		return 0, errors.New("the " + e.what + " is at least " + strconv.Itoa(e.min))
	case n > e.max:
		return 0, errors.New("the " + e.what + " is at most " + strconv.Itoa(e.max))
	}
	return n, nil
}

// Value is the number in the field, if it is valid.
func (e *numberEntry) Value() (int, bool) {
	n, err := e.number(e.Text)
	return n, err == nil
}

// FocusLost applies the number when the user leaves the field.
func (e *numberEntry) FocusLost() {
	e.Entry.FocusLost()
	e.finish()
}

func (e *numberEntry) finish() {
	if n, ok := e.Value(); ok && e.done != nil {
		e.done(n)
	}
}
