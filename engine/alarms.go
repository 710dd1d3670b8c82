package engine

import (
	"github.com/cschleiden/go-workflows/workflow"

	"onewindow/engine/clock"
)

// Clock actions a clerk sends (special procedures: hearing, expert review,
// on-site survey, public notice), through PauseClock and ResumeClock.
const (
	ClockPause  = "pause"
	ClockResume = "resume"
	// ClockExtend lengthens the case's promised limit (an extension granted with a reason).
	ClockExtend = "extend"
)

// Types of the case clock, as the engine's API and Store use them.
type (
	Limits    = clock.Limits
	Alert     = clock.Alert
	PauseRow  = clock.PauseRow
	TaskClock = clock.TaskClock
)

// alarm raises an Alert when its go-workflows timer fires or, for a long
// one, when its signal from the alarms table arrives (id set).
type alarm struct {
	alert  clock.Alert
	key    string
	timer  workflow.Future[any]
	cancel workflow.CancelFunc
	id     string
	ch     workflow.Channel[Signal]
}

// stop disarms the alarm: its timer is cancelled, or its row disarmed with
// the step's alarm change.
func (a *alarm) stop(book *alarmBook) {
	if a.id != "" {
		book.drop(a.id)
		return
	}
	if a.cancel != nil {
		a.cancel()
	}
}

// alarms keeps one go-workflows timer per alert of the case's clock that
// can still fire.
type alarms struct {
	list []*alarm
}

// rearm makes the alarms match the alerts that can still fire: an alarm
// whose due time has not changed keeps its timer. Long ones go to the
// alarms table through book, armed in step seq.
func (al *alarms) rearm(ctx workflow.Context, c *clock.State, caseID string, book *alarmBook, seq int) {
	wanted := c.Alerts(caseID)
	keep := make([]*alarm, 0, len(wanted))
	for _, a := range al.list {
		still := false
		for _, w := range wanted {
			if clock.Key(w) == a.key && w.Due.Equal(a.alert.Due) {
				still = true
				break
			}
		}
		if still {
			keep = append(keep, a)
		} else {
			a.stop(book)
		}
	}
	al.list = keep
	for _, w := range wanted {
		key := clock.Key(w)
		exists := false
		for _, a := range al.list {
			if a.key == key {
				exists = true
				break
			}
		}
		if exists {
			continue
		}
		delay := w.Due.Sub(workflow.Now(ctx))
		if delay < 0 {
			delay = 0
		}
		if book.long(delay) {
			a := book.add(caseID, alarmChannel(key), w.Due, seq)
			al.list = append(al.list, &alarm{alert: w, key: key, id: a.ID, ch: workflow.NewSignalChannel[Signal](ctx, a.Channel)})
			continue
		}
		tctx, cancel := workflow.WithCancel(ctx)
		al.list = append(al.list, &alarm{alert: w, key: key, cancel: cancel,
			timer: workflow.ScheduleTimer(tctx, delay, workflow.WithTimerName(key))})
	}
}

// fire marks an alarm's alert as raised and drops the alarm.
func (al *alarms) fire(c *clock.State, a *alarm) {
	c.Fire(a.key)
	for i, x := range al.list {
		if x == a {
			al.list = append(al.list[:i:i], al.list[i+1:]...)
			return
		}
	}
}
