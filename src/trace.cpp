#include "ocirun/trace.hpp"

#include <time.h>

#include "ocirun/log.hpp"

namespace ocirun::trace {

namespace {

std::int64_t now_ns() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The process's start, as near to exec as a static binary gets: its static
// initialisers run before main.
const std::int64_t g_start_ns = now_ns();
std::int64_t g_last_ns = g_start_ns;

std::int64_t round_us(std::int64_t ns) { return ns <= 0 ? 0 : (ns + 500) / 1000; }

}  // namespace

std::string format_line(std::string_view name, std::int64_t phase_ns, std::int64_t total_ns) {
  std::string out = "trace ";
  out += name;
  out += ": ";
  out += std::to_string(round_us(phase_ns));
  out += " us (at ";
  out += std::to_string(round_us(total_ns));
  out += " us)";
  return out;
}

void phase(std::string_view name) {
  if (!log::debug_enabled()) return;
  std::int64_t now = now_ns();
  log::debug(format_line(name, now - g_last_ns, now - g_start_ns));
  // The log write is not charged to the next phase.
  g_last_ns = now_ns();
}

}  // namespace ocirun::trace
