package measures_test

import (
	"testing"
	"time"

	"github.com/acd-platform/acd/internal/deadline"
	"github.com/acd-platform/acd/internal/measures"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/store/storetest"
)

// TestConsultation: MOFA is consulted through the Commissioner General
// with a deadline on MOFA's organisation, answers once, and a change of
// location resets the consultation.
func TestConsultation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, e.officer, input(measures.PathPolice))
		_, err := e.svc.RequestConsultation(e.ctx, e.cg, c.ID, "x")
		wantRefusal(t, "consultation without location", err, measures.CodeLocationRequired)
		e.locate(t, e.officer, c.ID, true)
		_, err = e.svc.RequestConsultation(e.ctx, e.cg, c.ID, "x")
		wantErr(t, "consultation on a target in Japan", err, measures.ErrConflict)
		e.locate(t, e.officer, c.ID, false)
		_, err = e.svc.RequestConsultation(e.ctx, e.officer, c.ID, "x")
		wantRefusal(t, "the officer consults MOFA", err, measures.CodeNotInChain)
		_, err = e.svc.Case(e.ctx, e.mofaUser, c.ID)
		wantErr(t, "MOFA reads before being consulted", err, measures.ErrNotFound)

		c, err = e.svc.RequestConsultation(e.ctx, e.cg, c.ID, "Hosted abroad; we intend to stop the C2 process.")
		if err != nil {
			t.Fatal(err)
		}
		if c.Consultation.MOFAOrgID != e.mofa.ID || !c.Consultation.Due.Equal(t0.Add(72*time.Hour)) {
			t.Fatalf("consultation %+v", c.Consultation)
		}
		ds, err := e.dl.List(e.ctx, deadline.Filter{Subject: "measure/" + c.ID, Kind: measures.KindConsultationDeadline})
		if err != nil || len(ds) != 1 || ds[0].Org != e.mofa.ID || ds[0].State != deadline.StateOpen {
			t.Fatalf("consultation deadline %+v %v", ds, err)
		}
		if !hasPrefix(e.inbox(t, e.mofaUser), "Consultation on measure case "+c.ID) {
			t.Errorf("MOFA inbox %v", e.inbox(t, e.mofaUser))
		}
		_, err = e.svc.RequestConsultation(e.ctx, e.cg, c.ID, "again")
		wantRefusal(t, "a second consultation", err, measures.CodeAlreadyDone)
		_, err = e.svc.AnswerConsultation(e.ctx, e.analyst, c.ID, measures.ConsultationAnswer{Response: measures.NoObjection})
		wantErr(t, "an analyst answers", err, measures.ErrForbidden)
		_, err = e.svc.AnswerConsultation(e.ctx, e.mofaUser, c.ID, measures.ConsultationAnswer{Response: measures.Objection})
		wantField(t, "an objection without text", err, "text")
		_, err = e.svc.AnswerConsultation(e.ctx, e.mofaUser, c.ID, measures.ConsultationAnswer{Response: "maybe"})
		wantField(t, "an unknown response", err, "response")

		// Moving the target home resets the open consultation.
		e.locate(t, e.officer, c.ID, true)
		c = e.get(t, e.officer, c.ID)
		if c.Consultation != nil || len(c.ConsultationHistory) != 1 {
			t.Fatalf("after the move: consultation %+v, history %d", c.Consultation, len(c.ConsultationHistory))
		}
		if ds, _ := e.dl.List(e.ctx, deadline.Filter{Subject: "measure/" + c.ID, Kind: measures.KindConsultationDeadline}); ds[0].State != deadline.StateCancelled {
			t.Errorf("deadline %s after the reset, want cancelled", ds[0].State)
		}
		if _, err := e.svc.Case(e.ctx, e.mofaUser, c.ID); err != nil {
			t.Errorf("MOFA reads a case it was consulted on before: %v", err)
		}
		// Abroad again: consulted again, answered late.
		e.locate(t, e.officer, c.ID, false)
		if _, err := e.svc.RequestConsultation(e.ctx, e.cg, c.ID, "Again."); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(73 * time.Hour)
		c, err = e.svc.AnswerConsultation(e.ctx, e.mofaUser, c.ID, measures.ConsultationAnswer{Response: measures.Objection, Text: "Diplomatic concerns."})
		if err != nil {
			t.Fatal(err)
		}
		if !c.Consultation.Late || c.Consultation.AnsweredBy != e.mofaUser.UserID {
			t.Errorf("answer %+v", c.Consultation)
		}
		_, err = e.svc.AnswerConsultation(e.ctx, e.mofaUser, c.ID, measures.ConsultationAnswer{Response: measures.NoObjection})
		wantRefusal(t, "a second answer", err, measures.CodeAlreadyDone)
		if !hasPrefix(e.inbox(t, e.officer), "MOFA answered the consultation on case "+c.ID+": objection") {
			t.Errorf("officer inbox %v", e.inbox(t, e.officer))
		}
		st, _ := e.svc.Stats(e.ctx, t0, t0.AddDate(1, 0, 0))
		if st.MOFAConsultations != 2 || st.ForeignTargets != 1 {
			t.Errorf("stats: %d consultations, %d foreign, want 2 and 1", st.MOFAConsultations, st.ForeignTargets)
		}
		verify(t, e)
	})
}

