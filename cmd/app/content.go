package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/caobang/congdanso/activities"
	"github.com/caobang/congdanso/api/content"
	"github.com/caobang/congdanso/postgres"
	"github.com/caobang/congdanso/workflows"
)

func init() {
	AddHook(func(ctx context.Context, a *App) error {
		if a.Temporal == nil { // seed-demo and other tools run without Temporal
			return nil
		}
		return EnsureCameraHealthSchedule(ctx, a.Temporal)
	})
	AddDemoSeed(seedContent)
}

// EnsureCameraHealthSchedule creates the schedule of the camera health check
// once; an existing schedule (another instance, a restart) is left as it is.
// Overlap SKIP: a slow run is never doubled by the next tick.
func EnsureCameraHealthSchedule(ctx context.Context, tc client.Client) error {
	_, err := tc.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      workflows.CameraHealthScheduleID,
		Spec:    client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: workflows.CameraHealthInterval}}},
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Action: &client.ScheduleWorkflowAction{
			ID:                 workflows.CameraHealthScheduleID,
			Workflow:           workflows.CameraHealthWorkflowName,
			TaskQueue:          workflows.TaskQueue,
			Args:               []any{activities.CheckCamerasInput{Timeout: 5 * time.Second, Parallel: 8}},
			WorkflowRunTimeout: 5 * time.Minute,
		},
	})
	if err != nil && !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("camera health schedule: %w", err)
	}
	return nil
}

// demoNews are articles about the platform, from the Department's letter on
// deploying "Công dân số Cao Bằng".
var demoNews = []struct {
	title, summary, body, category string
	tags                           []string
}{
	{
		title:    "Công bố nền tảng Công dân số Cao Bằng",
		summary:  "Ngày 31/10/2024, UBND tỉnh Cao Bằng tổ chức lễ công bố nền tảng Công dân số Cao Bằng – kênh tương tác trực tuyến giữa người dân, doanh nghiệp với các cấp chính quyền.",
		category: "chuyen-doi-so",
		tags:     []string{"công dân số", "chuyển đổi số"},
		body: `Thực hiện **Kế hoạch số 2358/KH-UBND** ngày 09/9/2024 của UBND tỉnh Cao Bằng, ngày 31/10/2024 UBND tỉnh đã tổ chức lễ công bố nền tảng **Công dân số Cao Bằng**.

Đây là kênh tương tác trực tuyến trên môi trường số giữa người dân, doanh nghiệp với các cấp chính quyền. Thông qua kênh này, người dân, doanh nghiệp có thể phản ánh toàn diện các vấn đề về đời sống tới các cấp chính quyền để được tiếp nhận, giải quyết kịp thời.

Với mục tiêu *"lấy người dân, doanh nghiệp là trung tâm"*, nền tảng góp phần phát triển chính quyền số, kinh tế số, xã hội số, công dân số; hướng tới xây dựng xã hội văn minh, hiện đại.`,
	},
	{
		title:    "Hướng dẫn cài đặt ứng dụng Công dân số Cao Bằng trên Android và iOS",
		summary:  "Sáu bước cài đặt ứng dụng từ CH Play hoặc App Store và cách đăng nhập bằng tài khoản định danh điện tử VNeID.",
		category: "thong-bao",
		tags:     []string{"hướng dẫn", "VNeID"},
		body: `## Cài đặt ứng dụng

1. Truy cập **App Store** (iOS) hoặc **CH Play** (Android).
2. Nhấn vào thanh tìm kiếm.
3. Nhập tên ứng dụng "**Công dân số Cao Bằng**" rồi bấm tìm kiếm.
4. Chọn ứng dụng "Công dân số Cao Bằng" trong kết quả.
5. Bấm **Cài đặt** để tải ứng dụng.
6. Tải xong, bấm **Mở** để bắt đầu sử dụng.

## Đăng nhập

Khuyến nghị đăng nhập bằng tài khoản định danh điện tử **VNeID** (chọn *Đăng nhập* → *Cổng DVC quốc gia*). Người dùng cũng có thể đăng ký bằng số điện thoại với họ tên và mật khẩu.`,
	},
	{
		title:    "Đề nghị 100% cán bộ, công chức, viên chức cài đặt nền tảng Công dân số Cao Bằng",
		summary:  "Các sở, ban, ngành, hội, đoàn thể và địa phương triển khai cài đặt, hướng dẫn người dân sử dụng; báo cáo kết quả theo mẫu Phụ lục I.",
		category: "thong-bao",
		tags:     []string{"công dân số", "triển khai"},
		body: `Để triển khai sâu rộng đến người dân, các cơ quan, đơn vị, địa phương được đề nghị:

- 100% cán bộ, công chức, viên chức cài đặt, đăng ký tài khoản Nền tảng Công dân số Cao Bằng và hướng dẫn gia đình, người thân cùng sử dụng;
- phổ biến tài liệu infographic tại các điểm tiếp nhận dịch vụ công, bộ phận một cửa, nhà văn hóa các xóm;
- Ban chỉ đạo chuyển đổi số cấp xã, phường và Tổ chuyển đổi số cộng đồng hướng dẫn người dân có điện thoại thông minh cài đặt, sử dụng.

Kết quả triển khai được báo cáo theo **mẫu Phụ lục I** để tổng hợp, báo cáo Ban Chỉ đạo chuyển đổi số tỉnh.`,
	},
	{
		title:    "Gửi phản ánh kiến nghị và theo dõi kết quả ngay trên điện thoại",
		summary:  "Tiện ích Phản ánh kiến nghị giúp người dân, doanh nghiệp thông báo các vấn đề bất cập tại địa phương và theo dõi quá trình xử lý.",
		category: "chuyen-doi-so",
		tags:     []string{"phản ánh kiến nghị"},
		body: `Tại màn hình trang chủ, chọn **Phản ánh kiến nghị** → **Tạo phản ánh**, nhập tiêu đề, nội dung, lĩnh vực, **vị trí** và hình ảnh rồi nhấn **Gửi phản ánh**.

Cơ quan chức năng tiếp nhận và xử lý theo quy định. Để theo dõi quá trình và kết quả xử lý, chọn mục **Cá nhân** rồi mở phản ánh để xem chi tiết.`,
	},
}

