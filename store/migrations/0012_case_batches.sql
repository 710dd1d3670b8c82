-- case_steps held one row per applied engine batch (engine.Batch), not a step of the flow (环节):
-- renamed so that "step" means one thing. Same columns, same primary key (case_id, seq).
ALTER TABLE case_steps RENAME TO case_batches;
