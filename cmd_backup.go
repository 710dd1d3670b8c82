package main

func runBackup(args []string) int       { return 2 }
func runRestore(args []string) int      { return 2 }
func runMigrateStore(args []string) int { return 2 }
