package handlers

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// The public endpoints limited per client address, named for their route lines.
const (
	limitRegister   = app.ThrottleRegister
	limitComplaints = app.ThrottleComplaints
	limitProgress   = app.ThrottleProgress
	limitPublic     = app.ThrottlePublic
	limitDisclosure = app.ThrottleDisclosure
)

// throttle limits a public endpoint per client address (app.Throttle): past the allowance
// it answers 429 too_many_attempts with Retry-After.
func (h *api) throttle(what app.Throttled) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h.App.Throttle(what, c.ClientIP()); err != nil {
			h.fail(c, err)
			return
		}
		c.Next()
	}
}

// trustProxies makes e take the client address from X-Forwarded-For or X-Real-IP only when
// the request comes from one of proxies (addresses or CIDR ranges); with none, the client
// is the socket's peer, so that a client cannot name itself with a header it made up (gin
// trusts every proxy unless told otherwise).
func trustProxies(e *gin.Engine, proxies []string) {
	if err := e.SetTrustedProxies(proxies); err != nil {
		panic(fmt.Sprintf("handlers.New: Deps.TrustedProxies: %v", err))
	}
}
