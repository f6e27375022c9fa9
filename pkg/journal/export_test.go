package journal

// PostgresMigrations are the team journal's schema versions, for the
// migration test.
var PostgresMigrations = postgresMigrations
