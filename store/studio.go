package store

import (
	"context"
	"fmt"
	"time"
)

// DefinitionTest is a test case of a definition: a dry-run script and the state it must end in.
type DefinitionTest struct {
	Key       string    `db:"definition_key" json:"-"`
	Name      string    `db:"name" json:"name"`
	Script    JSON      `db:"script" json:"script" swaggertype:"object"`
	Expect    string    `db:"expect" json:"expect"`
	Seq       int       `db:"seq" json:"-"`
	UpdatedBy string    `db:"updated_by" json:"updatedBy"`
	UpdatedAt time.Time `db:"updated_at" json:"updatedAt"`
}

// DefinitionTests lists the test cases of key in the order they were given.
func DefinitionTests(ctx context.Context, q Q, key string) ([]DefinitionTest, error) {
	out := []DefinitionTest{}
	err := q.SelectContext(ctx, &out, q.Rebind(`SELECT definition_key, name, script, expect, seq, updated_by, updated_at
		FROM definition_tests WHERE definition_key = ? ORDER BY seq`), key)
	if err != nil {
		return nil, fmt.Errorf("test cases of %s: %w", key, err)
	}
	return out, nil
}

// ReplaceDefinitionTests makes tests the test cases of key.
func ReplaceDefinitionTests(ctx context.Context, q Q, key string, tests []DefinitionTest, by string, at time.Time) error {
	if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM definition_tests WHERE definition_key = ?`), key); err != nil {
		return fmt.Errorf("replace test cases of %s: %w", key, err)
	}
	for i, t := range tests {
		if _, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO definition_tests (definition_key, name, script, expect, seq, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), key, t.Name, string(t.Script), t.Expect, i, by, Time(at)); err != nil {
			return classify(err, "test case %q of %s", t.Name, key)
		}
	}
	return nil
}
