#include "state/sqlite.h"

#include <fmt/format.h>

namespace rr::sqlite {

namespace {

// The primary result codes an operator meets, by the name SQLite's docs use.
std::string code_name(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_LOCKED: return "SQLITE_LOCKED";
    case SQLITE_CORRUPT: return "SQLITE_CORRUPT";
    case SQLITE_NOTADB: return "SQLITE_NOTADB";
    case SQLITE_READONLY: return "SQLITE_READONLY";
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    case SQLITE_CONSTRAINT: return "SQLITE_CONSTRAINT";
    case SQLITE_PERM: return "SQLITE_PERM";
    default: return "SQLite error " + std::to_string(code);
  }
}

}  // namespace

Error error(sqlite3* db, std::string_view what) {
  return Error{std::string(what), fmt::format("{} ({})", sqlite3_errmsg(db), code_name(sqlite3_extended_errcode(db)))};
}

Result<bool> exec(sqlite3* db, std::string_view sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message);
  std::unique_ptr<char, decltype(&sqlite3_free)> owned(message, &sqlite3_free);
  if (rc != SQLITE_OK) return error(db, "state");
  return true;
}

Result<Stmt> Stmt::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    return error(db, "state");
  }
  return Stmt(db, raw);
}

Stmt& Stmt::bind(int pos, std::int64_t v) {
  if (sqlite3_bind_int64(s_.get(), pos, v) != SQLITE_OK && !bind_error_) bind_error_ = error(db_, "state");
  return *this;
}

Stmt& Stmt::bind(int pos, std::string_view v) {
  if (sqlite3_bind_text64(s_.get(), pos, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK &&
      !bind_error_)
    bind_error_ = error(db_, "state");
  return *this;
}

Stmt& Stmt::bind_blob(int pos, std::string_view v) {
  if (sqlite3_bind_blob64(s_.get(), pos, v.data(), v.size(), SQLITE_TRANSIENT) != SQLITE_OK && !bind_error_)
    bind_error_ = error(db_, "state");
  return *this;
}

Stmt& Stmt::bind_null(int pos) {
  if (sqlite3_bind_null(s_.get(), pos) != SQLITE_OK && !bind_error_) bind_error_ = error(db_, "state");
  return *this;
}

Result<bool> Stmt::step() {
  if (bind_error_) return *bind_error_;
  int rc = sqlite3_step(s_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error(db_, "state");
}

Result<bool> Stmt::run() {
  auto r = step();
  if (!r) return r;
  return true;
}

Stmt& Stmt::reset() {
  sqlite3_reset(s_.get());
  bind_error_.reset();
  return *this;
}

std::int64_t Stmt::integer(int col) const { return sqlite3_column_int64(s_.get(), col); }

std::string Stmt::text(int col) const {
  const void* data = sqlite3_column_blob(s_.get(), col);
  int size = sqlite3_column_bytes(s_.get(), col);
  return data ? std::string(static_cast<const char*>(data), static_cast<std::size_t>(size)) : std::string();
}

}  // namespace rr::sqlite
