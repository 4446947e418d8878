package selection

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/acd-platform/acd/internal/selection/direction"
)

// CriteriaRef names the criteria set a run applied: its id and version, the
// authority it rests on, the SHA-256 of the exact file bytes, which is its
// identity, and the id of the signed approval manifest that let the run
// start (Config.Approval).
type CriteriaRef struct {
	ID        string `json:"id"`
	Version   int    `json:"version"`
	Authority string `json:"authority"`
	SHA256    string `json:"sha256"`
	Approval  string `json:"approval,omitempty"`
}

// Header is the first record of every output.
type Header struct {
	Type         string      `json:"type"` // "run"
	Schema       string      `json:"schema"`
	Criteria     CriteriaRef `json:"criteria"`
	Input        string      `json:"input"`
	Started      time.Time   `json:"started"`
	Workers      int         `json:"workers"`
	PseudonymKey string      `json:"pseudonym_key"`
}

// Summary is the last record of every output and what the commission reads
// (Act ch.5, §23): per direction, what was seen, in scope, selected and
// deleted, and the SHA-256 of exactly the bytes the run wrote before it.
type Summary struct {
	Type          string                       `json:"type"` // "summary"
	Schema        string                       `json:"schema"`
	Criteria      CriteriaRef                  `json:"criteria"`
	Input         string                       `json:"input"`
	Started       time.Time                    `json:"started"`
	Finished      time.Time                    `json:"finished"`
	Directions    map[string]DirectionCounters `json:"directions"`
	Total         DirectionCounters            `json:"total"`
	NonIP         Volume                       `json:"non_ip"`
	Malformed     Volume                       `json:"malformed"`
	Fragments     uint64                       `json:"fragments"`
	Flows         uint64                       `json:"flows"`
	SelectedFlows uint64                       `json:"selected_flows"`
	EvictedFlows  uint64                       `json:"evicted_flows"`
	Records       uint64                       `json:"records"`
	StreamGiveUps uint64                       `json:"stream_give_ups"`
	OutputBytes   int64                        `json:"output_bytes"`
	OutputSHA256  string                       `json:"output_sha256"`
	// Error says why the run ended before its input did; empty otherwise.
	Error string `json:"error,omitempty"`
}

func (e *Engine) criteriaRef() CriteriaRef {
	s := e.cfg.Criteria
	return CriteriaRef{ID: s.ID, Version: s.Version, Authority: s.Authority, SHA256: hex.EncodeToString(s.SHA256[:]), Approval: e.cfg.Approval}
}

func (e *Engine) writeHeader(o *output, input string, started time.Time) {
	h := Header{
		Type: "run", Schema: Schema, Criteria: e.criteriaRef(), Input: input, Started: started,
		Workers: e.cfg.Workers, PseudonymKey: e.cfg.PseudonymKey.ID,
	}
	b, _ := json.Marshal(h) // plain values: cannot fail
	o.write(append(b, '\n'))
}

// writeSummary writes the summary record after everything else and returns
// it; runErr, if any, is recorded in it and returned.
func (e *Engine) writeSummary(o *output, input string, started time.Time, c *Counters, runErr error) (*Summary, error) {
	sum, n, werr := o.digest()
	s := &Summary{
		Type: "summary", Schema: Schema, Criteria: e.criteriaRef(), Input: input,
		Started: started, Finished: time.Now().UTC(),
		Directions: make(map[string]DirectionCounters, 4), Total: c.Total(),
		NonIP: c.NonIP, Malformed: c.Malformed, Fragments: c.Fragments,
		Flows: c.Flows, SelectedFlows: c.SelectedFlows, EvictedFlows: c.EvictedFlows, Records: c.Records, StreamGiveUps: c.StreamGiveUps,
		OutputBytes: n, OutputSHA256: sum,
	}
	for d := range direction.Direction(4) {
		s.Directions[d.String()] = c.Direction[d]
	}
	if runErr != nil {
		s.Error = runErr.Error()
	}
	b, _ := json.Marshal(s)
	o.write(append(b, '\n'))
	if _, _, err := o.digest(); err != nil && werr == nil {
		werr = err
	}
	if runErr != nil {
		return s, runErr
	}
	return s, werr
}
