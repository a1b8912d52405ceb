// dladdr is a GNU extension; it must be requested before any system header.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
// The header comes from the DuckDB sdist pinned by scripts/bootstrap-duckdb.sh.
#include "../../.deps/duckdb/include/duckdb.h"

/// The path of the shared object that provides DuckDB's C API, or NULL.
static inline const char *memoryd_duckdb_library_file(void) {
    Dl_info info;
    if (dladdr((void *)&duckdb_library_version, &info) != 0) return info.dli_fname;
    return 0;
}
