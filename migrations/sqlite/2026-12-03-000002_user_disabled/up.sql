-- A disabled user cannot sign in; NULL means enabled. Set by the admin API and CLI.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
