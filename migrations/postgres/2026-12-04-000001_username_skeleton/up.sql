-- The UTS #39 confusable skeleton of the username (service::accounts::username_skeleton): two
-- accounts that look alike cannot both exist. SQL cannot compute it: the server fills the rows
-- created before this migration at start-up (db::skeletons). NULL only where an older account
-- already looked like another one; the unique index lets several NULLs coexist.
ALTER TABLE users ADD COLUMN username_skeleton TEXT;
CREATE UNIQUE INDEX users_username_skeleton ON users (username_skeleton);
