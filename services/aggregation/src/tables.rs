//! Every table of the database as plain rows, for `jvap admin backup` and `restore`: which tables
//! and columns there are (from the database's own catalogue, so a table added by a later migration
//! is dumped without a change here), their rows as JSON values, and loading rows back.
//!
//! The store keeps only TEXT and BIGINT columns (see [`crate::store`]), so a row is a list of JSON
//! strings, integers and nulls, the same on SQLite and PostgreSQL. sqlx's own `_sqlx_migrations`
//! table is not dumped: a restore runs the migrations instead ([`Store::migrate_to`]).

use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{Error, Result};
use crate::store::{Backend, Store};

/// sqlx's record of the migrations applied.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// The most values one INSERT binds (SQLite's oldest limit is 999).
const MAX_BINDS: usize = 900;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// BIGINT (or any integer type): a JSON integer.
    Integer,
    /// TEXT: a JSON string.
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
}

/// A table and its columns, in their order in the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
}

impl Store {
    /// Every table of the store's schema but sqlx's migrations table, by name, with its columns.
    pub async fn tables(&self) -> Result<Vec<Table>> {
        let mut tables = Vec::new();
        for name in self.table_names().await? {
            if name == MIGRATIONS_TABLE {
                continue;
            }
            let columns = self.columns(&name).await?;
            tables.push(Table { name, columns });
        }
        Ok(tables)
    }

    /// The newest migration applied; `None` on a database never migrated.
    pub async fn schema_version(&self) -> Result<Option<i64>> {
        if !self
            .table_names()
            .await?
            .iter()
            .any(|t| t == MIGRATIONS_TABLE)
        {
            return Ok(None);
        }
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(self.pool())
            .await?;
        Ok(version)
    }

    /// How many rows `table` holds.
    pub async fn row_count(&self, table: &Table) -> Result<u64> {
        let sql = format!("SELECT COUNT(*) FROM {}", quoted(&table.name)?);
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(self.pool())
            .await?;
        u64::try_from(count).map_err(|_| Error::Corrupt(format!("{count} rows")))
    }

    /// The rows of `table`, each a value per column in the order of `table.columns`, read as they
    /// come (a large table is never held whole), sorted by every column so a dump is reproducible.
    pub fn rows<'a>(
        &'a self,
        table: &'a Table,
    ) -> futures::stream::BoxStream<'a, Result<Vec<Value>>> {
        let sql = select_all(table);
        let sql = match sql {
            Ok(sql) => sql,
            Err(e) => return futures::stream::once(async move { Err(e) }).boxed(),
        };
        sqlx::query(AssertSqlSafe(sql))
            .fetch(self.pool())
            .map_err(Error::from)
            .and_then(move |row| async move {
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, column)| {
                        Ok(match column.kind {
                            ColumnType::Integer => row
                                .try_get::<Option<i64>, _>(i)?
                                .map_or(Value::Null, Value::from),
                            ColumnType::Text => row
                                .try_get::<Option<String>, _>(i)?
                                .map_or(Value::Null, Value::from),
                        })
                    })
                    .collect()
            })
            .boxed()
    }

    /// Insert rows into `table` (only the columns `table` names, each row a value per column), in
    /// one transaction. A value of the wrong kind for its column is [`Error::Corrupt`].
    pub async fn insert_rows(&self, table: &Table, rows: &[Vec<Value>]) -> Result<()> {
        if table.columns.is_empty() || rows.is_empty() {
            return Ok(());
        }
        let names = table
            .columns
            .iter()
            .map(|c| quoted(&c.name))
            .collect::<Result<Vec<_>>>()?
            .join(", ");
        let into = format!("INSERT INTO {} ({names}) VALUES ", quoted(&table.name)?);
        let per_statement = (MAX_BINDS / table.columns.len()).max(1);
        let mut tx = self.pool().begin().await?;
        for batch in rows.chunks(per_statement) {
            let mut sql = into.clone();
            let mut n = 0;
            for (i, _) in batch.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for j in 0..table.columns.len() {
                    if j > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    sql.push_str(&format!("${n}"));
                }
                sql.push(')');
            }
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for row in batch {
                if row.len() != table.columns.len() {
                    return Err(Error::Corrupt(format!(
                        "a row of {} has {} values for {} columns",
                        table.name,
                        row.len(),
                        table.columns.len()
                    )));
                }
                for (value, column) in row.iter().zip(&table.columns) {
                    query = match (column.kind, value) {
                        (ColumnType::Integer, Value::Null) => query.bind(None::<i64>),
                        (ColumnType::Text, Value::Null) => query.bind(None::<String>),
                        (ColumnType::Integer, Value::Number(n)) if n.is_i64() => {
                            query.bind(n.as_i64())
                        }
                        (ColumnType::Text, Value::String(s)) => query.bind(s.clone()),
                        _ => {
                            return Err(Error::Corrupt(format!(
                                "{}.{}: {value} is not a {:?} value",
                                table.name, column.name, column.kind
                            )));
                        }
                    };
                }
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Drop every table of the store's schema, sqlx's migrations table included, so the
    /// migrations run again from the first. Returns the tables dropped.
    pub async fn drop_tables(&self) -> Result<Vec<String>> {
        let names = self.table_names().await?;
        for name in &names {
            let cascade = match self.backend() {
                Backend::Postgres => " CASCADE",
                Backend::Sqlite => "",
            };
            let sql = format!("DROP TABLE IF EXISTS {}{cascade}", quoted(name)?);
            sqlx::query(AssertSqlSafe(sql)).execute(self.pool()).await?;
        }
        Ok(names)
    }

    /// The names of every table of the schema (the store's own, sqlx's), sorted.
    async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_all(self.pool()).await?)
    }

    async fn columns(&self, table: &str) -> Result<Vec<Column>> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
            Backend::Postgres => {
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position"
            }
        };
        let rows = sqlx::query(sql).bind(table).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                let name: String = row.try_get(0)?;
                let declared: String = row.try_get(1)?;
                let kind = column_type(&declared).ok_or_else(|| {
                    Error::Corrupt(format!(
                        "column {table}.{name} is {declared}; only TEXT and BIGINT columns can be \
                         backed up"
                    ))
                })?;
                Ok(Column { name, kind })
            })
            .collect()
    }
}

