package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// CheckCamerasInput bounds the health check.
type CheckCamerasInput struct {
	// Timeout is the limit for one stream URL to answer; 0 means 5 s.
	Timeout time.Duration `json:"timeout"`
	// Parallel is how many cameras are probed at once; 0 means 8.
	Parallel int `json:"parallel"`
}

// CheckCamerasResult counts the outcome.
type CheckCamerasResult struct {
	Checked int `json:"checked"`
	Online  int `json:"online"`
	Offline int `json:"offline"`
}

// cameraHTTP is the client for probes. No client-level timeout: each probe
// has its own context deadline. Redirects are followed (a CDN may redirect).
var cameraHTTP = &http.Client{}

// CheckCameras probes every camera's HLS URL (except those in maintenance)
// and records online/offline. A camera is online when its URL answers 2xx
// within the timeout. Each write is an idempotent UPDATE, so a retried
// activity is harmless.
func (a *Activities) CheckCameras(ctx context.Context, in CheckCamerasInput) (CheckCamerasResult, error) {
	if in.Timeout <= 0 {
		in.Timeout = 5 * time.Second
	}
	if in.Parallel <= 0 {
		in.Parallel = 8
	}
	list, err := a.DB.CamerasToProbe(ctx)
	if err != nil {
		return CheckCamerasResult{}, err
	}
	var (
		mu  sync.Mutex
		res = CheckCamerasResult{Checked: len(list)}
		wg  sync.WaitGroup
		sem = make(chan struct{}, in.Parallel)
	)
	var firstErr error
	for _, cam := range list {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			perr := probeStream(ctx, cam.HLSURL, in.Timeout)
			msg := ""
			if perr != nil {
				msg = perr.Error()
			}
			err := a.DB.SetCameraHealth(ctx, cam.ID, perr == nil, msg)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if perr == nil {
				res.Online++
			} else {
				res.Offline++
				a.log().Info("camera offline", "cameraID", cam.ID, "err", msg)
			}
		}()
	}
	wg.Wait()
	return res, firstErr
}

// probeStream GETs the playlist and reads at most a few KiB of it, within timeout.
func probeStream(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("bad url: %w", err)
	}
	resp, err := cameraHTTP.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("no answer within %s", timeout)
		}
		return errors.New("unreachable")
	}
	defer resp.Body.Close()
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("http status %d", resp.StatusCode)
	}
	return nil
}
