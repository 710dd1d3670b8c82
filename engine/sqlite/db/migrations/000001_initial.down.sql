DROP TABLE IF EXISTS `instances`;
DROP TABLE IF EXISTS `pending_events`;
DROP TABLE IF EXISTS `history`;
DROP TABLE IF EXISTS `activities`;