/// The kind of a declared column type: SQLite's declared names and PostgreSQL's `data_type`.
fn column_type(declared: &str) -> Option<ColumnType> {
    let declared = declared.to_ascii_lowercase();
    if declared.contains("int") {
        Some(ColumnType::Integer)
    } else if declared.contains("text") || declared.contains("char") {
        Some(ColumnType::Text)
    } else {
        None
    }
}

/// `SELECT` every column of `table`, ordered by all of them.
fn select_all(table: &Table) -> Result<String> {
    let names = table
        .columns
        .iter()
        .map(|c| quoted(&c.name))
        .collect::<Result<Vec<_>>>()?;
    let order: Vec<String> = (1..=names.len()).map(|i| i.to_string()).collect();
    let order = if order.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", order.join(", "))
    };
    Ok(format!(
        "SELECT {} FROM {}{order}",
        names.join(", "),
        quoted(&table.name)?
    ))
}

/// An identifier in double quotes; only letters, digits and `_` are taken (names come from the
/// catalogue or from a backup file, and are put into SQL).
fn quoted(name: &str) -> Result<String> {
    let plain = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if plain {
        Ok(format!("\"{name}\""))
    } else {
        Err(Error::Corrupt(format!(
            "{name:?} is not a table or column name jvap uses"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_map_to_integers_or_text_and_others_are_refused() {
        for integer in ["BIGINT", "bigint", "integer", "INTEGER", "smallint"] {
            assert_eq!(column_type(integer), Some(ColumnType::Integer), "{integer}");
        }
        for text in ["TEXT", "text", "character varying", "VARCHAR(20)"] {
            assert_eq!(column_type(text), Some(ColumnType::Text), "{text}");
        }
        for other in ["BLOB", "boolean", "timestamp with time zone", "bytea", ""] {
            assert_eq!(column_type(other), None, "{other}");
        }
    }

    #[test]
    fn only_plain_names_are_quoted_into_sql() {
        assert_eq!(
            quoted("dataset_versions").expect("plain"),
            "\"dataset_versions\""
        );
        for bad in ["", "a b", "x\"; DROP TABLE y; --", "1st", "é"] {
            assert!(quoted(bad).is_err(), "{bad}");
        }
    }
}
