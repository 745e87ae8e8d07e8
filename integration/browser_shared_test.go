package integration

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// One chromium for the whole package run: the browser tests each get a tab
// in a browser context of their own (fresh cookies, storage and cache, like
// a new profile) instead of launching chromium each. TestMain stops the
// browser (launchBrowser's stop: graceful close, wait for the process,
// then its process group) before it removes the profile directory.

// sharedChromium is the package run's browser, started by the first test
// that asks for it.
type sharedChromium struct {
	once    sync.Once
	ctx     context.Context
	stop    func() error
	profile string
	err     error
}

var browser sharedChromium

func TestMain(m *testing.M) {
	code := m.Run()
	if err := browser.shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, "shared browser:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func (b *sharedChromium) start(chromium string) (context.Context, error) {
	b.once.Do(func() {
		if b.profile, b.err = os.MkdirTemp("", "congdanso-chromium-"); b.err != nil {
			return
		}
		b.ctx, b.stop, b.err = launchBrowser(chromium, b.profile, chromedp.WindowSize(1366, 768))
	})
	return b.ctx, b.err
}

// shutdown stops the browser, if one was started, then removes its profile.
func (b *sharedChromium) shutdown() error {
	var err error
	if b.stop != nil {
		err = b.stop()
	}
	if b.profile != "" {
		if rerr := os.RemoveAll(b.profile); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// browserTab opens a tab of the shared browser in a new browser context
// (nothing shared with other tests), 1366×768, bounded by timeout; it is
// closed, with its browser context, at the test's cleanup.
func browserTab(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	bctx, err := browser.start(chromiumPath(t))
	if err != nil {
		t.Fatalf("shared chromium: %v", err)
	}
	tab, closeTab := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Run(tab, emulation.SetDeviceMetricsOverride(1366, 768, 1, false)); err != nil {
		closeTab()
		t.Fatalf("new tab: %v", err)
	}
	tctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(func() {
		cancel()
		closeTab() // closes the target and disposes of its browser context
	})
	return tctx
}
