-- The delivery backlog of /metrics (onewindow_webhook_backlog, onewindow_notification_backlog)
-- counts through these partial indexes instead of reading the whole delivery log.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (created_at) WHERE state = 'pending';
CREATE INDEX notifications_pending_delivery ON notifications (created_at) WHERE delivery_state = 'pending';
