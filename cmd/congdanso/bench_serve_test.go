package main

import (
	"os"
	"path/filepath"
	"testing"
)

// logTail gives the last lines of serve's log, which a failed start quotes
// in its error (the run's directory is removed after it).
func TestLogTail(t *testing.T) {
	p := filepath.Join(t.TempDir(), "serve.log")
	if err := os.WriteFile(p, []byte("one\ntwo\nthree\nlisten tcp 127.0.0.1:41234: bind: address already in use\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n    int
		want string
	}{
		{2, "three\nlisten tcp 127.0.0.1:41234: bind: address already in use"},
		{9, "one\ntwo\nthree\nlisten tcp 127.0.0.1:41234: bind: address already in use"},
	} {
		if got := logTail(p, c.n); got != c.want {
			t.Errorf("logTail(%d) = %q; want %q", c.n, got, c.want)
		}
	}
	if got := logTail(filepath.Join(t.TempDir(), "missing.log"), 3); got == "" {
		t.Error("a missing log reads as nothing; want the reason")
	}
}
