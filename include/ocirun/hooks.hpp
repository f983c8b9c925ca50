// Running the config's hooks: each with the container's state JSON on its
// standard input, its own args and env, and its timeout (config.md "POSIX-
// platform Hooks"). Which hooks run where and when is decided by the
// lifecycle; this module only runs them.
#pragma once

#include <string_view>
#include <vector>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"

namespace ocirun {

// Runs one hook and waits for it. Fails when it cannot be started, exits
// non-zero, is killed, or outlives its timeout (then it is killed); the
// error carries what the hook wrote, as runc's does, so that the caller's
// log shows why.
Result<> run_hook(const Hook& hook, std::string_view state_json);

// Runs the hooks of one kind in order, stopping at the first failure;
// errors read `createRuntime hook 0 (/usr/bin/x): exit status 1: <output>`.
Result<> run_hooks(const std::vector<Hook>& hooks, std::string_view kind, std::string_view state_json);

}  // namespace ocirun
