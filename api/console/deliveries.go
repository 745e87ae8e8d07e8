package console

import (
	"context"

	"github.com/caobang/congdanso/notify"
)

// deliveryLine is one notification delivery shown under its timeline step:
// names, not codes, Vietnamese first with English beside.
type deliveryLine struct {
	Recipient            string
	Follower             bool
	Channel, Status      string // codes, for data attributes and styling only
	ChannelVI, ChannelEN string
	StatusVI, StatusEN   string
	Reason               string
}

// channelNames and deliveryStatusNames label the codes of notification_deliveries.
var (
	channelNames = map[string][2]string{
		notify.Push:  {"Thông báo trên ứng dụng", "App push"},
		notify.Zalo:  {"Tin nhắn Zalo", "Zalo message"},
		notify.SMS:   {"Tin nhắn SMS", "SMS"},
		notify.Email: {"Thư điện tử", "E-mail"},
	}
	deliveryStatusNames = map[string][2]string{
		"queued":    {"Đang chờ gửi", "Queued"},
		"sent":      {"Đã gửi", "Sent"},
		"delivered": {"Đã nhận", "Delivered"},
		"failed":    {"Không gửi được", "Failed"},
	}
)

// label is the pair for code, or the code itself when unknown.
func label(m map[string][2]string, code string) (string, string) {
	if l, ok := m[code]; ok {
		return l[0], l[1]
	}
	return code, code
}

// stepDeliveries groups a case's deliveries by the timeline step that sent
// them, from the same query as GET /api/v1/feedback/{id}/deliveries.
func (s *Handler) stepDeliveries(ctx context.Context, workflowID string) (map[int][]deliveryLine, error) {
	items, err := s.DB.CaseDeliveries(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	out := map[int][]deliveryLine{}
	for _, d := range items {
		l := deliveryLine{Recipient: d.Recipient, Follower: d.Follower, Channel: d.Channel, Status: d.Status, Reason: d.Reason}
		l.ChannelVI, l.ChannelEN = label(channelNames, d.Channel)
		l.StatusVI, l.StatusEN = label(deliveryStatusNames, d.Status)
		out[int(d.Seq)] = append(out[int(d.Seq)], l)
	}
	return out, nil
}
