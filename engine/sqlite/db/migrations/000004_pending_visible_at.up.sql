-- onewindow: GetWorkflowTask finds due work through this index instead of
-- walking every open instance (see engine/sqlite/sqlite.go).
CREATE INDEX IF NOT EXISTS `idx_pending_events_visible_at` ON `pending_events` (`visible_at`);
