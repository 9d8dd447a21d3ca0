package fleet

import "time"

// SetRedisRetry shortens how long a budget stays local after Redis failed,
// for a test; it returns the undo.
func SetRedisRetry(d time.Duration) (restore func()) {
	old := redisRetry
	redisRetry = d
	return func() { redisRetry = old }
}
