#include "ocirun/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "ocirun/fs.hpp"
#include "ocirun/json.hpp"

namespace ocirun::log {

namespace {

int g_fd = -1;  // the log file, or -1 for standard error only
Format g_format = Format::Text;
bool g_debug = false;

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warning";
    case Level::Error: return "error";
  }
  return "info";
}

}  // namespace

Result<> init(const std::string* path, Format format, bool debug) {
  g_format = format;
  g_debug = debug;
  if (path == nullptr || path->empty()) return {};
  int fd = ::open(path->c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return fail_errno("open log file `" + *path + "`");
  g_fd = fd;
  return {};
}

bool debug_enabled() { return g_debug; }

std::string rfc3339_now() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm {};
  ::gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
  return buf;
}

std::string format_line(Format format, Level level, std::string_view msg, std::string_view time) {
  std::string out;
  if (format == Format::Json) {
    json::Writer w;
    w.begin_object().key("level").value(level_name(level)).key("msg").value(msg).key("time").value(time).end_object();
    out = w.take();
  } else {
    // logrus's text format, which runc writes: time="..." level=error msg="..."
    out = "time=";
    json::append_quoted(out, time);
    out += " level=";
    out += level_name(level);
    out += " msg=";
    json::append_quoted(out, msg);
  }
  out += '\n';
  return out;
}

void write(Level level, std::string_view msg) {
  if (level == Level::Debug && !g_debug) return;
  if (g_fd >= 0) {
    (void)fs::write_all(g_fd, format_line(g_format, level, msg, rfc3339_now()));
  } else if (g_format == Format::Json) {
    // No file but JSON asked for: the caller parses standard error.
    (void)fs::write_all(STDERR_FILENO, format_line(g_format, level, msg, rfc3339_now()));
    return;
  }
  // Errors always reach standard error too, as plain text for a person;
  // other levels only when there is no log file.
  if (g_fd < 0 || level == Level::Error) {
    std::string line = "ocirun: ";
    if (level == Level::Warn) line += "warning: ";
    if (level == Level::Debug) line += "debug: ";
    line += msg;
    line += '\n';
    (void)fs::write_all(STDERR_FILENO, line);
  }
}

}  // namespace ocirun::log
