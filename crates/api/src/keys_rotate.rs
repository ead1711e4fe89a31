//! Key rotation (`twofa keys rotate`) and the sealed recovery-code lookup key it leaves behind.
//!
//! Recovery codes are stored as (HMAC lookup tag, Argon2 hash); the tags cannot be recomputed
//! without the codes, so a rotation keeps the lookup key and stores it sealed under the new
//! master key. Every other sealed value is re-encrypted in the same transaction.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use rand_core::RngCore;
use twofa_core::{RecoveryCodeHasher, Secret};
use zeroize::Zeroizing;

use crate::crypto;
use crate::db::{meta, sealed, Db};
use crate::error::ApiError;
use crate::keys::{self, Keys};
use crate::settings::Settings;

/// The associated-data id of the server-wide sealed lookup key (user ids are positive).
const LOOKUP_KEY_OWNER: i64 = -1;
pub const META_LOOKUP_KEY: &str = "recovery_lookup_key";

/// After a rotation, use the stored lookup key instead of the one derived from the master key.
pub fn apply_stored_lookup_key(db: &Db, keys: &mut Keys) -> anyhow::Result<()> {
    let sealed = db
        .write_blocking(|conn| Ok(meta::get(conn, META_LOOKUP_KEY)?))
        .map_err(|e| anyhow::anyhow!("cannot read the recovery lookup key: {e}"))?;
    if let Some(blob) = sealed {
        let key = open_lookup_key(keys, &blob)?;
        keys.recovery = RecoveryCodeHasher::new(*key);
    }
    Ok(())
}

fn open_lookup_key(keys: &Keys, blob: &[u8]) -> anyhow::Result<Zeroizing<[u8; 32]>> {
    let secret = keys.secret_box.open(LOOKUP_KEY_OWNER, blob).map_err(|_| {
        anyhow::anyhow!("the stored recovery lookup key does not open with this key")
    })?;
    let key: [u8; 32] = secret
        .expose_bytes()
        .try_into()
        .map_err(|_| anyhow::anyhow!("the stored recovery lookup key has the wrong length"))?;
    Ok(Zeroizing::new(key))
}

pub struct Rotation {
    pub old_key_id: String,
    pub new_key_id: String,
    pub secrets: usize,
    /// Where the new key is: the key file itself, or a file to copy into `TWOFA_SECRET_KEY`.
    pub key_path: PathBuf,
    pub from_env: bool,
}

/// Generates a new key, writes it to `<data dir>/secret.key.new`, re-seals every secret and
/// the check value in one transaction, then (key file setups) moves the new file into place.
/// A crash before the commit leaves the old key working; after it, `secret.key.new` holds the
/// key that fits.
pub fn rotate(settings: &Settings) -> anyhow::Result<Rotation> {
    let from_env = settings.secret_key.is_some();
    let key_file = settings.data_dir.join("secret.key");
    if !from_env && !key_file.exists() {
        bail!(
            "no key to rotate: {} does not exist and TWOFA_SECRET_KEY is not set",
            key_file.display()
        );
    }
    let old_master = keys::load_master_key(settings)?;
    let old = Keys::from_master(&old_master);
    let url = settings.database_url();
    let db = Db::connect(&url)?;
    keys::check_against_database(&db, &old)?;
    // A server still running would keep the old key: TOTP sign-ins would fail there and its
    // enrolments would be sealed under a key the database no longer uses.
    let running = crate::instance::running(&db).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(latest) = running.iter().min() {
        bail!(
            "{} instance(s) serve this database (last heartbeat {latest} s ago): stop every \
             instance, then rotate (a stopped instance's heartbeat counts for {} s)",
            running.len(),
            crate::instance::FRESH_SECS
        );
    }

    let mut new_master = Zeroizing::new([0u8; 32]);
    crypto::rng().fill_bytes(new_master.as_mut());
    let new = Keys::from_master(&new_master);
    let pending = settings.data_dir.join("secret.key.new");
    write_key_file(&pending, &new_master)?;

    let old_key_id = old.secret_box.key_id();
    let new_key_id = new.secret_box.key_id();
    let new_id = new_key_id.clone();
    let derived_lookup = keys::subkey(&old_master, keys::RECOVERY_LOOKUP_LABEL);
    let secrets = db
        .write_blocking(|conn| {
            let lookup = match meta::get(conn, META_LOOKUP_KEY)? {
                Some(blob) => open_lookup_key(&old, &blob).map_err(ApiError::internal)?,
                None => derived_lookup,
            };
            let rows = sealed::all_totp(conn)?;
            let mut rng = crypto::rng();
            for (user_id, ct) in &rows {
                let secret = old.secret_box.open(*user_id, ct).map_err(|_| {
                    ApiError::internal(anyhow::anyhow!(
                        "the TOTP secret of user {user_id} does not open with the current key"
                    ))
                })?;
                let resealed = new.secret_box.seal(*user_id, &secret, &mut rng);
                sealed::reseal_totp(conn, *user_id, &resealed, &new_id)?;
            }
            let lookup_secret = Secret::from_bytes(lookup.as_ref()).map_err(ApiError::internal)?;
            let sealed_lookup = new
                .secret_box
                .seal(LOOKUP_KEY_OWNER, &lookup_secret, &mut rng);
            meta::set(conn, META_LOOKUP_KEY, &sealed_lookup)?;
            meta::set(conn, meta::KEY_CHECK, &new.secret_box.check_value(&mut rng))?;
            meta::set(conn, meta::KEY_ID, new_id.as_bytes())?;
            Ok(rows.len())
        })
        .map_err(|e| {
            let _ = std::fs::remove_file(&pending);
            anyhow::anyhow!("key rotation failed, nothing was changed: {e}")
        })?;

    let key_path = if from_env {
        pending
    } else {
        std::fs::rename(&pending, &key_file).with_context(|| {
            format!(
                "the database now uses the key in {}; move it to {} by hand",
                pending.display(),
                key_file.display()
            )
        })?;
        key_file
    };
    Ok(Rotation {
        old_key_id,
        new_key_id,
        secrets,
        key_path,
        from_env,
    })
}

fn write_key_file(path: &Path, key: &[u8; 32]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write the new key file {}", path.display()))?;
    let text = Zeroizing::new(hex::encode(key));
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}
