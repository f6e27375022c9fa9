package journal

// PostgresMigrations are the team journal's schema versions, for the
// migration test.
var PostgresMigrations = postgresMigrations

// PipelineReorders is how many PostgreSQL groups were written one by one
// because a follow-up reached a row out of the group's order.
func PipelineReorders() int64 { return reorders.Load() }
