// Signal names and numbers, as `kill` accepts them: KILL, SIGKILL, 9,
// RTMIN+3, SIGRTMAX-1.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ocirun/error.hpp"

namespace ocirun {

// A signal given by name (with or without SIG, any case) or number.
Result<int> parse_signal(std::string_view text);

// "SIGKILL" for 9; "SIGRTMIN+3" for real-time signals; "" if not a signal.
std::string signal_name(int sig);

}  // namespace ocirun
