// Package app is the composition root shared by the congdanso binary and the
// integration tests: given a database and a Temporal client it builds the
// authorizer, blob store, activities, worker and HTTP API. Only here (and in
// cmd/congdanso) are concrete clients wired together.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/api/accounts"
	"github.com/caobang/congdanso/api/admin"
	"github.com/caobang/congdanso/api/applications"
	"github.com/caobang/congdanso/api/console"
	"github.com/caobang/congdanso/api/content"
	"github.com/caobang/congdanso/api/feedback"
	"github.com/caobang/congdanso/api/figures"
	"github.com/caobang/congdanso/api/notifications"
	"github.com/caobang/congdanso/api/open311"
	"github.com/caobang/congdanso/api/payments"
	"github.com/caobang/congdanso/api/reporting"
	"github.com/caobang/congdanso/api/tasks"
	"github.com/caobang/congdanso/api/transparency"
	"github.com/caobang/congdanso/api/workplace"
	"github.com/caobang/congdanso/blob"
	"github.com/caobang/congdanso/cases"
	"github.com/caobang/congdanso/policy"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

// Options configures Build.
type Options struct {
	DataDir       string
	API           api.Config
	Accounts      accounts.Config // VNeID provider and ID-number key (filled from the environment when empty)
	Content       content.Config  // camera stream links
	Open311       open311.Settings
	WorkerPollers int
	Logger        *slog.Logger
	// Blob overrides the default file store (for an S3-compatible store).
	Blob cds.BlobStore
	// Notify configures the notification channels (issue 20; cmd/app/notify.go).
	Notify NotifyConfig
	// PendingTTL is how long a registration may wait for its SMS code
	// before it is anonymised (default 24 h); PendingSweep how often the
	// worker looks (default 10 min).
	PendingTTL, PendingSweep time.Duration
	// RetentionSweep is how often the worker deletes the rows the retention
	// no longer keeps (default 1 h; postgres.DefaultRetention, unless
	// Retention is set).
	RetentionSweep time.Duration
	Retention      *postgres.Retention
	// Register, when set, replaces workflows.Register in NewWorker (a test
	// that records histories swaps the deadline arithmetic for seconds).
	Register func(worker.Registry, *activities.Activities)
}

// App is the wired application.
type App struct {
	Opts       Options
	DB         *postgres.DB
	Temporal   client.Client
	Authz      *policy.Authorizer
	Activities *activities.Activities
	API        *api.Server
	Cases      *cases.Service
	// Payments is the payment feature's wiring (nil: payments answer 503).
	Payments *payments.Config
	Blob     cds.BlobStore
	Logger   *slog.Logger
	notify   notifications.Settings // simulator and receipt keys (notify.go)
	closers  []func()
}

// Hook lets a feature add wiring (clients, schedules, background loops)
// without editing this file. Hooks run in Build, after the core is wired.
type Hook func(ctx context.Context, a *App) error

var hooks []Hook

// AddHook registers a feature hook (called from init).
func AddHook(h Hook) { hooks = append(hooks, h) }

// Build wires everything but starts nothing.
func Build(ctx context.Context, o Options, db *postgres.DB, tc client.Client) (*App, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	a := &App{Opts: o, DB: db, Temporal: tc, Logger: o.Logger}
	// Policies live in PostgreSQL; the watcher keeps every instance in step.
	var err error
	if a.Authz, err = policy.NewPostgres(ctx, db.Pool); err != nil {
		return nil, fmt.Errorf("app: policy: %w", err)
	}
	stopWatcher, err := a.Authz.StartWatcher(ctx, o.Logger)
	if err != nil {
		return nil, fmt.Errorf("app: policy watcher: %w", err)
	}
	a.OnClose(stopWatcher)
	a.Blob = o.Blob
	if a.Blob == nil {
		if a.Blob, err = blob.NewFileStore(filepath.Join(o.DataDir, "media")); err != nil {
			return nil, err
		}
	}
	a.Activities = &activities.Activities{
		DB: db, Blob: a.Blob, Temporal: tc, Logger: o.Logger, Extra: map[string]any{},
		Notifier: activities.LogNotifier{Log: o.Logger.Info},
	}
	// The test-only SLA divisor of feedback applies to applications' deadlines too.
	if o.API.SLAScale > 1 {
		a.Activities.SLAScale = o.API.SLAScale
	}
	for _, h := range hooks {
		if err := h(ctx, a); err != nil {
			return nil, err
		}
	}
	// Issue 20: notification channels and their handler (explicit, not a hook).
	notifySettings, err := wireNotify(ctx, a)
	if err != nil {
		return nil, err
	}
	a.notify = notifySettings
	vneidFromEnv(&a.Opts.Accounts.VNeID)
	// Hooks may adjust the API settings (a.Opts.API), e.g. the OIDC provider.
	if a.Opts.API.TaskQueue == "" {
		a.Opts.API.TaskQueue = workflows.TaskQueue
	}
	a.API = api.New(api.Deps{DB: db, Temporal: tc, Authz: a.Authz, Blob: a.Blob, Logger: o.Logger, Config: a.Opts.API})
	a.Cases = &cases.Service{DB: db, Temporal: tc, Authz: a.Authz, Queue: a.Opts.API.TaskQueue, SLAScale: a.Opts.API.SLAScale,
		TaskAssigned: a.Activities.NotifyTaskAssigned, Enqueue: a.Activities.EnqueueAnswer,
		Calendar: a.Activities.Calendar, Logger: o.Logger}
	a.API.Mount(a.Handlers()...)
	return a, nil
}

