// Command onewindow is a BPMN approval system for government service centres: one binary that
// serves the HTTP API and runs the workflow workers (`onewindow serve`), migrates the database
// (`onewindow migrate`) and prints its version (`onewindow version`).
//
//	@title						onewindow API
//	@version					1.0
//	@description				BPMN approval system for government service centres (一服务两公开): organisation tree, users, service items, cases and tasks.
//	@BasePath					/
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer <token>", the token from POST /api/v1/auth/login.
//	@securityDefinitions.apikey	ApiKeyAuth
//	@in							header
//	@name						X-API-Key
//	@description				An API key of a system user (a department business system).
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage: onewindow COMMAND [flags]

commands:
  serve      run the HTTP API (and the workflow workers)
  migrate    apply database migrations and exit
  version    print the version
  definitions validate|simulate FILE...   check or try BPMN files
  audit verify|heads      check the audit trail's hash chain; export the day heads
  backup --out FILE       an online backup of an SQLite deployment (databases and files)
  restore FILE --data-dir DIR             bring a backup back into an empty directory
  migrate-store --from sqlite:PATH --to postgres://...   copy the application tables
  bench [--scenario engine,raw,http,scale,timers] [--open 1000,10000] [--json]   measure

Run "onewindow COMMAND -h" for the flags of a command. Every flag can also be set with an
environment variable ONEWINDOW_<FLAG>, e.g. ONEWINDOW_DB for --db.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "serve":
		os.Exit(runServe(args))
	case "migrate":
		os.Exit(runMigrate(args))
	case "audit", "backup", "restore", "migrate-store":
		os.Exit(runOps(os.Args[1], args))
	case "definitions":
		os.Exit(runDefinitions(args))
	case "bench":
		os.Exit(runBench(args))
	case "decisions":
		os.Exit(runDecisions(args))
	case "version":
		fmt.Println("onewindow", version)
	case "-h", "-help", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "onewindow: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}
