package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"onewindow/store"
)

const auditUsage = `usage: onewindow audit verify [--from DATE] [--heads FILE] [--db DSN | --data-dir DIR]
       onewindow audit heads [--from DATE] [--to DATE] [--db DSN | --data-dir DIR]

verify checks the audit chain (from the first row of DATE, YYYY-MM-DD in Beijing time) and
names the first row that does not hold; with --heads it also checks the day heads exported
before (a file of "DAY SEQ HASH" lines), which finds a tail cut off with its head rewritten.
Exit status 0: the chain holds; 1: it is broken; 2: bad usage or the database cannot be read.

heads checks the chain from --from and prints the head of each day (DAY SEQ HASH): publish
these lines or hand them to an auditor; the last one is of a day that may not be over.
`

// runAudit implements "onewindow audit verify|heads".
func runAudit(args []string) int {
	return auditCommand(args, os.Stdout, os.Stderr)
}

func auditCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "heads") {
		fmt.Fprint(stderr, auditUsage)
		return 2
	}
	var from, to, headsFile string
	cfg, err := loadConfig("audit", args[1:], func(fs *flag.FlagSet) {
		fs.SetOutput(stderr)
		fs.StringVar(&from, "from", "", "check from the first row of this day, YYYY-MM-DD (default: from the first row)")
		if args[0] == "verify" {
			fs.StringVar(&headsFile, "heads", "", "a file of day heads exported before (DAY SEQ HASH lines) to check against")
		} else {
			fs.StringVar(&to, "to", "", "print heads up to this day, YYYY-MM-DD (default: the last)")
		}
	})
	if err != nil {
		return usageError(err)
	}
	var published []store.AuditDayHead
	if headsFile != "" {
		f, err := os.Open(headsFile)
		if err != nil {
			fmt.Fprintln(stderr, "onewindow audit:", err)
			return 2
		}
		published, err = store.ReadAuditHeads(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "onewindow audit: %s: %v\n", headsFile, err)
			return 2
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		fmt.Fprintln(stderr, "onewindow audit:", err)
		return 2
	}
	defer db.Close()
	c, err := store.VerifyAudit(ctx, db, from, published)
	if err != nil {
		fmt.Fprintln(stderr, "onewindow audit:", err)
		return 2
	}
	if c.Broken != nil {
		fmt.Fprintf(stdout, "audit chain broken: %v\n", c.Broken)
		fmt.Fprintf(stdout, "%d rows before it hold (from row %d).\n", c.Rows, c.First)
		return 1
	}
	if args[0] == "heads" {
		heads, err := store.AuditHeads(ctx, db, from, to)
		if err != nil {
			fmt.Fprintln(stderr, "onewindow audit:", err)
			return 2
		}
		for _, h := range heads {
			fmt.Fprintln(stdout, h)
		}
		return 0
	}
	fmt.Fprintf(stdout, "audit chain holds: %d rows checked", c.Rows)
	if c.Rows > 0 {
		fmt.Fprintf(stdout, " (rows %d to %d)", c.First, c.Last.Seq)
	}
	fmt.Fprintf(stdout, "; head: row %d of %s, %s", c.Head.Seq, c.Head.Day, c.Head.Hash)
	if len(published) > 0 {
		fmt.Fprintf(stdout, "; %d published heads found unchanged", c.Heads)
	}
	fmt.Fprintln(stdout)
	return 0
}
