// Package web holds the workbench, the browser application of onewindow (Vue 3, built by Vite
// from web/src into web/dist). The built files are committed and embedded, so that a binary
// built with Go alone serves the workbench; `make web` rebuilds them with Node.js.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built workbench: index.html, assets/ and source-hash.txt at its root.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("web: embedded dist missing: " + err.Error()) // cannot happen: the embed pattern names it
	}
	return sub
}

// sourceFiles and sourceTrees are what a build reads besides node_modules; scripts/stamp.mjs
// lists the same.
var (
	sourceFiles = []string{"index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json"}
	sourceTrees = []string{"src", "public"}
)

// SourceHash hashes the workbench's sources under dir (the web/ directory) the way
// scripts/stamp.mjs does when it stamps a build into dist/source-hash.txt: for each file,
// sorted by its slash-separated path, the line "<sha256 of content>  <path>\n"; the result is
// the sha256 of all lines, in hex.
func SourceHash(dir string) (string, error) {
	var files []string
	for _, f := range sourceFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			files = append(files, f)
		}
	}
	for _, t := range sourceTrees {
		err := filepath.WalkDir(filepath.Join(dir, t), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				rel, err := filepath.Rel(dir, p)
				if err != nil {
					return err
				}
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("walk %s: %w", t, err)
		}
	}
	sort.Strings(files)
	all := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return "", fmt.Errorf("read %s: %w", f, err)
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(all, "%s  %s\n", hex.EncodeToString(sum[:]), f)
	}
	return hex.EncodeToString(all.Sum(nil)), nil
}

// BuiltHash is the source hash recorded in the embedded dist/source-hash.txt by the build.
func BuiltHash() (string, error) {
	b, err := fs.ReadFile(Dist(), "source-hash.txt")
	if err != nil {
		return "", fmt.Errorf("read dist/source-hash.txt: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
