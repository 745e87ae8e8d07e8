package integration

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/caobang/congdanso/embedded/freeport"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// congdansoBin returns the path of the congdanso binary: $CONGDANSO_BIN (the
// Makefile builds it first) or a fresh build.
func congdansoBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("CONGDANSO_BIN"); p != "" {
			binPath, binErr = filepath.Abs(p)
			return
		}
		dir, err := os.MkdirTemp("", "congdanso-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "congdanso")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/congdanso").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func freePort(t *testing.T) int {
	t.Helper()
	p, err := freeport.Pick("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// proc is a congdanso child process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	args []string
	env  []string
	log  *os.File
	HTTP string // base URL
}

// startProc runs `congdanso args...` and waits until /readyz answers 200 when
// httpAddr is set.
func startProc(t *testing.T, logPath string, env []string, httpAddr string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, args: args, env: env}
	if httpAddr != "" {
		p.HTTP = "http://" + httpAddr
	}
	p.start(logPath)
	return p
}

func (p *proc) start(logPath string) {
	p.t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatal(err)
	}
	p.log = f
	cmd := exec.Command(congdansoBin(p.t), p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.cmd = cmd
	p.t.Cleanup(func() { p.kill() })
	if p.HTTP != "" {
		p.waitReady(logPath)
	}
}

func (p *proc) waitReady(logPath string) {
	p.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.HTTP + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	p.t.Fatalf("congdanso did not become ready; log tail:\n%s", b)
}

// kill sends SIGKILL (no graceful shutdown) to the process group and waits
// until the process and every one of its group has exited, so that nothing
// writes into the data directory afterwards (the cleanup removing it runs next).
func (p *proc) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	pid := p.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	_, _ = p.cmd.Process.Wait()
	killGroupAndWait(p.t, pid)
	p.cmd = nil
	if p.log != nil {
		p.log.Close()
	}
}

// restart starts the same command again.
func (p *proc) restart(logPath string) { p.start(logPath) }