// TestNoMOFA: without a MOFA organisation, a consultation is refused with
// no_mofa.
func TestNoMOFA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, measures.Config{})
		// Rename the only MOFA organisation's kind away behind the
		// service's back.
		if _, err := db.Exec(e.ctx, "UPDATE auth_orgs SET kind = 'agency' WHERE id = ?", e.mofa.ID); err != nil {
			t.Fatal(err)
		}
		c := e.open(t, e.officer, input(measures.PathPolice))
		e.locate(t, e.officer, c.ID, false)
		_, err := e.svc.RequestConsultation(e.ctx, e.cg, c.ID, "x")
		wantRefusal(t, "consultation with no MOFA", err, measures.CodeNoMOFA)
	})
}

// TestPrefecturalForeign: a prefectural officer may record that the
// target is abroad, but then takes no further step but withdrawing the
// case (to hand it to the NPA) or recording the location again.
func TestPrefecturalForeign(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, e.prefOfficer, input(measures.PathPolice))
		e.locate(t, e.prefOfficer, c.ID, false)
		c = e.get(t, e.prefOfficer, c.ID)
		if got := failing(c.Gates); len(got) == 0 || got[0] != "jurisdiction" {
			t.Errorf("gates failing %v, want jurisdiction first", got)
		}
		for name, err := range map[string]error{
			"emergency": func() error { _, err := e.svc.DeclareEmergency(e.ctx, e.prefOfficer, c.ID, "No time."); return err }(),
			"approval":  func() error { _, err := e.svc.RequestApproval(e.ctx, e.prefOfficer, c.ID, "Please."); return err }(),
			"order":     func() error { _, err := e.svc.IssueOrder(e.ctx, e.prefOfficer, c.ID, e.orderInput()); return err }(),
			"execution": func() error {
				_, err := e.svc.RecordExecution(e.ctx, e.prefOfficer, c.ID, e.execution(measures.KindStopProgram))
				return err
			}(),
			"command": func() error {
				_, err := e.svc.Command(e.ctx, e.prefChief, c.ID, e.commandInput(measures.KindStopProgram))
				return err
			}(),
		} {
			wantRefusal(t, name, err, measures.CodePrefecturalForeign)
		}
		_, err := e.svc.Case(e.ctx, e.cg, c.ID)
		wantErr(t, "the Commissioner General reads a prefecture's case", err, measures.ErrNotFound)
		if _, err := e.svc.UpdateCase(e.ctx, e.prefOfficer, c.ID, input(measures.PathPolice)); err != nil {
			t.Errorf("update: %v", err)
		}
		if c, err = e.svc.WithdrawCase(e.ctx, e.prefOfficer, c.ID, "Handed to the NPA."); err != nil || c.State != measures.StateWithdrawn {
			t.Fatalf("withdraw: %v", err)
		}
	})
}

// TestUpdateCase: the officer edits the case until it binds; the path does
// not change.
func TestUpdateCase(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		c := e.open(t, e.officer, input(measures.PathPolice))
		in := input(measures.PathPolice)
		in.Title = "Renamed"
		in.Path = ""
		got, err := e.svc.UpdateCase(e.ctx, e.officer, c.ID, in)
		if err != nil || got.Title != "Renamed" || got.Path != measures.PathPolice {
			t.Fatalf("update: %+v %v", got, err)
		}
		_, err = e.svc.UpdateCase(e.ctx, e.officer, c.ID, input(measures.PathSDFGuard))
		wantField(t, "a new path", err, "path")
		_, err = e.svc.UpdateCase(e.ctx, e.officer2, c.ID, in)
		wantRefusal(t, "another officer edits", err, measures.CodeNotCaseOfficer)
		_, err = e.svc.UpdateCase(e.ctx, e.cg, c.ID, in)
		wantRefusal(t, "the commander edits", err, measures.CodeNotCaseOfficer)
		e.locate(t, e.officer, c.ID, true)
		if _, err := e.svc.DeclareEmergency(e.ctx, e.officer, c.ID, "No time."); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.UpdateCase(e.ctx, e.officer, c.ID, in)
		wantRefusal(t, "edit after the emergency", err, measures.CodeCaseLocked)
		_, err = e.svc.RecordLocation(e.ctx, e.officer, c.ID, measures.LocationInput{InJapan: false, Evidence: measures.LocationEvidence{Other: "x"}})
		wantRefusal(t, "moving the target after the emergency", err, measures.CodeCaseLocked)
		_, err = e.svc.RecordLocation(e.ctx, e.officer, c.ID, measures.LocationInput{InJapan: true})
		wantField(t, "location without evidence", err, "evidence")
		if _, err := e.svc.RecordLocation(e.ctx, e.officer, c.ID, measures.LocationInput{InJapan: true, Evidence: measures.LocationEvidence{Other: "Better evidence."}}); err != nil {
			t.Errorf("more evidence for the same location: %v", err)
		}
		if got := e.entries(t, "measure/"+c.ID); len(got) != 5 || got[1] != "measure.update" {
			t.Errorf("audit entries %v", got)
		}
		verify(t, e)
	})
}
