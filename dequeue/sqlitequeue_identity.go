package dequeue

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// applicationID marks an SQLite file as a courier queue file, in PRAGMA
// application_id: "crqr" in ASCII. Open refuses a file that has tables
// without this mark, so that it never writes into another program's
// database.
const applicationID = 0x63727172

// courierObjects are the schema objects of a version 1 queue file, as
// sqlite_master lists them (SQLite's own sqlite_* objects left out). A file
// written before the mark existed has exactly these.
var courierObjects = []string{"index messages_due", "index messages_order", "table messages"}

// fileKind is what Open found in a file.
type fileKind int

const (
	kindQueue    fileKind = iota // marked as ours
	kindEmpty                    // no tables: a new file, to initialise
	kindUnmarked                 // a queue file written before the mark: mark it
)

// notQueueFileError describes a database that is not a queue file.
type notQueueFileError struct {
	appID  int32
	tables []string // its tables, sorted; empty when it has none
}

func (e *notQueueFileError) Error() string {
	var why []string
	if e.appID != 0 {
		why = append(why, fmt.Sprintf("its application_id is %#08x", uint32(e.appID)))
	}
	if len(e.tables) > 0 {
		why = append(why, "it has tables "+fewNames(e.tables, 4))
	}
	if len(why) == 0 {
		why = append(why, "it has no courier tables")
	}
	return "it is an SQLite database but not a courier queue file (" + strings.Join(why, "; ") +
		"): it was left unchanged; use a new file for the queue"
}

func (e *notQueueFileError) Unwrap() error { return ErrNotQueueFile }

// fewNames lists up to n names, then how many more there are.
func fewNames(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// identify says what kind of file tx reads, or returns a *notQueueFileError.
// It only reads, so that a refused file is left as it was.
func identify(ctx context.Context, tx *sql.Tx) (fileKind, error) {
	var appID int32
	if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return 0, err
	}
	if appID == applicationID {
		return kindQueue, nil
	}
	objects, tables, err := schemaObjects(ctx, tx)
	if err != nil {
		return 0, err
	}
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, err
	}
	switch {
	case appID == 0 && len(objects) == 0:
		return kindEmpty, nil
	case appID == 0 && version == 1 && slices.Equal(objects, courierObjects):
		return kindUnmarked, nil
	}
	return 0, &notQueueFileError{appID: appID, tables: tables}
}

// schemaObjects lists the file's objects as "type name", sorted, and its
// table names apart, leaving out SQLite's own sqlite_* objects.
func schemaObjects(ctx context.Context, tx *sql.Tx) (objects, tables []string, err error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY type, name`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var typ, name string
		if err := rows.Scan(&typ, &name); err != nil {
			return nil, nil, err
		}
		objects = append(objects, typ+" "+name)
		if typ == "table" {
			tables = append(tables, name)
		}
	}
	return objects, tables, rows.Err()
}
