package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
)

// Lang is a UI language.
type Lang string

// The UI languages. Japanese is the default.
const (
	Japanese Lang = "ja"
	English  Lang = "en"
)

// langCookie holds the user's language choice.
const langCookie = "acd_lang"

//go:embed messages.json
var messagesJSON []byte

// Catalogue is the one message catalogue: every UI string, by key, in each
// language.
type Catalogue map[string]map[Lang]string

// LoadCatalogue parses the embedded catalogue and checks that every message
// has both languages.
func LoadCatalogue() (Catalogue, error) {
	var c Catalogue
	if err := json.Unmarshal(messagesJSON, &c); err != nil {
		return nil, fmt.Errorf("messages.json: %w", err)
	}
	for k, m := range c {
		if m[Japanese] == "" || m[English] == "" {
			return nil, fmt.Errorf("messages.json: %q lacks ja or en", k)
		}
	}
	return c, nil
}

// T returns the message key in lang, formatted with args. A missing key
// shows as itself in brackets, so it is seen and fixed, never hidden.
func (c Catalogue) T(lang Lang, key string, args ...any) string {
	m, ok := c[key][lang]
	if !ok {
		return "[" + key + "]"
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// langOf reads the language cookie; Japanese by default.
func langOf(r *http.Request) Lang {
	if c, err := r.Cookie(langCookie); err == nil && Lang(c.Value) == English {
		return English
	}
	return Japanese
}
