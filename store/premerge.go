package store

// Temporary: helpers the catalogue branch defines too; removed when it is merged.

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
