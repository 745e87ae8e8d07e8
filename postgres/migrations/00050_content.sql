-- +goose Up
-- Platform content: news articles (Tin tức) and public cameras. The
-- government directory reuses the agencies table of 00001.

-- unaccent() is only STABLE (it depends on the search path and dictionary),
-- so it cannot back an index or a generated column. This wrapper names the
-- dictionary explicitly and is declared IMMUTABLE, the documented way to use
-- it in indexes. "Cao Bằng" → "Cao Bang", "Đông Khê" → "Dong Khe".
-- +goose StatementBegin
CREATE FUNCTION cds_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
-- +goose StatementEnd

-- array_to_string is STABLE only because of element output functions in
-- general; for text[] it is immutable, so the tags can feed the search vector.
-- +goose StatementBegin
CREATE FUNCTION cds_join_tags(text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT array_to_string($1, ' ') $$;
-- +goose StatementEnd

CREATE TABLE news_articles (
    id             bigserial PRIMARY KEY,
    slug           text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title          text NOT NULL,
    summary        text NOT NULL DEFAULT '',
    body_md        text NOT NULL DEFAULT '',
    body_html      text NOT NULL DEFAULT '',  -- rendered and sanitised at write time
    cover_media_id text REFERENCES media(id),
    category       text NOT NULL,
    tags           text[] NOT NULL DEFAULT '{}',
    agency_code    text NOT NULL REFERENCES agencies(code),
    -- draft → published (visible from publish_at; a future publish_at means
    -- scheduled) → unpublished (hidden again; can be published again).
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','published','unpublished')),
    publish_at     timestamptz,
    created_by     bigint REFERENCES users(id),
    updated_by     bigint REFERENCES users(id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- Full-text search without diacritics: the 'simple' configuration (no
    -- Vietnamese stemmer exists) over unaccented text, weighted title > summary > body.
    search         tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', cds_unaccent(title)), 'A') ||
        setweight(to_tsvector('simple', cds_unaccent(summary)), 'B') ||
        setweight(to_tsvector('simple', cds_unaccent(cds_join_tags(tags))), 'B') ||
        setweight(to_tsvector('simple', cds_unaccent(body_md)), 'C')
    ) STORED,
    CHECK (status <> 'published' OR publish_at IS NOT NULL)
);
CREATE INDEX news_articles_search ON news_articles USING gin (search);
CREATE INDEX news_articles_public ON news_articles (publish_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX news_articles_category ON news_articles (category, publish_at DESC, id DESC) WHERE status = 'published';

-- Agency names searched without diacritics.
CREATE INDEX agencies_name_unaccent ON agencies (lower(cds_unaccent(name)));

CREATE TABLE cameras (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL,
    area_code       text NOT NULL REFERENCES agencies(code),
    lat             double precision,
    lng             double precision,
    hls_url         text NOT NULL DEFAULT '',  -- for the app, only ever handed out signed
    rtsp_url        text NOT NULL DEFAULT '',  -- operators only, never returned to citizens
    status          text NOT NULL DEFAULT 'online' CHECK (status IN ('online','offline','maintenance')),
    visibility      text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public','signed_in','staff')),
    last_checked_at timestamptz,
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_area ON cameras (area_code, id);

-- +goose Down
DROP TABLE cameras;
DROP INDEX agencies_name_unaccent;
DROP TABLE news_articles;
DROP FUNCTION cds_join_tags(text[]);
DROP FUNCTION cds_unaccent(text);
