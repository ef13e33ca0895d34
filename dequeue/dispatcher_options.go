package dequeue

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of a Dispatcher, in one place.
const (
	DefaultWorkers      = 4
	DefaultVisibility   = 5 * time.Minute
	DefaultPollInterval = time.Second
	DefaultDrainTimeout = 30 * time.Second
)

// ErrInvalidOption is what NewDispatcher's error matches (errors.Is) when an
// option is invalid or options contradict each other.
var ErrInvalidOption = errors.New("dequeue: invalid dispatcher option")

// optionError is an option's complaint, prefixed with the package and
// matching ErrInvalidOption.
type optionError struct{ err error }

func (e *optionError) Error() string        { return "dequeue: " + e.err.Error() }
func (e *optionError) Unwrap() error        { return e.err }
func (e *optionError) Is(target error) bool { return target == ErrInvalidOption }

// Option configures a Dispatcher. Options check themselves: a bad one makes
// NewDispatcher fail.
type Option interface {
	apply(*settings) error
}

type optionFunc func(*settings) error

func (f optionFunc) apply(s *settings) error { return f(s) }

// settings are a Dispatcher's options after defaults.
type settings struct {
	workers    int
	workersSet bool
	schedule   Schedule
	strict     bool
	visibility time.Duration
	visSet     bool
	poll       time.Duration
	drain      time.Duration
	logger     *slog.Logger
	hooks      Hooks
	now        func() time.Time
}

func defaultSettings() settings {
	return settings{
		workers:    DefaultWorkers,
		schedule:   DefaultSchedule,
		visibility: DefaultVisibility,
		poll:       DefaultPollInterval,
		drain:      DefaultDrainTimeout,
		logger:     slog.New(slog.DiscardHandler),
		now:        time.Now,
	}
}

// WithWorkers delivers up to n messages at once (DefaultWorkers unless
// set). A slow or failing message occupies one worker; the others go on.
func WithWorkers(n int) Option {
	return optionFunc(func(s *settings) error {
		if n < 1 {
			return fmt.Errorf("WithWorkers(%d): want at least 1", n)
		}
		s.workers, s.workersSet = n, true
		return nil
	})
}

// WithSchedule retries failed deliveries on sched instead of
// DefaultSchedule.
func WithSchedule(sched Schedule) Option {
	return optionFunc(func(s *settings) error {
		if err := sched.validate(); err != nil {
			return fmt.Errorf("WithSchedule: %w", err)
		}
		s.schedule = append(Schedule(nil), sched...)
		return nil
	})
}

// WithStrictOrder delivers in the queue's insertion order, one message at
// a time: a message waiting for a retry holds back every message behind
// it, for partners that need order. A dead-lettered message leaves the
// line. It cannot be combined with WithWorkers above 1.
func WithStrictOrder() Option {
	return optionFunc(func(s *settings) error {
		s.strict = true
		return nil
	})
}

// WithVisibility sets how long a leased message stays invisible. It must
// exceed the client's worst-case delivery time, every in-request retry
// included, or a message still being delivered would be leased and
// delivered again; NewDispatcher checks. Unless set it is
// DefaultVisibility, or that worst case plus a minute when longer.
func WithVisibility(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("WithVisibility(%s): want a positive duration", d)
		}
		s.visibility, s.visSet = d, true
		return nil
	})
}

// WithPollInterval sets how often an idle Run looks for due messages
// (DefaultPollInterval unless set). Messages this dispatcher rescheduled
// are picked up when due without waiting for the next poll; the interval
// bounds how late Run notices messages another process put.
func WithPollInterval(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("WithPollInterval(%s): want a positive duration", d)
		}
		s.poll = d
		return nil
	})
}

// WithDrainTimeout bounds how long Run and RunOnce let in-flight
// deliveries finish after their context ends (DefaultDrainTimeout unless
// set); deliveries still going then are cancelled and returned to the
// queue, due at once, with reason interrupted. 0 returns them at once.
func WithDrainTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) error {
		if d < 0 {
			return fmt.Errorf("WithDrainTimeout(%s): want 0 or more", d)
		}
		s.drain = d
		return nil
	})
}

// WithLogger logs every attempt's outcome to l with the keys id, attempt,
// status, reason and wait. Payloads, headers and secrets are never logged.
// The default is silent.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(s *settings) error {
		if l == nil {
			return errors.New("WithLogger: nil *slog.Logger")
		}
		s.logger = l
		return nil
	})
}

// WithHooks calls h's functions as deliveries go.
func WithHooks(h Hooks) Option {
	return optionFunc(func(s *settings) error {
		s.hooks = h
		return nil
	})
}

// WithClock makes the dispatcher read the time from now, to compute due
// times; the default is time.Now. Give the queue the same clock.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(s *settings) error {
		if now == nil {
			return errors.New("WithClock: nil func")
		}
		s.now = now
		return nil
	})
}

// check refuses combinations that contradict each other.
func (s *settings) check() error {
	if s.strict && s.workersSet && s.workers > 1 {
		return fmt.Errorf("WithStrictOrder delivers one message at a time: drop WithWorkers(%d)", s.workers)
	}
	if s.strict {
		s.workers = 1
	}
	return nil
}
