package main

// runOps runs the operator's commands: audit, backup, restore and migrate-store.
func runOps(name string, args []string) int {
	switch name {
	case "audit":
		return runAudit(args)
	case "backup":
		return runBackup(args)
	case "restore":
		return runRestore(args)
	default:
		return runMigrateStore(args)
	}
}
