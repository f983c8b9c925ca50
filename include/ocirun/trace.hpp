// Where a command's time goes: with --debug, each step boundary of create,
// start, kill and delete logs one line, the step's duration and the time
// since the process started, in microseconds:
//
//   trace create: load config: 412 us (at 655 us)
//
// bench/run.sh collects these lines to show which phase a slow runtime
// spends its time in. Without --debug a mark costs one flag test.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ocirun::trace {

// Ends the phase named `name` (the previous mark, or the process's start,
// began it) and, with --debug, logs its line.
void phase(std::string_view name);

// The line phase() logs, from nanoseconds rounded to the nearest
// microsecond (pure, for tests).
std::string format_line(std::string_view name, std::int64_t phase_ns, std::int64_t total_ns);

}  // namespace ocirun::trace
