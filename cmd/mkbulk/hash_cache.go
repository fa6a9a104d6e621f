package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mkbulk/mkbulk/executor"
)

// Plan checks that every verified output is still what was downloaded,
// which means hashing it — seconds per GB, on every plan. Like git's index,
// mkbulk remembers each file's sha256 with the stat facts it had when it
// was hashed (size, mtime, ctime, inode) in .mkbulk/sha256-cache.json and
// hashes again only when any of them changed. ctime cannot be set by users
// (touch -r sets mtime only), so an edit that keeps size and mtime is still
// seen.

// hashCacheName is the cache file, in the state file's directory.
const hashCacheName = "sha256-cache.json"

// racyWindow: a file hashed this soon after its last change may still be
// changing within the same timestamp tick, so its hash is not cached.
const racyWindow = 2 * time.Second

// hashCache maps project-relative paths to a hash and the stat facts it
// was taken with. Safe for concurrent use.
type hashCache struct {
	mu      sync.Mutex
	path    string // "" when there is no project state directory
	entries map[string]hashEntry
	dirty   bool
}

type hashEntry struct {
	Stat   fileStamp `json:"stat"`
	SHA256 string    `json:"sha256"`
}

// loadHashCache reads the cache beside the state file; a missing or
// unreadable cache is an empty one (it only saves work).
func loadHashCache(stateDir string) *hashCache {
	c := &hashCache{entries: map[string]hashEntry{}}
	if fi, err := os.Stat(stateDir); err != nil || !fi.IsDir() {
		return c
	}
	c.path = filepath.Join(stateDir, hashCacheName)
	if data, err := os.ReadFile(c.path); err == nil {
		_ = json.Unmarshal(data, &c.entries)
	}
	return c
}

// sha256 returns the file's sha256 hex, from the cache when the file's
// stamp is unchanged since it was hashed.
func (c *hashCache) sha256(rel, abs string) (string, error) {
	before, stamped := stampOf(abs)
	c.mu.Lock()
	e, ok := c.entries[rel]
	c.mu.Unlock()
	if stamped && ok && e.Stat == before {
		return e.SHA256, nil
	}
	sum, err := executor.FileSHA256(abs)
	if err != nil {
		return "", err
	}
	after, stampedAfter := stampOf(abs)
	// Cache only a hash of a file that held still while it was read and
	// was last changed longer ago than a timestamp tick.
	if stamped && stampedAfter && before == after && time.Since(time.Unix(0, after.MtimeNs)) > racyWindow {
		c.mu.Lock()
		c.entries[rel] = hashEntry{Stat: after, SHA256: sum}
		c.dirty = true
		c.mu.Unlock()
	}
	return sum, nil
}

// save writes the cache if it changed, dropping entries of files that no
// longer exist. Best effort: a failure only means hashing again next time.
func (c *hashCache) save(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.path == "" || !c.dirty {
		return
	}
	for rel := range c.entries {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			delete(c.entries, rel)
		}
	}
	data, err := json.Marshal(c.entries)
	if err != nil {
		return
	}
	tmp := c.path + ".tmp"
	if os.WriteFile(tmp, data, 0o600) == nil {
		_ = os.Rename(tmp, c.path)
	}
	c.dirty = false
}
