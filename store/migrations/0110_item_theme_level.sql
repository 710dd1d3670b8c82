-- The portal's catalogue search by theme and level (issue 16): an item's theme (主题分类: 户籍,
-- 社保, 企业开办, ...) and the level of government that implements it (行使层级: 省/市/区县/乡镇),
-- copied out of the draft content like kind and handling type, so that the catalogue filters on
-- an index. Items stored before have neither ('' matches no filter value).
ALTER TABLE items ADD COLUMN theme TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN level TEXT NOT NULL DEFAULT '';
CREATE INDEX items_theme ON items (theme, code);
CREATE INDEX items_level ON items (level, code);
