package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"onewindow/store"
)

// Issue 10, defect 13: the dates in the notice letter and in the notify-once refusals are
// the same Beijing dates, also for a notice issued after 16:00 UTC (past midnight in Beijing),
// where the letter used to say 30日 and the refusal the 29th.
func TestNoticeDatesAreBeijingDates(t *testing.T) {
	lateUTC := time.Date(2025, 11, 29, 17, 30, 0, 0, time.UTC) // 2025-11-30 01:30 in Beijing
	k := &store.Case{Number: "20251130-0001", ReceivedAt: lateUTC}
	k.Applicant.Name, k.ItemName = "李明", "企业投资项目核准"
	first := store.Notice{Seq: 1, State: store.NoticeOpen, IssuedAt: lateUTC,
		Materials: []store.NoticeItem{{Name: "营业执照", Problem: store.NoticeMissing}}}

	letter := noticeLetter(k, &first, "综合受理一号窗口")
	if !strings.Contains(letter.Zh, "于2025年11月30日提交") || !strings.HasSuffix(letter.Zh, "2025年11月30日") ||
		!strings.HasSuffix(letter.En, "30 November 2025") {
		t.Fatalf("the letter's dates are not Beijing dates:\n%s\n%s", letter.Zh, letter.En)
	}

	again := func() error {
		return checkNotice(k, &store.AcceptanceFacts{Notices: []store.Notice{first}},
			&store.Notice{Materials: []store.NoticeItem{{Name: "身份证", Problem: store.NoticeMissing}}})
	}
	// While the notice waits for its supplement.
	err := again()
	if !errors.Is(err, ErrNotifyOnce) || !strings.Contains(err.Error(), "notice no. 1 of 2025-11-30") {
		t.Fatalf("second notice while the first is open: %v", err)
	}
	// After the supplement.
	first.State = store.NoticeAnswered
	err = again()
	if !errors.Is(err, ErrNotifyOnce) || !strings.Contains(err.Error(), "notice no. 1 on 2025-11-30") {
		t.Fatalf("second notice after the supplement: %v", err)
	}
	// The refusal's text is its own: no sentinel's text trails it (defect 18).
	if msg := err.Error(); strings.HasSuffix(msg, "already exists") || strings.Contains(msg, "notify-once:") {
		t.Fatalf("notify-once refusal %q carries a sentinel's text", msg)
	}
}
