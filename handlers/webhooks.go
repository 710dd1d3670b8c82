package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"onewindow/app"
)

// createWebhook godoc
//
//	@Summary		Subscribe a URL to events (a department system: its department's; an admin: any)
//	@Description	Every event of the types asked for (none: every type) is POSTed to the URL as JSON, signed with
//	@Description	HMAC-SHA256 over "<X-Onewindow-Timestamp>.<body>" in X-Onewindow-Signature ("v1=<hex>"), keyed with
//	@Description	the secret, which this answer shows once. A delivery that fails is retried with exponential backoff
//	@Description	for 24 h; a day of failures disables the subscription. A URL that is not http(s), or points at this
//	@Description	machine, is refused with webhook_url_refused (an admin may allow loopback for a test setup).
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		app.SubscriptionRequest	true	"URL and event types"
//	@Success		201		{object}	app.NewSubscription
//	@Failure		400		{object}	ErrorResponse	"code webhook_url_refused or validation_failed"
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse	"code forbidden"
//	@Router			/api/v1/webhooks [post]
func (h *api) createWebhook(c *gin.Context) {
	var req app.SubscriptionRequest
	if h.bind(c, &req) {
		h.answer(c, http.StatusCreated)(h.App.CreateSubscription(c.Request.Context(), principalOf(c), req))
	}
}

// listWebhooks godoc
//
//	@Summary		The caller's webhook subscriptions (an admin's: every one)
//	@Tags			integration
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			limit	query		int		false	"page size (1-200, default 50)"
//	@Param			after	query		string	false	"the next cursor of the page before"
//	@Success		200		{object}	app.List[store.Subscription]
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		403		{object}	ErrorResponse
//	@Router			/api/v1/webhooks [get]
func (h *api) listWebhooks(c *gin.Context) {
	var q pageQuery
	if h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Subscriptions(c.Request.Context(), principalOf(c), q.page()))
	}
}

// getWebhook godoc
//
//	@Summary		One webhook subscription
//	@Tags			integration
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"subscription id"
//	@Success		200	{object}	store.Subscription
//	@Failure		401	{object}	ErrorResponse
//	@Failure		404	{object}	ErrorResponse
//	@Router			/api/v1/webhooks/{id} [get]
func (h *api) getWebhook(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		h.answer(c, http.StatusOK)(h.App.Subscription(c.Request.Context(), principalOf(c), id))
	}
}

// updateWebhook godoc
//
//	@Summary		Change a webhook subscription: URL, types, or state (disable; enable again after a fix)
//	@Tags			integration
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string					true	"subscription id"
//	@Param			body	body		app.SubscriptionUpdate	true	"what to change"
//	@Success		200		{object}	store.Subscription
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/webhooks/{id} [patch]
func (h *api) updateWebhook(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req app.SubscriptionUpdate
	if ok && h.bind(c, &req) {
		h.answer(c, http.StatusOK)(h.App.UpdateSubscription(c.Request.Context(), principalOf(c), id, req))
	}
}

// deliveryQuery filters a delivery log.
type deliveryQuery struct {
	State string `form:"state" validate:"omitempty,oneof=pending delivered failed"`
	pageQuery
}

// listDeliveries godoc
//
//	@Summary		The delivery log of a subscription, newest event first
//	@Tags			integration
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string	true	"subscription id"
//	@Param			state	query		string	false	"only deliveries in this state"	Enums(pending, delivered, failed)
//	@Param			limit	query		int		false	"page size (1-200, default 50)"
//	@Param			after	query		string	false	"the next cursor of the page before"
//	@Success		200		{object}	app.List[store.Delivery]
//	@Failure		400		{object}	ErrorResponse
//	@Failure		401		{object}	ErrorResponse
//	@Failure		404		{object}	ErrorResponse
//	@Router			/api/v1/webhooks/{id}/deliveries [get]
func (h *api) listDeliveries(c *gin.Context) {
	id, ok := pathID(c, "id")
	var q deliveryQuery
	if ok && h.bindQuery(c, &q) {
		h.answer(c, http.StatusOK)(h.App.Deliveries(c.Request.Context(), principalOf(c), id, app.DeliveryQuery{State: q.State, Page: q.page()}))
	}
}

// redeliver godoc
//
//	@Summary		Send a delivery again (a new run of attempts)
//	@Tags			integration
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string	true	"subscription id"
//	@Param			deliveryId	path		string	true	"delivery id"
//	@Success		202			{object}	store.Delivery
//	@Failure		401			{object}	ErrorResponse
//	@Failure		404			{object}	ErrorResponse
//	@Failure		409			{object}	ErrorResponse	"code subscription_disabled"
//	@Router			/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver [post]
func (h *api) redeliver(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if did, ok := pathID(c, "deliveryId"); ok {
		h.answer(c, http.StatusAccepted)(h.App.Redeliver(c.Request.Context(), principalOf(c), id, did))
	}
}
