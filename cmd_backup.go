package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"onewindow/backup"
	"onewindow/store"
)

// runBackup implements "onewindow backup --out FILE": an online backup of an SQLite
// deployment (the application and engine databases and the uploaded files) while it serves.
func runBackup(args []string) int {
	var out string
	cfg, err := loadConfig("backup", args, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the backup file to write (a gzipped tar)")
	})
	if err != nil {
		return usageError(err)
	}
	if out == "" {
		return usageError(errors.New("backup: --out FILE is required"))
	}
	app, ok := strings.CutPrefix(cfg.DB, "sqlite:")
	if !ok || cfg.EngineStore.Kind != "sqlite" {
		fmt.Fprintln(os.Stderr, "onewindow backup: backs up an SQLite deployment; back PostgreSQL up with pg_dump or a base backup and Redis with its RDB or AOF files (docs/deployment.md)")
		return 2
	}
	app, _, _ = strings.Cut(strings.TrimPrefix(app, "//"), "?")
	opts := backup.Options{Version: version, FilesDir: filepath.Join(cfg.DataDir, "files"), Databases: []backup.Database{
		{Name: "onewindow.db", Role: "app", Path: app},
		{Name: "engine.db", Role: "engine", Path: cfg.EngineStore.Path},
	}}
	// Written beside the target and renamed when complete, so that FILE is never half a backup.
	tmp := out + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, "onewindow backup:", err)
		return 1
	}
	s, err := backup.Create(context.Background(), opts, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		os.Remove(tmp)
		fmt.Fprintln(os.Stderr, "onewindow backup:", err)
		return 1
	}
	fmt.Printf("backup written to %s: %d databases, %d files, %d bytes before compression (schema %04d); writers waited %.1f ms\n",
		out, len(s.Manifest.Databases), s.Files, s.Bytes, s.Manifest.Schema, s.Manifest.LockedMillis)
	return 0
}

// runRestore implements "onewindow restore FILE --data-dir DIR [--force]".
func runRestore(args []string) int {
	fs := flag.NewFlagSet("onewindow restore", flag.ContinueOnError)
	dir := fs.String("data-dir", "", "the data directory to restore into (empty or new, unless --force)")
	force := fs.Bool("force", false, "replace the databases and uploaded files of a data directory that is not empty")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: onewindow restore FILE --data-dir DIR [--force]")
		fs.PrintDefaults()
	}
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageError(fmt.Errorf("restore: unexpected arguments %q", fs.Args()))
	}
	if file == "" || *dir == "" {
		fs.Usage()
		return 2
	}
	ms, err := store.Migrations()
	if err != nil {
		fmt.Fprintln(os.Stderr, "onewindow restore:", err)
		return 1
	}
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "onewindow restore:", err)
		return 1
	}
	defer f.Close()
	s, err := backup.Restore(f, backup.RestoreOptions{DataDir: *dir, Force: *force, Version: version, Schema: ms[len(ms)-1].Version})
	if err != nil {
		fmt.Fprintf(os.Stderr, "onewindow restore: %s: %v\n", file, err)
		if errors.Is(err, backup.ErrNotEmpty) {
			return 2
		}
		return 1
	}
	fmt.Printf("restored the backup of %s (onewindow %s, schema %04d) into %s: %d databases, %d files; start it with: onewindow serve --data-dir %s\n",
		s.Manifest.CreatedAt.Format("2006-01-02 15:04:05 MST"), s.Manifest.Version, s.Manifest.Schema, *dir, len(s.Manifest.Databases), s.Files, *dir)
	return 0
}
