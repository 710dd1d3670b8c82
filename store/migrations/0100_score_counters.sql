-- Maintained counters of the scorecards and the public statistics (issue 11, read side): per
-- level (department, window, person, item), month (YYYY-MM, Beijing time) and unit, the figures
-- a scorecard shows, updated in the transaction of the change they count (store/score_counters.go),
-- so that a scorecard or a month of statistics reads a few rows instead of every case of the
-- period. The rows are filled from the existing cases, alerts, ratings and complaints when this
-- migration is applied (store.RebuildScoreCounters, run by Migrate after this file).
CREATE TABLE score_counters (
    level                           TEXT NOT NULL,
    month                           TEXT NOT NULL,
    unit_id                         TEXT NOT NULL,
    received                        BIGINT NOT NULL DEFAULT 0,
    notices                         BIGINT NOT NULL DEFAULT 0,
    finished                        BIGINT NOT NULL DEFAULT 0,
    with_limit                      BIGINT NOT NULL DEFAULT 0,
    on_time                         BIGINT NOT NULL DEFAULT 0,
    warnings                        BIGINT NOT NULL DEFAULT 0,
    overdue                         BIGINT NOT NULL DEFAULT 0,
    complaints                      BIGINT NOT NULL DEFAULT 0,
    rating_very_satisfied           BIGINT NOT NULL DEFAULT 0,
    rating_satisfied                BIGINT NOT NULL DEFAULT 0,
    rating_basically_satisfied      BIGINT NOT NULL DEFAULT 0,
    rating_dissatisfied             BIGINT NOT NULL DEFAULT 0,
    rating_very_dissatisfied        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (level, month, unit_id)
);

-- The working days the finished cases used, as a histogram (days in ten-thousandths of a
-- working day, the precision the scorecards show): the mean and the 90th percentile come from it.
CREATE TABLE score_days (
    level       TEXT NOT NULL,
    month       TEXT NOT NULL,
    unit_id     TEXT NOT NULL,
    days        BIGINT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (level, month, unit_id, days)
);
