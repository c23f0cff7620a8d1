-- The sync engine: one ordered change log per organization, the collections it feeds, and per-client state.

-- Each organization's change counter. A writing transaction locks its row, so seqs are handed out in
-- commit order within the organization while organizations never wait for each other.
CREATE TABLE sync_heads (
    org_id       uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    last_seq     bigint NOT NULL DEFAULT 0,
    -- Changes at or below the horizon may have been pruned; a client behind it must take a snapshot.
    horizon_seq  bigint NOT NULL DEFAULT 0,
    -- Replaced when the log is rewritten (a restore), which invalidates every client's cursor.
    epoch        uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO sync_heads (org_id) SELECT id FROM organizations;

-- The sync feed, the audit history and the realtime trigger at once. Append-only for the application.
CREATE TABLE changes (
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    seq          bigint NOT NULL,
    collection   text NOT NULL,
    record_id    uuid NOT NULL,
    operation    text NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
    outcome      text NOT NULL CHECK (outcome IN ('applied', 'merged', 'conflict')),
    -- The fields this change wrote, with their new values and the values they replaced.
    fields       jsonb NOT NULL DEFAULT '{}',
    previous     jsonb NOT NULL DEFAULT '{}',
    -- Values the client sent that lost to a later concurrent edit, kept here for the record.
    overridden   jsonb NOT NULL DEFAULT '{}',
    actor        uuid,
    client_id    uuid,
    mutation_id  bigint,
    stamp        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX changes_record_idx ON changes (org_id, collection, record_id, seq);

-- Per-collection checksums, kept up to date in the writing transaction: the wrapping sum of the digests
-- of every live record, so a client can prove its replica equals the server at a seq.
CREATE TABLE sync_checksums (
    org_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    collection text NOT NULL,
    checksum   bigint NOT NULL DEFAULT 0,
    rows       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, collection)
);

-- A client replica pushing into an organization. It belongs to the user who first pushed under it.
CREATE TABLE sync_clients (
    org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_id        uuid NOT NULL,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_mutation_id bigint NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_push_at     timestamptz,
    PRIMARY KEY (org_id, client_id)
);

-- What became of each pushed mutation, so a retried push gets the same answer without applying twice.
CREATE TABLE mutation_outcomes (
    org_id      uuid NOT NULL,
    client_id   uuid NOT NULL,
    mutation_id bigint NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('applied', 'merged', 'conflict', 'rejected')),
    seq         bigint,
    result      jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, client_id, mutation_id),
    FOREIGN KEY (org_id, client_id) REFERENCES sync_clients (org_id, client_id) ON DELETE CASCADE
);

-- The synced collections' tables (notes, conflicts, and every later one) are made from their declarations when
-- the server starts (CollectionTableMigration), after these migrations, with the same row-level security.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sync_heads', 'changes', 'sync_checksums', 'sync_clients', 'mutation_outcomes']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (org_id = accord_current_org()) WITH CHECK (org_id = accord_current_org())',
                       t || '_tenant', t);
    END LOOP;
END
$$;

-- The log is history: the application may add to it but never rewrite it.
REVOKE UPDATE, DELETE, TRUNCATE ON changes FROM accord_app;

-- Admin commands run as the owner role (this migration's user); they find an organization by slug in
-- the registry, then work inside it with accord.org_id set like any request.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY organizations_admin_lookup ON organizations FOR SELECT TO %I USING (true)', current_user);
END
$$;
