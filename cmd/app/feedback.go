package app

import (
	"context"
	"os"

	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/blob"
)

// The feedback feature's wiring: an S3-compatible blob store when
// CONGDANSO_S3_ENDPOINT is set, and a webhook notification channel when
// CONGDANSO_WEBHOOK_URL is set (the log channel otherwise).
func init() {
	AddHook(func(ctx context.Context, a *App) error {
		if ep := os.Getenv("CONGDANSO_S3_ENDPOINT"); ep != "" && a.Opts.Blob == nil {
			s3, err := blob.NewS3Store(blob.S3Config{
				Endpoint: ep, Bucket: os.Getenv("CONGDANSO_S3_BUCKET"), Region: os.Getenv("CONGDANSO_S3_REGION"),
				AccessKey: os.Getenv("CONGDANSO_S3_ACCESS_KEY"), SecretKey: os.Getenv("CONGDANSO_S3_SECRET_KEY"),
			})
			if err != nil {
				return err
			}
			a.Blob, a.Activities.Blob = s3, s3
			a.Logger.Info("blob store: S3-compatible", "endpoint", ep, "bucket", s3.Bucket)
		}
		if u := os.Getenv("CONGDANSO_WEBHOOK_URL"); u != "" {
			a.Activities.Notifier = activities.NewWebhookNotifier(u)
			a.Logger.Info("notifications: webhook channel")
		}
		return nil
	})
}
