//! The database half of a backup: every table of aggregation's database as JSON lines, one object
//! per row (column name to value), with the schema version (the last migration applied). A restore
//! runs the migrations up to that version into an emptied database, loads the rows, then runs the
//! migrations this build has beyond it, so an older backup restores into a newer jvap.

use std::path::Path;

use futures::TryStreamExt;
use jvap_aggregation::store::SCHEMA_VERSION;
use jvap_aggregation::tables::{Column, Table};
use jvap_aggregation::{Backend, Database, Store};
use serde_json::{Map, Value};

use crate::error::{AdminError, Result};
use crate::files::{self, FileEntry, Lines, Out};
use crate::manifest::{DatabasePart, TablePart};

/// Rows loaded per transaction.
const BATCH: usize = 500;

/// Open the database for a backup: it must be there (a SQLite file is not created) and migrated.
pub(crate) async fn open_existing(database: &Database) -> Result<Store> {
    if let Database::Sqlite(path) = database
        && !tokio::fs::try_exists(path)
            .await
            .map_err(|e| AdminError::io(path, e))?
    {
        return Err(AdminError::Invalid(format!(
            "there is no database at {}: set DATABASE_URL or JVAP_DATA_DIR as aggregation has them",
            path.display()
        )));
    }
    Ok(Store::connect(database).await?)
}

pub(crate) fn backend_name(store: &Store) -> &'static str {
    match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Write every table to `database/<table>.jsonl`.
pub(crate) async fn backup(
    store: &Store,
    dir: &Path,
    files: &mut Vec<FileEntry>,
) -> Result<DatabasePart> {
    let schema_version = store.schema_version().await?.ok_or_else(|| {
        AdminError::Invalid(
            "the database has no jvap tables (it was never migrated): is DATABASE_URL right?"
                .into(),
        )
    })?;
    let mut tables = Vec::new();
    for table in store.tables().await? {
        let file = format!("database/{}.jsonl", files::file_name(&table.name)?);
        let mut out = Out::create(dir, &file).await?;
        let mut rows = 0u64;
        let mut stream = store.rows(&table);
        while let Some(values) = stream.try_next().await? {
            let row: Map<String, Value> = table
                .columns
                .iter()
                .map(|c| c.name.clone())
                .zip(values)
                .collect();
            out.line(&row).await?;
            rows += 1;
        }
        drop(stream);
        files.push(out.finish().await?);
        tables.push(TablePart {
            name: table.name,
            file,
            rows,
            columns: table.columns,
        });
    }
    Ok(DatabasePart {
        backend: backend_name(store).to_string(),
        schema_version,
        tables,
    })
}

/// The tables of the target that hold rows, as "table submissions holds 3 rows".
pub(crate) async fn occupied(store: &Store) -> Result<Vec<String>> {
    let mut occupied = Vec::new();
    for table in store.tables().await? {
        let rows = store.row_count(&table).await?;
        if rows > 0 {
            occupied.push(format!("table {} holds {rows} rows", table.name));
        }
    }
    Ok(occupied)
}

/// Empty the database, migrate it to the backup's schema, load every table, migrate the rest.
/// Returns each table with its rows.
pub(crate) async fn restore(
    store: &Store,
    dir: &Path,
    part: &DatabasePart,
) -> Result<Vec<(String, u64)>> {
    if part.schema_version > SCHEMA_VERSION {
        return Err(AdminError::Unsupported(format!(
            "the backup's database has schema version {}, newer than this jvap's {SCHEMA_VERSION}: \
             restore it with the jvap that made it",
            part.schema_version
        )));
    }
    store.drop_tables().await?;
    store.migrate_to(part.schema_version).await?;
    let target = store.tables().await?;
    let mut restored = Vec::new();
    for table in &part.tables {
        let into = table_into(&target, table)?;
        let mut lines = Lines::open(dir, &table.file).await?;
        let mut batch = Vec::with_capacity(BATCH);
        let mut rows = 0u64;
        while let Some(row) = lines.next::<Map<String, Value>>().await? {
            batch.push(
                into.columns
                    .iter()
                    .map(|c| row.get(&c.name).cloned().unwrap_or(Value::Null))
                    .collect::<Vec<_>>(),
            );
            rows += 1;
            if batch.len() == BATCH {
                store.insert_rows(&into, &batch).await?;
                batch.clear();
            }
        }
        store.insert_rows(&into, &batch).await?;
        if rows != table.rows {
            return Err(AdminError::Invalid(format!(
                "{} holds {rows} rows, the manifest says {}",
                table.file, table.rows
            )));
        }
        restored.push((table.name.clone(), rows));
    }
    store.migrate().await?;
    Ok(restored)
}

/// The backup's table as it is in the target: the backup's columns, each of the kind the target
/// has; a table or column the target's schema lacks is an error.
fn table_into(target: &[Table], table: &TablePart) -> Result<Table> {
    let found = target
        .iter()
        .find(|t| t.name == table.name)
        .ok_or_else(|| {
            AdminError::Invalid(format!(
                "table {} is not in the schema of version this backup names",
                table.name
            ))
        })?;
    let columns = table
        .columns
        .iter()
        .map(|column| {
            found
                .columns
                .iter()
                .find(|c| c.name == column.name)
                .cloned()
                .ok_or_else(|| {
                    AdminError::Invalid(format!(
                        "column {}.{} is not in the schema this backup names",
                        table.name, column.name
                    ))
                })
        })
        .collect::<Result<Vec<Column>>>()?;
    Ok(Table {
        name: table.name.clone(),
        columns,
    })
}
