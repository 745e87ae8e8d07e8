package main

// A `congdanso serve` child process for the province-scale scenarios: the
// resident scenario kills it with SIGKILL and measures the restart.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/caobang/congdanso/embedded"
)

// serveChild is one configuration of serve; start runs a new process of it.
type serveChild struct {
	Env     []string // CONGDANSO_* and DATABASE_URL
	HTTP    string   // 127.0.0.1:port
	DataDir string
	LogDir  string
	cmd     *exec.Cmd
	starts  int
	logPath string
	t0      time.Time // exec of the last start
}

func newServeChild(dataDir, appDSN, engine, secret string, shards int, tdb, vdb string) (*serveChild, error) {
	hp, err := embedded.FreePort("127.0.0.1")
	if err != nil {
		return nil, err
	}
	tp, err := embedded.FreePort("127.0.0.1")
	if err != nil {
		return nil, err
	}
	s := &serveChild{HTTP: "127.0.0.1:" + strconv.Itoa(hp), DataDir: dataDir, LogDir: filepath.Join(dataDir, "logs")}
	s.Env = []string{
		"DATABASE_URL=" + appDSN, "CONGDANSO_DATA_DIR=" + dataDir, "CONGDANSO_HTTP_ADDR=" + s.HTTP,
		"CONGDANSO_TEMPORAL_PORT=" + strconv.Itoa(tp), "CONGDANSO_TEMPORAL_UI_PORT=0", "CONGDANSO_TOKEN_SECRET=" + secret,
		"CONGDANSO_TEMPORAL_STORE=" + engine, "CONGDANSO_HISTORY_SHARDS=" + strconv.Itoa(shards),
		"CONGDANSO_TEMPORAL_DB=" + tdb, "CONGDANSO_TEMPORAL_VISIBILITY_DB=" + vdb,
		"CONGDANSO_LOG_LEVEL=info", "CONGDANSO_METRICS_ADDR=off",
	}
	return s, os.MkdirAll(s.LogDir, 0o750)
}

// start runs serve with extra environment and waits until /readyz answers
// 200; it returns the time from exec to ready.
func (s *serveChild) start(ctx context.Context, extra ...string) (time.Duration, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	s.starts++
	s.logPath = filepath.Join(s.LogDir, fmt.Sprintf("serve-%d.log", s.starts))
	logf, err := os.Create(s.logPath)
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe, "serve")
	cmd.Env = append(append(os.Environ(), s.Env...), extra...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	t0 := time.Now()
	s.t0 = t0
	if err := cmd.Start(); err != nil {
		logf.Close()
		return 0, err
	}
	s.cmd = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := t0.Add(5 * time.Minute)
	for {
		select {
		case err := <-exited:
			// The run's directory goes with it unless --keep: the error
			// carries the log's last lines, so the cause is not lost.
			return 0, fmt.Errorf("serve exited before ready (%v), log %s, ending:\n%s", err, s.logPath, logTail(s.logPath, 20))
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
		if resp, err := hc.Get("http://" + s.HTTP + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				d := time.Since(t0)
				// keep the exit watcher: a later kill reaps the process
				go func() { <-exited }()
				return d, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("serve not ready after 5 min, log %s", s.logPath)
		}
	}
}

// kill ends the process with sig and waits until it is gone.
func (s *serveChild) kill(sig syscall.Signal) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	pid := s.cmd.Process.Pid
	_ = s.cmd.Process.Signal(sig)
	for i := 0; i < 600; i++ {
		if err := syscall.Kill(pid, 0); err != nil {
			break
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && strings.Contains(string(b), ") Z ") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.cmd = nil
}

// logTail is the last n lines of the file at path (or why it cannot be read).
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// rssMB is serve's resident set (VmRSS) and its peak (VmHWM).
func (s *serveChild) rssMB() (rss, hwm float64, err error) {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0, 0, errors.New("serve is not running")
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var seen int
	for sc.Scan() {
		line := sc.Text()
		var kb float64
		if strings.HasPrefix(line, "VmRSS:") {
			if _, err := fmt.Sscanf(strings.TrimPrefix(line, "VmRSS:"), "%f", &kb); err != nil {
				return 0, 0, fmt.Errorf("VmRSS: %w", err)
			}
			rss, seen = kb/1024, seen+1
		} else if strings.HasPrefix(line, "VmHWM:") {
			if _, err := fmt.Sscanf(strings.TrimPrefix(line, "VmHWM:"), "%f", &kb); err != nil {
				return 0, 0, fmt.Errorf("VmHWM: %w", err)
			}
			hwm, seen = kb/1024, seen+1
		}
	}
	if err := sc.Err(); err != nil {
		return 0, 0, err
	}
	if seen != 2 {
		return 0, 0, fmt.Errorf("/proc/%d/status has no VmRSS or VmHWM", s.cmd.Process.Pid)
	}
	return rss, hwm, nil
}

// startupMarks reads the last start's log and returns the milliseconds from
// the exec to each milestone of serve's start (where the restart
// time goes).
func (s *serveChild) startupMarks() map[string]float64 {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return nil
	}
	marks := map[string]float64{}
	first := s.t0
	for _, line := range strings.Split(string(b), "\n") {
		var e struct {
			Time time.Time `json:"time"`
			Msg  string    `json:"msg"`
			MS   float64   `json:"ms"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.Time.IsZero() {
			continue
		}
		switch e.Msg {
		case "embedded Temporal started":
			marks["temporal_started_ms"] = ms(e.Time.Sub(first))
			marks["temporal_start_took_ms"] = e.MS
		case "worker started":
			marks["worker_started_ms"] = ms(e.Time.Sub(first))
		case "congdanso ready":
			marks["http_listening_ms"] = ms(e.Time.Sub(first))
		case "readiness probe answered":
			marks["probe_answered_ms"] = ms(e.Time.Sub(first))
		}
	}
	return marks
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// dirSizeMB is the size of every file under dir. A file it cannot stat is
// an error, never a smaller size.
func dirSizeMB(dir string) (float64, error) {
	var n int64
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return float64(n) / (1 << 20), err
}
