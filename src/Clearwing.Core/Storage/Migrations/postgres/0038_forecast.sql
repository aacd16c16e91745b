-- The forecast (docs/forecast.md) reads the recent weeks' first confirmations and first fixes: the moves into a state within a
-- window of time, without reading every move ever made.
CREATE INDEX case_transitions_by_move ON case_transitions (to_state, at);
