// Logging as runc's callers read it. With `--log FILE --log-format json`
// every line is one JSON object {"level":"error","msg":"...","time":"..."}:
// containerd reports the last error line to its user and Podman reads the
// file, so a failing command writes exactly one error line carrying the whole
// context chain. Errors also go to standard error.
#pragma once

#include <string>
#include <string_view>

#include "ocirun/error.hpp"

namespace ocirun::log {

enum class Level { Debug, Info, Warn, Error };
enum class Format { Text, Json };

// Opens the log file (appending, created 0644 as runc does); without a path
// messages go to standard error only. Debug lines are written only when
// `debug` is set.
Result<> init(const std::string* path, Format format, bool debug);
bool debug_enabled();

void write(Level level, std::string_view msg);
inline void debug(std::string_view msg) {
  if (debug_enabled()) write(Level::Debug, msg);
}
inline void info(std::string_view msg) { write(Level::Info, msg); }
inline void warn(std::string_view msg) { write(Level::Warn, msg); }
inline void error(std::string_view msg) { write(Level::Error, msg); }

// One log line in the given format, ending with '\n' (pure, for tests).
// `time` is an RFC 3339 timestamp.
std::string format_line(Format format, Level level, std::string_view msg, std::string_view time);

// The current time as RFC 3339 in UTC with nanoseconds: 2026-11-28T07:00:00.123456789Z.
std::string rfc3339_now();

}  // namespace ocirun::log
