DROP TABLE meta;
DROP TABLE throttles;
DROP TABLE audit_events;
DROP TABLE sessions;
DROP TABLE challenges;
DROP TABLE recovery_codes;
DROP TABLE totp_credentials;
DROP TABLE users;
