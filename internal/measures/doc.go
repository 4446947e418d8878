// Package measures keeps the legal process of access and neutralisation
// measures (Police Duties Execution Act §6-2; SDF Act §81-3, §91-3,
// §95-4): designated officers, measure cases and their gates, the MOFA
// consultation, the commission's prior approval or the emergency path with
// its post-notification, the command, the Prime Minister's order for the
// SDF, orders to administrators, the officer's record of what was done,
// and the outcome.
//
// ACD contains no intrusion or exploitation code: an officer records what
// they did; this package never does it, and nothing in it reaches a
// target.
//
// # Cases and gates
//
// A [Case] proceeds on a [Path] (police, sdf_protection, sdf_guard) and
// goes open → executing → closed, or open → withdrawn. [Gates] computes
// its gates from the case and the time alone — jurisdiction, location,
// checklist, MOFA, joint police, the PM's order, the commission, the
// post-notification, the command — and every step checks the gates it
// needs through it; an order ([Service.IssueOrder]) or an execution
// ([Service.RecordExecution]) needs all of them but the checklist, an
// officer's designation in force and a command covering the kind. So
// there is one place that forbids executing before every gate is passed.
//
// # Who does what
//
// The HTTP layer checks each action with the one policy (auth.Policy);
// this package decides the chain and the record: the case's own designated
// officer writes it; the NPA Commissioner General, the prefectural police
// chief or the Minister of Defense commands it and consults MOFA; the
// commission decides by motion and vote under oversight's [oversight.Quorum];
// MOFA, the cabinet and the NPSC take their own steps. A case the caller
// may not see answers ErrNotFound. A step the law or the state forbids
// answers a [*Refusal] with a stable code, its status (403 or 409) and
// messages in English and Japanese; invalid input a [*FieldError].
//
// # Audit
//
// Every state change is an audit-log entry in the same transaction, on
// measure/ID (with the case as stored), designation/ID, motion/ID,
// vote/MOTION.USER or order/ID; deadlines (MOFA's answer, the
// post-notification) and notices to whoever acts next are written in it
// too. [RegisterResolvers] lets the log's verifier check every case and
// designation against its latest entry.
//
// docs/measures.md describes the workflow of each path, the gates, the
// refusal codes and the configuration.
package measures
