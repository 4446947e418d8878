package measures

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/acd-platform/acd/internal/auth"
	"github.com/acd-platform/acd/internal/store"
	"github.com/acd-platform/acd/internal/textfield"
)

// checkExecutionKind checks the kind of an execution: a measure kind
// other than order_admin.
func checkExecutionKind(k MeasureKind) error {
	switch k {
	case KindStopProgram, KindDeleteProgram, KindChangeSetting, KindOther:
		return nil
	case KindOrderAdmin:
		return fieldErrorf("kind", "an order to the administrator is issued as an order, not recorded as an execution")
	}
	return fieldErrorf("kind", "%q: want stop_program, delete_program, change_setting or other", cutQ(string(k)))
}

// checkExecutionInput validates in at now.
func checkExecutionInput(in *ExecutionInput, now time.Time) error {
	if err := checkExecutionKind(in.Kind); err != nil {
		return err
	}
	in.StartedAt, in.EndedAt = in.StartedAt.UTC(), in.EndedAt.UTC()
	switch {
	case in.StartedAt.IsZero():
		return fieldErrorf("started_at", "required")
	case in.StartedAt.After(now):
		return fieldErrorf("started_at", "%s is in the future", stamp(in.StartedAt))
	case in.EndedAt.IsZero():
		return fieldErrorf("ended_at", "required")
	case in.EndedAt.After(now):
		return fieldErrorf("ended_at", "%s is in the future", stamp(in.EndedAt))
	case in.EndedAt.Before(in.StartedAt):
		return fieldErrorf("ended_at", "%s is before started_at %s", stamp(in.EndedAt), stamp(in.StartedAt))
	}
	if len(in.Steps) == 0 {
		return fieldErrorf("steps", "required: at least one step")
	}
	if len(in.Steps) > maxSteps {
		return fieldErrorf("steps", "%d steps, at most %d allowed", len(in.Steps), maxSteps)
	}
	for i := range in.Steps {
		st := &in.Steps[i]
		f := fmt.Sprintf("steps[%d]", i)
		switch st.Kind {
		case StepAccess, StepConfirmPrograms, StepNeutralise, StepOther:
		default:
			return fieldErrorf(f+".kind", "%q: want access, confirm_programs, neutralise or other", cutQ(string(st.Kind)))
		}
		st.At = st.At.UTC()
		if st.At.IsZero() {
			return fieldErrorf(f+".at", "required")
		}
		if st.At.Before(in.StartedAt) || st.At.After(in.EndedAt) {
			return fieldErrorf(f+".at", "%s is outside started_at..ended_at", stamp(st.At))
		}
		if err := checkText(f+".description", &st.Description, true); err != nil {
			return err
		}
	}
	switch in.Result {
	case ResultSucceeded, ResultPartial, ResultFailed:
	default:
		return fieldErrorf("result", "%q: want succeeded, partial or failed", cutQ(string(in.Result)))
	}
	if len(in.Evidence) > maxEvidence {
		return fieldErrorf("evidence", "%d files, at most %d allowed", len(in.Evidence), maxEvidence)
	}
	for i := range in.Evidence {
		e := &in.Evidence[i]
		f := fmt.Sprintf("evidence[%d]", i)
		e.Name = strings.TrimSpace(e.Name)
		if err := textfield.CheckLine(f+".name", e.Name, true); err != nil {
			return err
		}
		e.SHA256 = strings.ToLower(strings.TrimSpace(e.SHA256))
		if b, err := hex.DecodeString(e.SHA256); err != nil || len(b) != 32 {
			return fieldErrorf(f+".sha256", "%q is not a SHA-256 in hex (64 digits)", cutQ(e.SHA256))
		}
	}
	return nil
}

// checkStartedAfterGates checks that a measure started at start began
// once the gates it is recorded under were passed: the case opened, the
// commission's approval decided or the emergency declared, MOFA's answer
// for a target abroad, the Prime Minister's order on the SDF protection
// path, and the command in force given. Gates checks them at the time of
// recording; a measure taken earlier was taken without them. Times are
// compared to the minute, the precision the officer's forms record.
func checkStartedAfterGates(c *Case, start time.Time) *Refusal {
	type mark struct {
		what string
		at   time.Time
	}
	marks := []mark{{"the case was opened", c.OpenedAt}}
	if c.Approval != nil && c.Approval.State == ApprovalApproved {
		marks = append(marks, mark{"the commission approved", c.Approval.DecidedAt})
	}
	if c.Emergency != nil {
		marks = append(marks, mark{"the emergency was declared", c.Emergency.DeclaredAt})
	}
	if foreign(c) && c.Consultation.Answered() {
		marks = append(marks, mark{"MOFA answered", c.Consultation.AnsweredAt})
	}
	if c.SDFOrder != nil {
		marks = append(marks, mark{"the Prime Minister ordered", c.SDFOrder.IssuedAt})
	}
	if c.Command != nil {
		marks = append(marks, mark{"the command in force was given", c.Command.At})
	}
	var late []string
	for _, m := range marks {
		if start.Truncate(time.Minute).Before(m.at.Truncate(time.Minute)) {
			late = append(late, fmt.Sprintf("%s at %s", m.what, stamp(m.at)))
		}
	}
	if len(late) == 0 {
		return nil
	}
	return refuse(CodeExecutionBeforeGates, fmt.Sprintf("case %s: started at %s, before %s", c.ID, stamp(start), strings.Join(late, ", ")))
}

// RecordExecution records a measure the officer took over the network on
// case id (stop or delete the attack program, change a setting, other),
// as the officer reports it: the case's officer, when every gate is
// passed and the command in force covers the kind. ACD does not take the
// measure. Times are not in the future, the end is not before the start,
// and the start is not before the gates were passed
// (execution_before_gates). The first order or execution moves the case to executing.
func (s *Service) RecordExecution(ctx context.Context, p *auth.Principal, id string, in ExecutionInput) (Case, error) {
	return s.step(ctx, p, id, "measure.execution", func(tx *store.Tx, c *Case) error {
		if err := s.officerStep(ctx, tx, p, c, false); err != nil {
			return err
		}
		now := s.now()
		if err := checkExecutionKind(in.Kind); err != nil {
			return err
		}
		if r := checkExecutable(c, now, in.Kind); r != nil {
			return r
		}
		if err := checkExecutionInput(&in, now); err != nil {
			return err
		}
		if r := checkStartedAfterGates(c, in.StartedAt); r != nil {
			return r
		}
		if len(c.Executions) >= maxExecutions {
			return fieldErrorf("", "case %s has %d executions recorded, the most one case keeps", c.ID, maxExecutions)
		}
		c.Executions = append(c.Executions, Execution{ID: newID("exe_"), Kind: in.Kind, StartedAt: in.StartedAt, EndedAt: in.EndedAt,
			Steps: in.Steps, Result: in.Result, Evidence: in.Evidence, RecordedBy: p.UserID, RecordedAt: now})
		c.State = StateExecuting
		return nil
	})
}
