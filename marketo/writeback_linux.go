package marketo

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to begin writing [off, off+n) of f to disk
// now, without waiting. Done every few MiB during a download, it spreads
// the disk writes over the transfer so the final fsync has little left to
// do; errors are ignored because that fsync still checks everything.
func startWriteback(f *os.File, off, n int64) {
	unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