// demoCameras are placeholders in the former Cao Bằng city (now the wards
// Thục Phán, Nùng Trí Cao, Tân Giang). The URLs point at 127.0.0.1, so the
// health check marks them offline unless a local HLS server runs there.
var demoCameras = []postgres.Camera{
	{Name: "Nút giao Hoàng Đình Giong – Kim Đồng", AreaCode: "P-THUCPHAN", Lat: fp(22.6663), Lng: fp(106.2584),
		HLSURL: "http://127.0.0.1:8888/cam-hdg-kimdong/index.m3u8", RTSPURL: "rtsp://127.0.0.1:8554/cam-hdg-kimdong", Status: "online", Visibility: "public"},
	{Name: "Cầu Bằng Giang", AreaCode: "P-THUCPHAN", Lat: fp(22.6701), Lng: fp(106.2547),
		HLSURL: "http://127.0.0.1:8888/cam-cau-bang-giang/index.m3u8", RTSPURL: "rtsp://127.0.0.1:8554/cam-cau-bang-giang", Status: "online", Visibility: "public"},
	{Name: "Quốc lộ 3 – cửa ngõ phường Tân Giang", AreaCode: "P-TANGIANG", Lat: fp(22.6492), Lng: fp(106.2731),
		HLSURL: "http://127.0.0.1:8888/cam-ql3-tangiang/index.m3u8", RTSPURL: "rtsp://127.0.0.1:8554/cam-ql3-tangiang", Status: "online", Visibility: "signed_in"},
	{Name: "Trung tâm Phục vụ hành chính công – sảnh một cửa", AreaCode: "P-THUCPHAN", Lat: fp(22.6671), Lng: fp(106.2589),
		HLSURL: "http://127.0.0.1:8888/cam-ttpvhcc/index.m3u8", RTSPURL: "rtsp://127.0.0.1:8554/cam-ttpvhcc", Status: "online", Visibility: "staff"},
}

func fp(f float64) *float64 { return &f }

// seedContent loads the illustrative directory, demo news and cameras. It is
// idempotent: articles are keyed by slug, cameras by name.
func seedContent(ctx context.Context, a *App, out io.Writer) error {
	if err := a.DB.FillDirectory(ctx, postgres.DemoDirectory); err != nil {
		return err
	}
	news := 0
	for i, n := range demoNews {
		slug := content.Slugify(n.title)
		if _, err := a.DB.NewsBySlug(ctx, slug); err == nil {
			continue
		}
		html, err := content.RenderMarkdown(n.body)
		if err != nil {
			return err
		}
		art, err := a.DB.CreateNews(ctx, postgres.NewsInput{Slug: slug, Title: n.title, Summary: n.summary, BodyMarkdown: n.body,
			BodyHTML: html, Category: n.category, Tags: n.tags, AgencyCode: "SKHCN"}, 0)
		if err != nil {
			return err
		}
		// Older articles first, a minute apart, so the list has a stable order.
		at := time.Now().Add(-time.Duration(len(demoNews)-i) * time.Minute)
		if _, err := a.DB.PublishNews(ctx, art.ID, at, 0); err != nil {
			return err
		}
		news++
	}
	cams := 0
	for _, c := range demoCameras {
		var exists bool
		if err := a.DB.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cameras WHERE name = $1)`, c.Name).Scan(&exists); err != nil {
			return err
		}
		if exists {
			continue
		}
		if _, err := a.DB.CreateCamera(ctx, c); err != nil {
			return err
		}
		cams++
	}
	fmt.Fprintf(out, "content: directory filled (illustrative), %d news articles, %d cameras added\n", news, cams)
	return nil
}
