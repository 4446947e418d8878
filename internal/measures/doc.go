// Package measures keeps the legal process of access and neutralisation
// measures (Police Duties Execution Act §6-2; SDF Act §81-3, §91-3,
// §95-4): designated officers, measure cases and their gates, the
// commission's approval or the emergency path with post-notification,
// the MOFA consultation, the command, the Prime Minister's order for the
// SDF, orders to administrators, the officer's record of what was done,
// and the outcome. ACD contains no intrusion or exploitation code: an
// officer records what they did; this package never does it.
package measures
