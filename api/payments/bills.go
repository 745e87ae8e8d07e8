package payments

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	cds "github.com/caobang/congdanso"
	"github.com/caobang/congdanso/api"
)

func (s *Handler) registerBills(r *api.Server) {
	r.Handle(http.MethodGet, "/api/v1/bills", api.Can("bills", "read"), s.listBills)
}

// providers are the billers of the cashless payment utility; "PCCB" is an
// alias of EVN (Công ty Điện lực Cao Bằng).
var providers = map[string]string{
	cds.ProviderElectricity: "Tiền điện - Công ty Điện lực Cao Bằng",
	cds.ProviderWater:       "Tiền nước - Công ty CP Cấp thoát nước Cao Bằng",
	cds.ProviderTelecom:     "Cước viễn thông - VNPT Cao Bằng",
}

func providerName(p string) string {
	if n, ok := providers[p]; ok {
		return n
	}
	return p
}

func normProvider(p string) string {
	p = strings.ToUpper(strings.TrimSpace(p))
	if p == "PCCB" {
		return cds.ProviderElectricity
	}
	return p
}

var customerCodeRE = regexp.MustCompile(`^[A-Za-z0-9-]{3,32}$`)

// billID is the public ID of a bill: provider, customer code and the
// biller's reference, so a payment can re-read the bill from its biller.
func billID(b cds.Bill) string { return b.Provider + ":" + b.CustomerCode + ":" + b.ID }

func parseBillID(id string) (provider, code, ref string, ok bool) {
	parts := strings.SplitN(id, ":", 3)
	if len(parts) != 3 || parts[2] == "" {
		return "", "", "", false
	}
	provider = normProvider(parts[0])
	_, known := providers[provider]
	return provider, parts[1], parts[2], known && customerCodeRE.MatchString(parts[1])
}

type billView struct {
	ID           string `json:"id"`
	Ref          string `json:"ref"`
	Provider     string `json:"provider"`
	ProviderName string `json:"provider_name"`
	CustomerCode string `json:"customer_code"`
	CustomerName string `json:"customer_name"`
	Period       string `json:"period"`
	Description  string `json:"description"`
	Amount       int64  `json:"amount"`
	DueDate      string `json:"due_date"`
}

// listBills looks up the open bills of a customer code at a biller. The
// customer's name is masked: anyone who knows a code may look it up.
func (s *Handler) listBills(c *gin.Context) {
	pc, ok := s.payments(c)
	if !ok {
		return
	}
	provider, code := normProvider(c.Query("provider")), strings.TrimSpace(c.Query("customer_code"))
	e := cds.Errorf(cds.EINVALID, "Thông tin tra cứu không hợp lệ.", "Invalid look-up.")
	if _, known := providers[provider]; !known {
		e = e.WithField("provider", "Chọn EVN, NUOC hoặc VNPT / one of EVN, NUOC, VNPT")
	}
	if !customerCodeRE.MatchString(code) {
		e = e.WithField("customer_code", "Mã khách hàng gồm 3–32 chữ, số hoặc dấu gạch / 3–32 letters, digits or dashes")
	}
	if len(e.Fields) > 0 {
		api.WriteError(c, e)
		return
	}
	bills, err := pc.Biller.OpenBills(c.Request.Context(), provider, code)
	if err != nil {
		api.WriteError(c, billerDown(err))
		return
	}
	out := make([]billView, 0, len(bills))
	var total int64
	for _, b := range bills {
		b.Provider, b.CustomerCode = provider, code
		out = append(out, billView{ID: billID(b), Ref: b.ID, Provider: provider, ProviderName: providerName(provider),
			CustomerCode: code, CustomerName: cds.MaskName(b.CustomerName), Period: b.Period, Description: b.Description,
			Amount: b.Amount, DueDate: b.DueDate.In(cds.VietnamTZ).Format("2006-01-02")})
		total += b.Amount
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "total": total, "next_cursor": nil})
}
