//go:build !linux

package stress

import "os"

// maxRSSKB is unknown off Linux (ru_maxrss units differ); 0 means unknown.
func maxRSSKB(ps *os.ProcessState) int64 { return 0 }
