// Command onewindow is a BPMN approval system for government service centres.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: onewindow serve|migrate|version|definitions ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "definitions":
		os.Exit(runDefinitions(os.Args[2:]))
	case "version":
		fmt.Println("onewindow dev")
	default:
		fmt.Fprintf(os.Stderr, "onewindow: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}
