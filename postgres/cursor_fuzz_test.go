package postgres

import (
	"testing"
	"time"

	cds "github.com/caobang/congdanso"
)

// FuzzDecodeTaskCursor: the queue's cursor comes from the query string. Any
// input is either refused as EINVALID (field "cursor") or a position that
// encodes back to itself; nothing panics, and TaskQueueSQL with that cursor
// builds a query or refuses it the same way.
func FuzzDecodeTaskCursor(f *testing.F) {
	due := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	f.Add(EncodeTaskCursor(Task{ID: 42, Priority: 1, DueAt: &due}))
	f.Add(EncodeTaskCursor(Task{ID: 7}))
	f.Add("")
	f.Add("eyJkIjoiMjAyNi0wMy0wMlQwOTozMDowMFoiLCJwIjowLCJpIjotMX0")
	f.Add("%%%not-base64")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeTaskCursor(s)
		if err != nil {
			if cds.ErrorCode(err) != cds.EINVALID {
				t.Fatalf("%q: %v, want EINVALID", s, err)
			}
		} else {
			if c.ID <= 0 {
				t.Fatalf("%q: accepted id %d", s, c.ID)
			}
			tk := Task{ID: c.ID, Priority: c.P}
			if !c.Due.Equal(infinity) {
				d := c.Due
				tk.DueAt = &d
			}
			again, err := decodeTaskCursor(EncodeTaskCursor(tk))
			if err != nil || again.ID != c.ID || again.P != c.P || !again.Due.Equal(c.Due) {
				t.Fatalf("%q: %+v encodes back to %+v (%v)", s, c, again, err)
			}
		}
		if _, _, err := TaskQueueSQL(TaskQuery{Agencies: []string{"SXD"}, Cursor: s, Limit: 20}); err != nil && cds.ErrorCode(err) != cds.EINVALID {
			t.Fatalf("TaskQueueSQL(%q): %v", s, err)
		}
	})
}
