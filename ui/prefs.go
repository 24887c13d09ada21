package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"github.com/zalando/go-keyring"
)

// Preference keys: what the window remembers between runs. The stream key is not among them.
const (
	prefPreset   = "preset"
	prefServer   = "server."
	prefVideo    = "video"
	prefAudio    = "audio"
	prefSize     = "size"
	prefFPS      = "fps"
	prefBitrate  = "bitrate."
	prefRemember = "remember_key"
)

// keyringService names OnAir's entries in the OS keyring.
const keyringService = "OnAir stream key"

// KeyStore keeps stream keys, per preset, where the OS keeps secrets.
type KeyStore interface {
	Get(preset string) (string, error)
	Set(preset, key string) error
	Delete(preset string) error
}

// OSKeyring stores keys in the OS keyring (Secret Service on Linux).
type OSKeyring struct{}

// Get returns the remembered key, or "" if there is none.
func (OSKeyring) Get(preset string) (string, error) {
	k, err := keyring.Get(keyringService, preset)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", nil
	}
	return k, err
}

// Set remembers a key.
func (OSKeyring) Set(preset, key string) error { return keyring.Set(keyringService, preset, key) }

// Delete forgets a key.
func (OSKeyring) Delete(preset string) error {
	err := keyring.Delete(keyringService, preset)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

func prefs(a fyne.App) fyne.Preferences { return a.Preferences() }
