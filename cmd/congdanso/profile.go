package main

import (
	"log/slog"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// startupProfile writes a CPU profile of the first 60 s of the process to
// $CONGDANSO_STARTUP_CPUPROFILE when set ({pid} is replaced by the process id) (where a restart spends its time;
// BENCHMARKS.md, round 2). The profile ends on its own, so a process later
// killed with SIGKILL still leaves a complete file.
func startupProfile(logger *slog.Logger) {
	path := os.Getenv("CONGDANSO_STARTUP_CPUPROFILE")
	if path == "" {
		return
	}
	path = strings.ReplaceAll(path, "{pid}", strconv.Itoa(os.Getpid()))
	f, err := os.Create(path)
	if err != nil {
		logger.Warn("startup profile", "err", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		logger.Warn("startup profile", "err", err)
		f.Close()
		return
	}
	time.AfterFunc(60*time.Second, func() {
		pprof.StopCPUProfile()
		f.Close()
		logger.Info("startup profile written", "path", path)
	})
}
