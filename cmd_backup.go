package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/redress-legal/redress/data"
)

const backupUsage = `Usage: redress backup [--db DB] [--key-file FILE] FILE

Writes a consistent copy of the database into FILE (a new file, mode
0600) while redress serve keeps running: it needs neither the instance
lock nor the key. The copy holds the answers encrypted, as the database
does: it can be read only with the database's key, which is not in it.
Keep a copy of the key elsewhere. To restore: stop redress serve, copy
FILE over the database (and remove the old -wal and -shm files), put the
key back where serve looks for it, start serve (docs/operating.md).

Flags:
`

// runBackup is `redress backup`.
func runBackup(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), backupUsage)
		fs.PrintDefaults()
	}
	dbPath := fs.String("db", defaultDBPath(), "the database to copy")
	keyFile := fs.String("key-file", "", "where its key is, if not beside it (only named in the output; never read)")
	// The one argument, FILE, comes last.
	var dest string
	if n := len(args); n > 0 && !strings.HasPrefix(args[n-1], "-") {
		dest, args = args[n-1], args[:n-1]
	}
	s, err := configure(fs, args, stdout)
	if err != nil {
		return err
	}
	if dest == "" {
		return usagef("name the backup FILE, last: redress backup --db DB FILE")
	}
	if err := s.err(); err != nil {
		return err
	}
	info, err := data.Backup(ctx, *dbPath, dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes, %d conversations, schema version %d)\n", info.Path, info.Bytes, info.Sessions, info.Schema)
	fmt.Fprintf(stdout, "its key is NOT in it: %s\n", keyOf(*dbPath, *keyFile))
	fmt.Fprintln(stdout, "without that key the backup cannot be read: keep a copy of the key, apart from the backup")
	return nil
}
