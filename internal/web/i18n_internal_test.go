package web

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadCatalogueMergesFiles(t *testing.T) {
	msg := func(key, ja, en string) string { return `{"` + key + `":{"ja":"` + ja + `","en":"` + en + `"}}` }
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantErr string
	}{
		{"two areas", fstest.MapFS{
			"messages.json":       {Data: []byte(msg("a", "あ", "A"))},
			"messages_other.json": {Data: []byte(msg("b", "い", "B"))},
		}, ""},
		{"key in two files", fstest.MapFS{
			"messages.json":       {Data: []byte(msg("a", "あ", "A"))},
			"messages_other.json": {Data: []byte(msg("a", "い", "B"))},
		}, `messages_other.json: "a" is already defined in messages.json`},
		{"missing English", fstest.MapFS{
			"messages_x.json": {Data: []byte(msg("a", "あ", ""))},
		}, `messages_x.json: "a" lacks ja or en`},
		{"bad JSON", fstest.MapFS{
			"messages_x.json": {Data: []byte(`{"a":`)},
		}, "messages_x.json: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadCatalogue(tt.files)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.T(English, "b"); got != "B" {
				t.Errorf("T(en, b) = %q, want B", got)
			}
			if got := c.T(Japanese, "a"); got != "あ" {
				t.Errorf("T(ja, a) = %q, want あ", got)
			}
		})
	}
}
