use diesel::prelude::*;

use super::schema::audit_events as ae;
use super::DbConn;

pub struct NewEvent<'a> {
    pub at: i64,
    pub user_id: Option<i64>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub event: &'a str,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ae)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub event: String,
    pub outcome: String,
    pub reason: Option<String>,
}

pub fn insert(conn: &mut DbConn, e: &NewEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(ae::table)
        .values((
            ae::at.eq(e.at),
            ae::user_id.eq(e.user_id),
            ae::ip.eq(e.ip),
            ae::user_agent.eq(e.user_agent),
            ae::event.eq(e.event),
            ae::outcome.eq(e.outcome),
            ae::reason.eq(e.reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user's events, newest first.
pub fn list_for_user(conn: &mut DbConn, user_id: i64, limit: i64) -> QueryResult<Vec<EventRow>> {
    ae::table
        .filter(ae::user_id.eq(user_id))
        .order(ae::id.desc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)
}
