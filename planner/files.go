package planner

import "fmt"

// fileCheck is what the planner learned about one local file.
type fileCheck struct {
	exists bool
	size   int64
	sha256 string // "" until asked for
	err    error
}

// intact reports whether path holds the verified content (wantSHA, and
// wantSize when known). When it does not, why says what is wrong, in a
// form that follows the path: "is missing", "was modified …". The file is
// hashed only when it exists with the expected size.
func (pl *planning) intact(path, wantSHA string, wantSize int64) (ok bool, why string) {
	if pl.in.SkipFileChecks {
		return true, ""
	}
	fc, seen := pl.fileCache[path]
	if !seen {
		fc.size, fc.exists, fc.err = pl.files.Stat(path)
		pl.fileCache[path] = fc
	}
	switch {
	case fc.err != nil:
		return false, fmt.Sprintf("cannot be read (%v)", fc.err)
	case !fc.exists:
		return false, "is missing"
	case wantSize > 0 && fc.size != wantSize:
		return false, fmt.Sprintf("was modified (%d bytes, %d when verified)", fc.size, wantSize)
	}
	if fc.sha256 == "" {
		sum, err := pl.files.SHA256(path)
		if err != nil {
			return false, fmt.Sprintf("cannot be read (%v)", err)
		}
		fc.sha256 = sum
		pl.fileCache[path] = fc
	}
	if fc.sha256 != wantSHA {
		return false, "was modified (sha256 differs from the verified download)"
	}
	return true, ""
}
