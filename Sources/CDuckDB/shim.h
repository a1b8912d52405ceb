// The header comes from the DuckDB sdist pinned by scripts/bootstrap-duckdb.sh.
#include "../../.deps/duckdb/include/duckdb.h"
