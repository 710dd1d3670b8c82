DROP INDEX IF EXISTS `idx_pending_events_visible_at`;
