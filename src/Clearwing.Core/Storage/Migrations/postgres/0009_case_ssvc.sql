-- A case's SSVC decision points (docs/ssvc.md): one value per decision point, by its stable id; who set it
-- and when. Earlier values live in the audit chain.
CREATE TABLE case_ssvc (
    case_seq        BIGINT NOT NULL REFERENCES cases(seq),
    decision_point  TEXT NOT NULL,
    value           TEXT NOT NULL,
    set_by          TEXT NOT NULL,
    set_at          BIGINT NOT NULL,
    PRIMARY KEY (case_seq, decision_point)
);
