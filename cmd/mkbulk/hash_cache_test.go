//go:build linux

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// TestHashCache: an unchanged file is not hashed again; an edit that keeps
// size and mtime is still seen (ctime); a file changed moments ago is not
// cached; the cache survives a save and load.
func TestHashCache(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, ".mkbulk")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(dir, "out.csv")
	old := time.Now().Add(-time.Hour)
	write := func(content string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(abs, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("id,email\n1,a@x\n", old)

	c := loadHashCache(state)
	got, err := c.sha256("out.csv", abs)
	if err != nil || got != sha256Hex([]byte("id,email\n1,a@x\n")) {
		t.Fatalf("first hash %q, %v", got, err)
	}
	// Mark the cached entry: a cache hit returns the mark, not a re-hash.
	e := c.entries["out.csv"]
	e.SHA256 = "cached"
	c.entries["out.csv"] = e
	if got, _ := c.sha256("out.csv", abs); got != "cached" {
		t.Fatalf("unchanged file hashed again: %q", got)
	}

	// Same size, same mtime, other bytes: ctime moved, so it is hashed.
	time.Sleep(10 * time.Millisecond) // let ctime tick
	write("id,email\n1,b@x\n", old)
	if got, _ := c.sha256("out.csv", abs); got != sha256Hex([]byte("id,email\n1,b@x\n")) {
		t.Fatalf("edit keeping size and mtime not seen: %q", got)
	}

	// Saved and loaded, the entry still answers.
	c.save(dir)
	c2 := loadHashCache(state)
	if got := c2.entries["out.csv"].SHA256; got != sha256Hex([]byte("id,email\n1,b@x\n")) {
		t.Errorf("after save and load: %q", got)
	}

	// A file changed just now is hashed but not cached (racy window).
	write("id,email\n1,c@x\n", time.Now())
	c3 := loadHashCache(state)
	if _, err := c3.sha256("out.csv", abs); err != nil {
		t.Fatal(err)
	}
	if e := c3.entries["out.csv"]; e.SHA256 == sha256Hex([]byte("id,email\n1,c@x\n")) {
		t.Error("a file changed within the racy window was cached")
	}

	// Outside a project nothing is written.
	c4 := loadHashCache(filepath.Join(dir, "nope"))
	c4.sha256("out.csv", abs)
	c4.save(dir)
	if _, err := os.Stat(filepath.Join(dir, "nope")); !os.IsNotExist(err) {
		t.Error("a cache directory was created outside a project")
	}
}
