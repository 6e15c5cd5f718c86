package bot

import (
	"container/list"
	"sync"
	"time"

	"github.com/redress-legal/redress/flows"
)

// sessionCache keeps the sessions this bot committed last, so that the next
// update of a chat in the middle of its case does not read, decrypt and
// decode its session again (that read was about a tenth of the bot's CPU
// under load). It is only a shortcut: every commit still compares the
// session's revision with the store's, so a session changed or removed
// behind the cache's back (retention, another process) is a conflict, and
// the bot drops the entry and reads the store.
//
// Entries are kept for at most sessionTTL after the chat's last update and
// at most sessionCacheMax of them; /delete drops the chat's at once, so
// answers do not stay in memory long after a user has gone.
type sessionCache struct {
	mu  sync.Mutex
	max int
	ttl time.Duration
	m   map[string]*list.Element // of *cachedSession
	lru list.List                // front: most recently used
}

type cachedSession struct {
	sess flows.Session
	at   time.Time
}

// The bounds of the session cache.
const (
	sessionCacheMax = 256
	sessionTTL      = 5 * time.Minute
)

func newSessionCache(max int, ttl time.Duration) *sessionCache {
	return &sessionCache{max: max, ttl: ttl, m: map[string]*list.Element{}}
}

// get returns the session cached under key, if there is one fresh enough.
func (c *sessionCache) get(key string, now time.Time) (flows.Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[key]
	if e == nil {
		return flows.Session{}, false
	}
	cs := e.Value.(*cachedSession)
	if now.Sub(cs.at) > c.ttl {
		c.removeLocked(e)
		return flows.Session{}, false
	}
	cs.at = now // the chat's latest update: the TTL counts from it
	c.lru.MoveToFront(e)
	return cs.sess, true
}

// put caches s as just committed.
func (c *sessionCache) put(s flows.Session, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[s.Key]; e != nil {
		e.Value = &cachedSession{sess: s, at: now}
		c.lru.MoveToFront(e)
	} else {
		c.m[s.Key] = c.lru.PushFront(&cachedSession{sess: s, at: now})
	}
	c.pruneLocked(now)
}

// drop forgets the session under key.
func (c *sessionCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[key]; e != nil {
		c.removeLocked(e)
	}
}

// prune forgets the sessions older than the TTL.
func (c *sessionCache) prune(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pruneLocked(now)
}

func (c *sessionCache) pruneLocked(now time.Time) {
	// Both get and put move an entry to the front and stamp it: the back
	// is the oldest.
	for e := c.lru.Back(); e != nil; e = c.lru.Back() {
		if c.lru.Len() <= c.max && now.Sub(e.Value.(*cachedSession).at) <= c.ttl {
			return
		}
		c.removeLocked(e)
	}
}

func (c *sessionCache) removeLocked(e *list.Element) {
	delete(c.m, e.Value.(*cachedSession).sess.Key)
	c.lru.Remove(e)
}

// len returns how many sessions are cached.
func (c *sessionCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
