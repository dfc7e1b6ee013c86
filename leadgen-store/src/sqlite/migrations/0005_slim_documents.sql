-- leadgen SQLite schema, version 5: slim documents.
-- A contact's or company's document no longer repeats the fields its row's columns
-- hold (ids, email status, a company's name, and the email, LinkedIn URL, domain and
-- country wherever their key column equals them): about a third of a row, which a
-- bulk import pays for twice, in the WAL and in the checkpoint.
--
-- `doc_form` says which fields the document left to the columns (bit 1: a slim
-- document; the other bits: see `leadgen-store/src/codec/slim.rs`). Rows written by
-- versions 1 to 4 leave it NULL and keep their whole document, which stays the truth
-- for them.
ALTER TABLE contacts ADD COLUMN doc_form INTEGER;
ALTER TABLE companies ADD COLUMN doc_form INTEGER;
