-- +goose Up
-- Feedback categories (lĩnh vực) with their default agency, duplicate-search
-- radius and SLAs in working hours (per priority). No foreign key to agencies:
-- agencies are seeded after migrations run (SeedBase), routing checks codes.
CREATE TABLE feedback_categories (
    code                text PRIMARY KEY,
    name_vi             text NOT NULL,
    name_en             text NOT NULL,
    sort                int NOT NULL DEFAULT 0,
    dup_radius_m        int NOT NULL DEFAULT 200,
    accept_hours        double precision NOT NULL DEFAULT 8,   -- tiếp nhận trong 8 giờ làm việc
    answer_hours        double precision NOT NULL DEFAULT 120, -- 15 ngày làm việc
    urgent_accept_hours double precision NOT NULL DEFAULT 2,
    urgent_answer_hours double precision NOT NULL DEFAULT 4,
    active              boolean NOT NULL DEFAULT true
);

-- Routing table: category + commune → responsible agency. commune_code '*'
-- matches any commune; no match falls back to the coordinator (TTPVHCC).
CREATE TABLE feedback_routes (
    category_code text NOT NULL REFERENCES feedback_categories(code),
    commune_code  text NOT NULL,
    agency_code   text NOT NULL,
    PRIMARY KEY (category_code, commune_code)
);

-- Detail of a feedback case (the shared columns are in cases).
CREATE TABLE feedback_reports (
    workflow_id   text PRIMARY KEY REFERENCES cases(workflow_id) ON DELETE CASCADE,
    content       text NOT NULL,
    lat           double precision NOT NULL,
    lng           double precision NOT NULL,
    address       text NOT NULL DEFAULT '',
    commune_code  text NOT NULL,
    hide_name     boolean NOT NULL DEFAULT false,
    urgent        boolean NOT NULL DEFAULT false,
    assignee_id   bigint,
    info_request  text NOT NULL DEFAULT '',
    info_reply    text NOT NULL DEFAULT '',
    answer        text NOT NULL DEFAULT '',
    answer_by     text NOT NULL DEFAULT '',
    published_at  timestamptz,
    duplicate_of  text
);
CREATE INDEX feedback_reports_geo ON feedback_reports (lat, lng);

-- Photos of the report and attachments of the answer; staff may redact a
-- photo from the public view (moderation).
CREATE TABLE feedback_media (
    workflow_id text NOT NULL REFERENCES cases(workflow_id) ON DELETE CASCADE,
    media_id    text NOT NULL REFERENCES media(id),
    role        text NOT NULL DEFAULT 'photo' CHECK (role IN ('photo','answer')),
    redacted    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (workflow_id, media_id)
);
CREATE INDEX feedback_media_media ON feedback_media (media_id);

-- Citizens following a report (instead of filing a duplicate).
CREATE TABLE feedback_followers (
    workflow_id text NOT NULL REFERENCES cases(workflow_id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workflow_id, user_id)
);

INSERT INTO feedback_categories (code, name_vi, name_en, sort, dup_radius_m) VALUES
 ('traffic',      'Giao thông',            'Traffic',           1, 150),
 ('environment',  'Môi trường',            'Environment',       2, 200),
 ('electricity',  'Điện',                  'Electricity',       3, 300),
 ('water',        'Cấp, thoát nước',       'Water',             4, 200),
 ('land',         'Đất đai',               'Land',              5, 100),
 ('public_order', 'Trật tự đô thị, an ninh','Public order',     6, 150),
 ('health',       'Y tế',                  'Health',            7, 300),
 ('education',    'Giáo dục',              'Education',         8, 300),
 ('other',        'Khác',                  'Other',             9, 100);

INSERT INTO feedback_routes (category_code, commune_code, agency_code) VALUES
 ('traffic',      '*', 'SXD'),
 ('environment',  '*', 'SNNMT'),
 ('electricity',  '*', 'PCCB'),
 ('water',        '*', 'SXD'),
 ('land',         '*', 'SNNMT'),
 ('public_order', '*', 'CAT'),
 ('health',       '*', 'SYT'),
 ('education',    '*', 'SGDDT'),
 -- Urban order and local sanitation in the city wards go to the ward.
 ('public_order', 'P-THUCPHAN', 'P-THUCPHAN'),
 ('public_order', 'P-NUNGTRICAO', 'P-NUNGTRICAO'),
 ('public_order', 'P-TANGIANG', 'P-TANGIANG'),
 ('environment',  'P-THUCPHAN', 'P-THUCPHAN');

-- +goose Down
DROP TABLE feedback_followers, feedback_media, feedback_reports, feedback_routes, feedback_categories;
