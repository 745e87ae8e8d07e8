package notifications

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
	"github.com/caobang/congdanso/notify"
)

// zaloReceipt takes a ZNS delivery receipt (OA webhook) and marks the
// delivery delivered. The body must carry our app id and a valid signature;
// a receipt for an unknown message is acknowledged and ignored.
func (h *Handler) zaloReceipt(c *gin.Context) {
	if h.ZaloAppID == "" {
		api.WriteError(c, notFound())
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, 1<<16))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	r, at, ok := notify.ParseZaloReceipt(h.ZaloAppID, h.ZaloOASecret, body, c.GetHeader("X-ZEvent-Signature"))
	if !ok {
		api.WriteError(c, cds.Errorf(cds.EINVALID, "Sự kiện không hợp lệ.", "Invalid event or signature."))
		return
	}
	if _, err := h.DB.DeliveryDelivered(c.Request.Context(), notify.Zalo, r.Message.MsgID, at); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"error": 0})
}

// sendSimReceipt plays Zalo's webhook: a signed "user_received_message"
// event for msgID, shortly after the message was accepted.
func (h *Handler) sendSimReceipt(msgID string) {
	if h.Sim == nil || h.Sim.ReceiptURL == "" {
		return
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		body := []byte(`{"app_id":"` + h.Sim.ZaloAppID + `","event_name":"user_received_message","timestamp":"` + ts +
			`","message":{"msg_id":"` + msgID + `","delivery_time":"` + ts + `"}}`)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.Sim.ReceiptURL, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-ZEvent-Signature", notify.ZaloEventMAC(h.Sim.ZaloAppID, body, ts, h.Sim.ZaloOASecret))
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
}
