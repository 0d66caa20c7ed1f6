// Package auditlogfuzz holds the fuzz targets of auditlog. They live apart
// from auditlog's own tests, which link the local store (SQLite): go test
// -fuzz instruments every package in the test binary, and the coverage
// counters of a binary that size made each run of a target cost tens of
// milliseconds.
package auditlogfuzz
