-- Trigram matching lets partial words ("sneak") and small typos still find products.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Categories form a tree; a product's category filter covers the whole subtree.
CREATE TABLE categories (
    id         uuid        PRIMARY KEY,
    parent_id  uuid        REFERENCES categories (id),
    name       text        NOT NULL,
    slug       text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX categories_slug ON categories (slug);
CREATE INDEX categories_parent ON categories (parent_id);

-- version grows with every change of the product, its SKUs or their availability; the detail
-- cache uses it to refuse filling an entry older than one already invalidated.
CREATE TABLE products (
    id            uuid        PRIMARY KEY,
    category_id   uuid        NOT NULL REFERENCES categories (id),
    name          text        NOT NULL,
    description   text        NOT NULL DEFAULT '',
    status        text        NOT NULL CHECK (status IN ('draft', 'active', 'hidden')),
    image_urls    text[]      NOT NULL DEFAULT '{}',
    options       jsonb       NOT NULL DEFAULT '[]',
    popularity    bigint      NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       bigint      NOT NULL DEFAULT 1,
    search_vector tsvector    GENERATED ALWAYS AS (
        setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')) STORED,
    search_text   text        GENERATED ALWAYS AS (name || ' ' || description) STORED
);
CREATE INDEX products_status_created ON products (status, created_at DESC, id DESC);
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_popularity ON products (popularity DESC, id DESC);
CREATE INDEX products_search_vector ON products USING gin (search_vector);
CREATE INDEX products_search_text_trgm ON products USING gin (search_text gin_trgm_ops);
CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops);

-- One SKU per option combination; option_values follow the order of products.options.
CREATE TABLE skus (
    id            uuid        PRIMARY KEY,
    product_id    uuid        NOT NULL REFERENCES products (id),
    position      integer     NOT NULL,
    option_values text[]      NOT NULL,
    price         bigint      NOT NULL CHECK (price > 0),
    status        text        NOT NULL CHECK (status IN ('active', 'inactive')),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX skus_product ON skus (product_id, position);
CREATE UNIQUE INDEX skus_product_options ON skus (product_id, option_values);

-- Catalog's view of inventory, kept from StockAvailabilityChanged events. No foreign key: an
-- event may name a SKU this catalog does not hold, and keeping it costs nothing.
CREATE TABLE sku_availability (
    sku_id     uuid        PRIMARY KEY,
    available  bigint      NOT NULL,
    version    bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);
