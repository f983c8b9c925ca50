// One function per subcommand, each in src/cmd_<name>.cpp. Each returns the
// process's exit status, or an error that main logs (the caller sees exit 1).
#pragma once

#include "ocirun/cli.hpp"
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "ocirun/error.hpp"

namespace ocirun {

Result<int> cmd_spec(const cli::Invocation& inv);
Result<int> cmd_features(const cli::Invocation& inv);
Result<int> cmd_validate(const cli::Invocation& inv);
Result<int> cmd_state(const cli::Invocation& inv);
Result<int> cmd_list(const cli::Invocation& inv);
Result<int> cmd_create(const cli::Invocation& inv);
Result<int> cmd_start(const cli::Invocation& inv);
Result<int> cmd_kill(const cli::Invocation& inv);
Result<int> cmd_delete(const cli::Invocation& inv);
Result<int> cmd_run(const cli::Invocation& inv);
Result<int> cmd_exec(const cli::Invocation& inv);
Result<int> cmd_ps(const cli::Invocation& inv);
Result<int> cmd_pause(const cli::Invocation& inv);
Result<int> cmd_resume(const cli::Invocation& inv);
Result<int> cmd_update(const cli::Invocation& inv);
Result<int> cmd_events(const cli::Invocation& inv);

// ps's table: ps(1)'s header and the lines whose PID is one of `pids`.
Result<std::string> filter_ps_output(std::string_view out, const std::vector<pid_t>& pids);

// The state dir: --root, or the default for this user.
Result<std::string> state_root(const cli::Invocation& inv);

}  // namespace ocirun
