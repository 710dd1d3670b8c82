package engine

// Alarms armed in the step's own transaction. A case started with CaseInput.AlarmsInApply
// does not run a SetAlarms activity after each step that arms or disarms a long wait: the
// workflow says in the Apply activity's input which waits may become alarms, which alarms
// the step closes and which clock alerts are armed now (AlarmPlan); Apply, which computes
// the due times, decides what goes to the alarms table, writes it with the step's batch in
// one transaction (Batch.Alarms) and answers what it did (AlarmsApplied), which the
// workflow follows. The decisions are in the activity's recorded result, so a replay takes
// them again; the batch's idempotency key makes a repeated Apply write them once.

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine/clock"
	"onewindow/engine/machine"
)

// AlarmApplier is a Store whose ApplyBatch also writes Batch.Alarms, in the batch's
// transaction, into the alarms table of the AlarmStore it is given (package store).
type AlarmApplier interface {
	// AppliesAlarmsOf reports whether ApplyBatch writes the alarms that as keeps.
	AppliesAlarmsOf(as AlarmStore) bool
}

// AlarmPlan is what the workflow tells the Apply activity about a step's long waits.
type AlarmPlan struct {
	// Timers are the timer waits the step opened and left open: Apply arms an alarm for
	// each whose due time is AlarmThreshold or more after the step.
	Timers []string `json:"timers,omitempty"`
	// Disarm are the alarms of waits the step closed (all of them when the case ended).
	Disarm []string `json:"disarm,omitempty"`
	// Clock is set when the clock changed: its alerts that can still fire and those armed now.
	Clock *ClockPlan `json:"clock,omitempty"`
}

// ClockPlan is the case clock's side of an AlarmPlan.
type ClockPlan struct {
	Slots []clock.AlertSlot `json:"slots,omitempty"`
	Armed []ClockAlarm      `json:"armed,omitempty"`
}

// ClockAlarm is an alert of the case clock armed as an alarm (ID set) or as a go-workflows
// timer (ID "").
type ClockAlarm struct {
	Key   string      `json:"key"`
	Alert clock.Alert `json:"alert"`
	ID    string      `json:"id,omitempty"`
}

// AlarmsApplied is what Apply armed and disarmed for a step.
type AlarmsApplied struct {
	// Timers are the alarms armed for timer waits, by wait id; the other timers of the
	// step are go-workflows timers.
	Timers map[string]Alarm `json:"timers,omitempty"`
	// Stop are the keys of the clock alerts armed before whose due time changed or which can
	// no longer fire: their alarms were disarmed (their timers are the workflow's to cancel).
	Stop []string `json:"stop,omitempty"`
	// Start are the clock alerts to arm: as alarms (armed already) or go-workflows timers.
	Start []ClockAlarm `json:"start,omitempty"`
}

// planAlarms decides, in the Apply activity, what step b arms and disarms given the due
// times it computed: the same decisions the workflow took before with SetAlarms, measured
// from the step's time.
func planAlarms(b *Batch, p *AlarmPlan, timers map[string]time.Time, dues clock.Dues) (AlarmChange, *AlarmsApplied) {
	change := AlarmChange{CaseID: b.CaseID, Disarm: append([]string(nil), p.Disarm...)}
	applied := &AlarmsApplied{}
	arm := func(channel string, due time.Time) (Alarm, bool) {
		if due.Sub(b.At) < AlarmThreshold {
			return Alarm{}, false
		}
		a := Alarm{ID: b.CaseID + "/" + channel + "/" + strconv.Itoa(b.Seq), CaseID: b.CaseID, Channel: channel, Due: due}
		change.Arm = append(change.Arm, a)
		return a, true
	}
	for _, id := range p.Timers {
		due, ok := timers[id]
		if !ok {
			continue
		}
		if a, ok := arm(alarmChannel(id), due); ok {
			if applied.Timers == nil {
				applied.Timers = map[string]Alarm{}
			}
			applied.Timers[id] = a
		}
	}
	if p.Clock == nil {
		return change, applied
	}
	wanted := clock.Resolve(p.Clock.Slots, dues)
	kept := map[string]bool{}
	for _, a := range p.Clock.Armed {
		if slices.ContainsFunc(wanted, func(w clock.Alert) bool { return clock.Key(w) == a.Key && w.Due.Equal(a.Alert.Due) }) {
			kept[a.Key] = true
			continue
		}
		applied.Stop = append(applied.Stop, a.Key)
		if a.ID != "" {
			change.Disarm = append(change.Disarm, a.ID)
		}
	}
	for _, w := range wanted {
		key := clock.Key(w)
		if kept[key] {
			continue
		}
		kept[key] = true
		ca := ClockAlarm{Key: key, Alert: w}
		if a, ok := arm(alarmChannel(key), w.Due); ok {
			ca.ID = a.ID
		}
		applied.Start = append(applied.Start, ca)
	}
	return change, applied
}

