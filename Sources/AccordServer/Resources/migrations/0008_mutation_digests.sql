-- Each outcome keeps a digest of the mutation it answered, so a client that sends a different mutation under
-- an id it already used (a replica restored from a backup, or one that lost its last writes to a power cut)
-- is told so instead of being answered with the old mutation's outcome.

ALTER TABLE mutation_outcomes ADD COLUMN digest text;
