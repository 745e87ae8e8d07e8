package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// PGCluster is a private PostgreSQL cluster under the data directory, started
// by `serve` when no PostgreSQL is reachable but its server binaries are installed.
type PGCluster struct {
	Dir  string
	Port int
	bin  string
}

// FindPGBin returns the directory holding initdb and pg_ctl, or "".
func FindPGBin() string {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) == 0 {
		return ""
	}
	// The highest version sorts last.
	return filepath.Dir(matches[len(matches)-1])
}

// StartPGCluster initialises (once) and starts a cluster in dir on a free port.
// It runs as the current user; as root it uses the "postgres" system user,
// since PostgreSQL refuses to run as root.
func StartPGCluster(ctx context.Context, dir string) (*PGCluster, error) {
	bin := FindPGBin()
	if bin == "" {
		return nil, errors.New("PostgreSQL server binaries not found")
	}
	port, err := FreePort("127.0.0.1")
	if err != nil {
		return nil, err
	}
	c := &PGCluster{Dir: dir, Port: port, bin: bin}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		_ = exec.CommandContext(ctx, "chown", "-R", "postgres:postgres", dir).Run()
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		if out, err := c.run(ctx, "initdb", "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
			return nil, fmt.Errorf("initdb: %v: %s", err, out)
		}
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s", port, dir)
	if out, err := c.run(ctx, "pg_ctl", "-D", dir, "-o", opts, "-l", filepath.Join(dir, "server.log"), "-w", "start"); err != nil {
		return nil, fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	return c, nil
}

// DSN returns the cluster's connection URL for database db.
func (c *PGCluster) DSN(db string) string {
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(c.Port) + "/" + db + "?sslmode=disable"
}

// Stop stops the cluster (fast shutdown).
func (c *PGCluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.run(ctx, "pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "stop")
	return err
}

func (c *PGCluster) run(ctx context.Context, tool string, args ...string) (string, error) {
	path := filepath.Join(c.bin, tool)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