// alarmPlan is the AlarmPlan of a step with commands cmds, before its Apply.
func (s *shell) alarmPlan(cmds []machine.Command, clockChanged bool) *AlarmPlan {
	p := &AlarmPlan{}
	ended := s.m.Ended()
	// The last command of each wait in the batch says whether it is open at the end
	// (lookups only: no iteration over the map).
	last := map[string]machine.CommandKind{}
	for _, c := range cmds {
		if c.Kind == machine.OpenWait || c.Kind == machine.CloseWait {
			last[c.Wait.ID] = c.Kind
		}
	}
	disarm := func(id string) {
		if id != "" && !slices.Contains(p.Disarm, id) {
			p.Disarm = append(p.Disarm, id)
		}
	}
	for _, c := range cmds {
		switch {
		case c.Kind == machine.OpenWait && c.Wait.Kind == machine.TimerWait:
			if !ended && last[c.Wait.ID] == machine.OpenWait && !slices.Contains(p.Timers, c.Wait.ID) {
				p.Timers = append(p.Timers, c.Wait.ID)
			}
		case c.Kind == machine.CloseWait:
			if ow := s.find(c.Wait.ID); ow != nil {
				disarm(ow.alarmID)
			}
		}
	}
	if ended {
		for _, ow := range s.waits {
			disarm(ow.alarmID)
		}
		for _, al := range s.alarms.list {
			disarm(al.id)
		}
		return p
	}
	if clockChanged {
		p.Clock = &ClockPlan{Slots: s.clock.AlertSlots(s.in.CaseID)}
		for _, al := range s.alarms.list {
			p.Clock.Armed = append(p.Clock.Armed, ClockAlarm{Key: al.key, Alert: al.alert, ID: al.id})
		}
	}
	return p
}

// follow makes the clock's alarms what Apply decided (r): the stopped ones dropped (their
// go-workflows timers cancelled; their alarms were disarmed by Apply), the new ones armed.
func (al *alarms) follow(ctx workflow.Context, r *AlarmsApplied) {
	if r == nil {
		return
	}
	keep := make([]*alarm, 0, len(al.list))
	for _, a := range al.list {
		if !slices.Contains(r.Stop, a.key) {
			keep = append(keep, a)
			continue
		}
		if a.id == "" && a.cancel != nil {
			a.cancel()
		}
	}
	al.list = keep
	for _, n := range r.Start {
		if n.ID != "" {
			al.list = append(al.list, &alarm{alert: n.Alert, key: n.Key, id: n.ID, ch: workflow.NewSignalChannel[Signal](ctx, alarmChannel(n.Key))})
			continue
		}
		delay := max(n.Alert.Due.Sub(workflow.Now(ctx)), 0)
		tctx, cancel := workflow.WithCancel(ctx)
		al.list = append(al.list, &alarm{alert: n.Alert, key: n.Key, cancel: cancel,
			timer: workflow.ScheduleTimer(tctx, delay, workflow.WithTimerName(n.Key))})
	}
}

// applyAlarms writes what planAlarms decided into the step's batch, for ApplyBatch to write
// in its transaction.
func (a *activities) applyAlarms(in *ApplyInput, res *ApplyResult) error {
	b := in.Batch
	change, applied := planAlarms(b, in.Alarms, res.Timers, res.Dues)
	res.Alarms = applied
	if len(change.Arm) == 0 && len(change.Disarm) == 0 {
		return nil
	}
	if !a.e.foldAlarms {
		return workflow.NewPermanentError(fmt.Errorf("case %s arms its alarms with its steps but the engine's store does not write them", b.CaseID))
	}
	b.Alarms = &change
	return nil
}

// foldsAlarms reports whether cfg's Store writes the alarms of cfg's alarm store with each
// step (AlarmApplier).
func foldsAlarms(st Store, as AlarmStore) bool {
	ap, ok := st.(AlarmApplier)
	return ok && as != nil && ap.AppliesAlarmsOf(as)
}
