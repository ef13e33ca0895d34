package destination

import "time"

// Defaults, in one place. A zero field in Config means the matching default.
const (
	DefaultMethod      = "POST"
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 4
	DefaultWaitMin     = 500 * time.Millisecond
	DefaultWaitMax     = 30 * time.Second
	DefaultIDHeader    = "Idempotency-Key"
	DefaultContentType = "application/octet-stream"
)
