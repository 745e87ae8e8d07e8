package postgres

import (
	"encoding/json"
	"io/fs"
)

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
