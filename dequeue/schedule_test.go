package dequeue_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mtlscourier/courier/dequeue"
)

func TestScheduleWait(t *testing.T) {
	sched := dequeue.Schedule{0, 10 * time.Second, time.Hour}
	tests := []struct {
		name     string
		attempts int
		want     time.Duration
		wantOK   bool
	}{
		{name: "no attempt counted yet", attempts: 0, want: 0, wantOK: true},
		{name: "after the first attempt", attempts: 1, want: 0, wantOK: true},
		{name: "after the second", attempts: 2, want: 10 * time.Second, wantOK: true},
		{name: "after the third", attempts: 3, want: time.Hour, wantOK: true},
		{name: "exhausted", attempts: 4, wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 100 {
				got, ok := sched.Wait(tt.attempts)
				assert.Equal(t, tt.wantOK, ok)
				assert.GreaterOrEqual(t, got, tt.want-tt.want/10)
				assert.LessOrEqual(t, got, tt.want+tt.want/10)
			}
		})
	}
}

func TestScheduleJitterSpreads(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 20 {
		w, _ := dequeue.DefaultSchedule.Wait(2)
		seen[w] = true
	}
	assert.Greater(t, len(seen), 1, "retries that failed together do not retry together")
}

func TestDefaultSchedule(t *testing.T) {
	assert.Equal(t, dequeue.Schedule{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}, dequeue.DefaultSchedule)
}
