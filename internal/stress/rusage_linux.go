package stress

import (
	"os"
	"syscall"
)

// maxRSSKB is the peak resident set of an exited child in kB: Linux's
// ru_maxrss from wait4, the figure /usr/bin/time -v prints.
func maxRSSKB(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
