package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=..."; when it
// is not, the module version or VCS revision from the build info is used.
var version = ""

func mkbulkVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

func cmdVersion(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "version", "")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	fmt.Fprintf(e.stdout, "mkbulk %s (%s %s/%s)\n", mkbulkVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
