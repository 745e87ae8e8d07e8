package integration

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/target"
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
	// The browser context and its window are made here rather than with
	// chromedp.WithNewBrowserContext, whose target is not a new window:
	// chromium refuses it ("no browser is open") in a context without one.
	var bcID cdp.BrowserContextID
	var tid target.ID
	err = chromedp.Run(bctx, chromedp.ActionFunc(func(ctx context.Context) error {
		bx := cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
		var err error
		if bcID, err = target.CreateBrowserContext().WithDisposeOnDetach(true).Do(bx); err != nil {
			return err
		}
		tid, err = target.CreateTarget("about:blank").WithBrowserContextID(bcID).WithNewWindow(true).Do(bx)
		return err
	}))
	if err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	tab, closeTab := chromedp.NewContext(bctx, chromedp.WithTargetID(tid))
	if err := chromedp.Run(tab, emulation.SetDeviceMetricsOverride(1366, 768, 1, false)); err != nil {
		closeTab()
		t.Fatalf("new tab: %v", err)
	}
	tctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(func() {
		cancel()
		closeTab() // closes the tab's target
		err := chromedp.Run(bctx, chromedp.ActionFunc(func(ctx context.Context) error {
			return target.DisposeBrowserContext(bcID).Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser))
		}))
		if err != nil {
			t.Logf("dispose browser context: %v", err)
		}
	})
	return tctx
}