// Handlers are the interfaces of the HTTP API, each with its dependencies.
func (a *App) Handlers() []api.Registrar {
	d := a.API.Deps // with the server's defaults filled in
	acc := &accounts.Handler{Deps: d, Accounts: a.Opts.Accounts}
	rep := &reporting.Handler{Deps: d, Cases: a.Cases}
	adm := &admin.Handler{Deps: d, OnCalendarChange: a.Activities.InvalidateCalendar}
	apps := &applications.Handler{Deps: d, Cases: a.Cases}
	o311 := &open311.Handler{Deps: d, Cases: a.Cases, Settings: a.Opts.Open311}
	cnt := &content.Handler{Deps: d, Content: a.Opts.Content}
	return []api.Registrar{
		acc,
		adm,
		&feedback.Handler{Deps: d, Cases: a.Cases},
		apps,
		&tasks.Handler{Deps: d, Cases: a.Cases},
		cnt,
		&payments.Handler{Deps: d, Payments: a.Payments},
		rep,
		&figures.Handler{Deps: d},
		&workplace.Handler{Deps: d},
		o311,
		&transparency.Handler{Deps: d},
		&console.Handler{Deps: d, Cases: a.Cases, Accounts: acc, Reports: rep, Admin: adm, Apps: apps, Open311: o311, Content: cnt},
		&notifications.Handler{Deps: d, Cases: a.Cases, Settings: a.notify},
	}
}

// OnClose registers cleanup run by Close.
func (a *App) OnClose(f func()) { a.closers = append(a.closers, f) }

// Close runs cleanups in reverse order.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// NewWorker builds the Temporal worker with every workflow and activity.
func (a *App) NewWorker() worker.Worker {
	w := worker.New(a.Temporal, workflows.TaskQueue, workerOptions(a.Opts.WorkerPollers))
	register := workflows.Register
	if a.Opts.Register != nil {
		register = a.Opts.Register
	}
	register(w, a.Activities)
	(&cases.Exporter{DB: a.DB, Blob: a.Blob, Logger: a.Logger}).Register(w)
	return w
}

// RunBackground starts the worker-side loops (outbox drainer, pending
// registrations, retention) until ctx ends.
func (a *App) RunBackground(ctx context.Context) {
	go a.Activities.RunOutboxDrainer(ctx, 500*time.Millisecond)
	ttl, every := a.Opts.PendingTTL, a.Opts.PendingSweep
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	if every <= 0 {
		every = 10 * time.Minute
	}
	go a.Activities.RunPendingExpiry(ctx, every, ttl)
	keep := postgres.DefaultRetention()
	if a.Opts.Retention != nil {
		keep = *a.Opts.Retention
	}
	sweep := a.Opts.RetentionSweep
	if sweep <= 0 {
		sweep = time.Hour
	}
	go a.Activities.RunRetention(ctx, sweep, keep)
}

// HTTPServer wraps the API with timeouts that cut off slow clients.
func (a *App) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           a.API.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// workerOptions: pollers > 0 fixes the pollers per kind; 0 lets the server
// scale them (PollerBehaviorAutoscaling): 8 to start, never fewer than the 4
// that were the fixed default, at most 100. Four fixed workflow-task pollers
// were what late deadline timers waited on with Temporal on PostgreSQL, and
// the SDK's own floor of 1 cost a fifth of the dossier intake on SQLite:
// BENCHMARKS.md, T15.
func workerOptions(pollers int) worker.Options {
	if pollers > 0 {
		return worker.Options{MaxConcurrentWorkflowTaskPollers: pollers, MaxConcurrentActivityTaskPollers: pollers}
	}
	auto := worker.NewPollerBehaviorAutoscaling(worker.PollerBehaviorAutoscalingOptions{
		InitialNumberOfPollers: 8, MinimumNumberOfPollers: 4, MaximumNumberOfPollers: 100})
	return worker.Options{WorkflowTaskPollerBehavior: auto, ActivityTaskPollerBehavior: auto}
}
