package demo

import (
	"slices"
	"testing"

	"onewindow/store"
)

// Every demo item has a theme and a level the catalogue's filters know (issue 16).
func TestEveryItemHasThemeAndLevel(t *testing.T) {
	for _, it := range Items() {
		if !slices.Contains(store.ItemThemes, themes[it.Code]) {
			t.Errorf("item %s %s has theme %q", it.Code, it.Name, themes[it.Code])
		}
		if !slices.Contains(store.ItemLevels, levelOf(it)) {
			t.Errorf("item %s has level %q", it.Code, levelOf(it))
		}
	}
	if len(themes) != len(Items()) {
		t.Errorf("%d themes for %d items: one names no item", len(themes), len(Items()))
	}
}
