-- +goose Up
-- Open311 GeoReport v2 for outside clients (FixMyStreet, city apps, researchers).
-- Each client application is a users row of kind 'client_app' (the submitter
-- of the reports it sends) plus its API key, stored only as a SHA-256 hash.
CREATE TABLE open311_clients (
    id              bigserial PRIMARY KEY,
    user_id         bigint NOT NULL UNIQUE REFERENCES users(id),
    name            text NOT NULL,
    key_hash        bytea NOT NULL UNIQUE,          -- sha256(api_key); the key itself is shown once
    key_prefix      text NOT NULL,                  -- first characters, to recognise a key in lists
    rate_per_minute int NOT NULL DEFAULT 60 CHECK (rate_per_minute > 0),
    created_by      bigint REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);

-- Fixed one-minute windows per key, in PostgreSQL so the limit holds across
-- API instances. Old windows are pruned as new ones start.
CREATE TABLE open311_rate_windows (
    client_id    bigint NOT NULL REFERENCES open311_clients(id) ON DELETE CASCADE,
    window_start timestamptz NOT NULL,
    hits         int NOT NULL,
    PRIMARY KEY (client_id, window_start)
);

-- The Open311 face of the feedback categories: group and keywords of each
-- service (the category itself stays in feedback_categories).
CREATE TABLE open311_services (
    category_code text PRIMARY KEY REFERENCES feedback_categories(code),
    grp           text NOT NULL,
    keywords      text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT ''
);

-- Extra fields of a category (service definition attributes).
CREATE TABLE open311_attributes (
    category_code        text NOT NULL REFERENCES feedback_categories(code),
    code                 text NOT NULL,
    variable             boolean NOT NULL DEFAULT true,
    datatype             text NOT NULL CHECK (datatype IN ('string','number','datetime','text','singlevaluelist','multivaluelist')),
    required             boolean NOT NULL DEFAULT false,
    datatype_description text NOT NULL DEFAULT '',
    ord                  int NOT NULL CHECK (ord > 0),
    description          text NOT NULL,
    vals                 jsonb NOT NULL DEFAULT '[]',  -- [{"key":..,"name":..}] for the list types
    PRIMARY KEY (category_code, code),
    UNIQUE (category_code, ord)
);

-- What a client sent with a report beyond the feedback case itself. Written
-- before the workflow starts, so the token resolves as soon as the case exists.
CREATE TABLE open311_requests (
    code        text PRIMARY KEY,                 -- the case code = service_request_id
    token       text NOT NULL UNIQUE,
    client_id   bigint NOT NULL REFERENCES open311_clients(id),
    located     boolean NOT NULL,                 -- lat/long were given (else address only)
    description text NOT NULL DEFAULT '',
    address_id  text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    device_id   text NOT NULL DEFAULT '',
    account_id  text NOT NULL DEFAULT '',
    first_name  text NOT NULL DEFAULT '',
    last_name   text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    media_url   text NOT NULL DEFAULT '',
    attributes  jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX open311_requests_client ON open311_requests (client_id, created_at);

-- Updates a client posted on its reports (FixMyStreet servicerequestupdates).
-- external_id is the client's own update_id, so a resend is not stored twice.
CREATE TABLE open311_updates (
    id          bigserial PRIMARY KEY,
    case_code   text NOT NULL REFERENCES open311_requests(code),
    client_id   bigint NOT NULL REFERENCES open311_clients(id),
    external_id text,
    status      text NOT NULL DEFAULT '',
    description text NOT NULL,
    media_url   text NOT NULL DEFAULT '',
    first_name  text NOT NULL DEFAULT '',
    last_name   text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    forwarded   text NOT NULL DEFAULT '',          -- workflow action it triggered (reply_info, withdraw) or ''
    at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (client_id, external_id)
);
CREATE INDEX open311_updates_at ON open311_updates (client_id, at);

INSERT INTO open311_services (category_code, grp, keywords, description) VALUES
 ('traffic',      'Hạ tầng / Infrastructure', 'đường,ổ gà,đèn tín hiệu,road,pothole,traffic light', 'Đường sá, cầu, biển báo, đèn tín hiệu / Roads, bridges, signs, traffic lights'),
 ('environment',  'Môi trường / Environment', 'rác,ô nhiễm,tiếng ồn,waste,pollution,noise', 'Rác thải, ô nhiễm, vệ sinh môi trường / Waste, pollution, sanitation'),
 ('electricity',  'Hạ tầng / Infrastructure', 'điện,đèn đường,cột điện,power,street light,pole', 'Mất điện, đèn đường, cột điện / Power cuts, street lights, poles'),
 ('water',        'Hạ tầng / Infrastructure', 'nước,cống,ngập,water,drain,flooding', 'Cấp nước, thoát nước, ngập úng / Water supply, drainage, flooding'),
 ('land',         'Đất đai / Land',           'đất,lấn chiếm,xây dựng,land,encroachment,building', 'Đất đai, lấn chiếm, xây dựng trái phép / Land, encroachment, unlicensed building'),
 ('public_order', 'Trật tự / Public order',   'vỉa hè,an ninh,lòng đường,sidewalk,security', 'Trật tự đô thị, lấn chiếm vỉa hè, an ninh / Urban order, sidewalks, security'),
 ('health',       'Dịch vụ công / Services',  'y tế,bệnh viện,an toàn thực phẩm,health,hospital,food safety', 'Y tế, an toàn thực phẩm / Health, food safety'),
 ('education',    'Dịch vụ công / Services',  'trường học,giáo dục,school,education', 'Trường học, giáo dục / Schools, education'),
 ('other',        'Khác / Other',             'khác,other', 'Phản ánh khác / Other reports');

INSERT INTO open311_attributes (category_code, code, datatype, required, datatype_description, ord, description, vals) VALUES
 ('traffic', 'danger', 'singlevaluelist', true, 'Chọn một / choose one', 1, 'Mức độ nguy hiểm / How dangerous is it?',
  '[{"key":"low","name":"Thấp / Low"},{"key":"medium","name":"Trung bình / Medium"},{"key":"high","name":"Cao / High"}]'),
 ('traffic', 'lanes_blocked', 'number', false, 'Số làn xe / number of lanes', 2, 'Số làn xe bị chắn / Lanes blocked', '[]'),
 ('electricity', 'pole_number', 'string', false, 'Số hiệu trên cột / number painted on the pole', 1, 'Số hiệu cột điện / Pole number', '[]'),
 ('water', 'issue', 'multivaluelist', false, 'Chọn một hoặc nhiều / choose any', 1, 'Vấn đề gặp phải / What is wrong?',
  '[{"key":"leak","name":"Rò rỉ / Leak"},{"key":"no_water","name":"Mất nước / No water"},{"key":"dirty","name":"Nước bẩn / Dirty water"},{"key":"flood","name":"Ngập / Flooding"}]');

-- +goose Down
DROP TABLE open311_updates, open311_requests, open311_attributes, open311_services, open311_rate_windows, open311_clients;
