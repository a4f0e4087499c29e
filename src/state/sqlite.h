#pragma once
// RAII for SQLite's C handles, and the few calls the state store makes.
// Errors come back as rr::Error with SQLite's own message and the name of
// its result code ("database or disk is full (SQLITE_FULL)"); nothing here throws.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace rr::sqlite {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbClose>;

// A prepared statement bound to one connection (which must outlive it).
// bind() positions are 1-based as in SQLite.
class Stmt {
 public:
  static Result<Stmt> prepare(sqlite3* db, std::string_view sql);

  Stmt& bind(int pos, std::int64_t v);
  Stmt& bind(int pos, std::string_view v);
  Stmt& bind_blob(int pos, std::string_view v);
  Stmt& bind_null(int pos);

  // Advances: true with a row to read, false when done; an error otherwise.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Result<bool> run();
  // Ready to bind and run again (the bindings are replaced by the next bind).
  Stmt& reset();

  std::int64_t integer(int col) const;
  std::string text(int col) const;  // also reads blobs

 private:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  sqlite3* db_;  // not owned
  std::unique_ptr<sqlite3_stmt, StmtFinalize> s_;
  std::optional<Error> bind_error_;
};

// The error of the last call on `db`, prefixed with `what`.
Error error(sqlite3* db, std::string_view what);
// Runs statements that return no rows (schema, pragmas).
Result<bool> exec(sqlite3* db, std::string_view sql);

}  // namespace rr::sqlite
