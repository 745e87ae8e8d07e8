package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Child processes that write into t.TempDir() must be gone before the
// directory is removed, or RemoveAll races with their last writes
// ("unlinkat …: directory not empty"). Each child runs in its own process
// group; its cleanup, registered after the TempDir so that it runs first,
// kills the whole group and waits until no process of the group is left.

// groupMembers lists the live (not zombie) processes whose process group is pgid.
func groupMembers(pgid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g == pgid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killGroupAndWait SIGKILLs process group pgid and waits until none of its
// processes is alive. It reports an error (not a retry) when one survives.
func killGroupAndWait(t *testing.T, pgid int) {
	t.Helper()
	if err := killGroup(pgid); err != nil {
		t.Error(err)
	}
}

// killGroup SIGKILLs process group pgid and waits until none of its
// processes is alive (an error after 30 s).
func killGroup(pgid int) error {
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	deadline := time.Now().Add(30 * time.Second)
	for {
		left := groupMembers(pgid)
		if len(left) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process group %d: processes %v still alive 30s after SIGKILL", pgid, left)
		}
		for _, pid := range left {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// launchBrowser starts headless chromium with its profile in profile and
// returns its chromedp context and stop, which closes the browser
// gracefully, waits for the browser process to exit, then kills and waits
// out whatever is left of its process group (renderers, utility and
// crash-handler processes), so that the profile can be removed after it.
func launchBrowser(chromium, profile string, extra ...chromedp.ExecAllocatorOption) (context.Context, func() error, error) {
	opts := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.UserDataDir(profile),
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			// Own process group, so that the cleanup can wait for every
			// process chromium forks; killed with the test binary.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		}),
	}, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Run(bctx); err != nil { // starts the browser now: its PID is needed below
		cancelBrowser()
		cancelAlloc()
		return nil, nil, fmt.Errorf("start chromium: %w", err)
	}
	pid := chromedp.FromContext(bctx).Browser.Process().Pid
	stop := func() error {
		cctx, cancel := context.WithTimeout(bctx, 20*time.Second)
		var errs []error
		if err := chromedp.Cancel(cctx); err != nil && cctx.Err() == nil {
			errs = append(errs, fmt.Errorf("closing chromium: %w", err))
		}
		cancel()
		cancelBrowser()
		cancelAlloc() // returns once the browser process has been waited for
		if err := killGroup(pid); err != nil {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	}
	return bctx, stop, nil
}

// startBrowser starts a browser of the test's own, with its profile in a
// t.TempDir(), stopped (launchBrowser's stop) before the directory is
// removed. Browser tests share one (browserTab); this is for tests of the
// launcher itself.
func startBrowser(t *testing.T, chromium string, timeout time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	bctx, stop, err := launchBrowser(chromium, t.TempDir(), extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	tctx, cancelTimeout := context.WithTimeout(bctx, timeout)
	t.Cleanup(cancelTimeout)
	return tctx
}

// TestBrowserLeavesNothingBehind starts and closes chromium the way the
// console test does and checks that, once the test's cleanups have run, no
// process that was given the profile directory is alive and the directory
// was removed without error (TempDir's RemoveAll fails the subtest otherwise).
func TestBrowserLeavesNothingBehind(t *testing.T) {
	chromium := chromiumPath(t)
	var profile string
	t.Run("browser", func(t *testing.T) {
		ctx := startBrowser(t, chromium, time.Minute)
		var title string
		if err := chromedp.Run(ctx, chromedp.Navigate("data:text/html,<title>x</title><p>x"), chromedp.Title(&title)); err != nil {
			t.Fatal(err)
		}
		profile = profileDir(t, chromedp.FromContext(ctx).Browser.Process().Pid)
	})
	if left := processesMentioning(profile); len(left) > 0 {
		t.Fatalf("processes %v still use the profile %s after the cleanup", left, profile)
	}
	if _, err := os.Stat(profile); !os.IsNotExist(err) {
		t.Fatalf("profile %s not removed: %v", profile, err)
	}
}

// profileDir reads --user-data-dir from the command line of process pid.
func profileDir(t *testing.T, pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range strings.Split(string(b), "\x00") {
		if v, ok := strings.CutPrefix(a, "--user-data-dir="); ok {
			return v
		}
	}
	t.Fatalf("no --user-data-dir in %q", b)
	return ""
}

// processesMentioning lists live processes whose command line contains s.
func processesMentioning(s string) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(s)) {
			pids = append(pids, pid)
		}
	}
	return pids
}
