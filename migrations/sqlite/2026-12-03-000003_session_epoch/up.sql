-- Raised in the transaction that ends a user's sessions (2FA on/off, recovery-code login, admin
-- reset or disable, "sign out everywhere"). A browser session carries the epoch it was opened
-- under and is refused once they differ: this ends sessions held outside the database (Redis).
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
