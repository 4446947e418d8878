package taxiiapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/acd-platform/acd/internal/taxii"
)

// Headers that give the date_added of the first and last object of a page
// (TAXII 2.1 §3.3.1).
const (
	HeaderDateAddedFirst = "X-TAXII-Date-Added-First"
	HeaderDateAddedLast  = "X-TAXII-Date-Added-Last"
)

// formatTime writes a TAXII timestamp: UTC, microseconds, Z.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
}

// dateHeaders sets the date_added headers of a page that holds entries.
func dateHeaders(w http.ResponseWriter, pg *taxii.Page) {
	if len(pg.Entries) == 0 {
		return
	}
	w.Header().Set(HeaderDateAddedFirst, formatTime(pg.Entries[0].DateAdded))
	w.Header().Set(HeaderDateAddedLast, formatTime(pg.Entries[len(pg.Entries)-1].DateAdded))
}

// writeEnvelope writes a page of objects as an envelope. The objects are
// written as stored, without decoding them again: a page of a thousand
// objects is one copy of their bytes.
func writeEnvelope(w http.ResponseWriter, pg *taxii.Page) {
	n := 64
	for _, e := range pg.Entries {
		n += len(e.Data) + 1
	}
	var b bytes.Buffer
	b.Grow(n)
	b.WriteString(`{"more":`)
	b.WriteString(strconv.FormatBool(pg.More))
	if pg.Next != "" {
		next, _ := json.Marshal(pg.Next)
		b.WriteString(`,"next":`)
		b.Write(next)
	}
	if len(pg.Entries) > 0 {
		b.WriteString(`,"objects":[`)
		for i, e := range pg.Entries {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(e.Data)
		}
		b.WriteByte(']')
	}
	b.WriteString("}\n")
	dateHeaders(w, pg)
	writeBody(w, http.StatusOK, b.Bytes())
}
