// The container lifecycle: create, start, kill, delete, as runtime.md and
// runc's callers require. The commands in cmd_*.cpp parse flags and call
// these; the protocol between the runtime and the container's init is drawn
// at the top of container_create.cpp.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"
#include "ocirun/state.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

struct CreateOptions {
  std::string id;
  std::string bundle;     // as given; made absolute
  std::string state_root;
  std::optional<std::string> pid_file;
  std::optional<std::string> console_socket;
  std::optional<std::string> pidfd_socket;
  unsigned preserve_fds = 0;
  bool no_pivot = false;
  bool no_new_keyring = false;
  // `run` in the foreground: with process.terminal and no console socket,
  // the pty's master comes back in Created::console (console.hpp).
  bool console_here = false;
  // `run`: this process starts the container itself, right after.
  bool start_here = false;
};

// A created container: its record, still locked by the caller, and a pidfd
// of its init (the init is this process's child).
struct Created {
  ContainerLock lock;
  ContainerState state;
  UniqueFd pidfd;
  UniqueFd console;  // the pty's master, with options.console_here
  // This process's own values of what the kernel keeps per memory, which
  // the init, sharing that memory until its exec, changed for both: the
  // dumpable flag, and the oom_score_adj with process.oomScoreAdj. Set
  // when the init shares it and options.start_here (run) will restore them.
  struct OwnMarks {
    int dumpable = 1;
    std::optional<int> oom_score_adj;
  };
  std::optional<OwnMarks> own_marks;
};

// Sets up the whole container and leaves its init waiting for start. On
// failure nothing is left: no process, mount or state dir.
Result<Created> create_container(const CreateOptions& options);

// Tells a created container's init to exec the user's program; fails with
// the init's reason when the exec fails. Saves the state as running.
// own_marks (run, which created it): restored once the init has exec'd or
// is gone, before the poststart hooks; failures are warnings.
Result<> start_container(ContainerLock& lock, ContainerState& state,
                         const std::optional<Created::OwnMarks>& own_marks = std::nullopt);

// Signals the container's init (all of its processes with `all`) through a
// pidfd, after checking that the pid still belongs to the init.
Result<> kill_container(const ContainerState& state, int sig, bool all);

// Kills the container if it still runs (force) and removes everything it
// holds. Refuses a running container without force.
Result<> delete_container(ContainerLock& lock, bool force);

// The hooks of a created container, from the copy of its config.json kept in
// its state dir (none when it had no post-create hooks). Not read at all
// when the state says it has none (kPostHooksKey).
Result<Hooks> saved_hooks(int state_dir_fd, const ContainerState& state);

// The state's `extra` key saying whether the container has poststart or
// poststop hooks: "none", or "some". Without it (a state written by an
// older ocirun) the config copy is read to find out.
inline constexpr const char* kPostHooksKey = "hooks.post";

// The state's `extra` key listing the container's cgroup directories, one
// per line.
inline constexpr const char* kCgroupDirsKey = "cgroup.dirs";
// Set when the container has the default cgroup (ocirun/<id>).
inline constexpr const char* kCgroupDefaultKey = "cgroup.default";

// Removes the cgroups a create made (the state's cleanup entries), deepest
// first; a parent still used by another container stays.
Result<> remove_cgroups(const ContainerState& state);

// Opens a pidfd of the container's init and checks, after opening it, that
// the pid was not reused: ESRCH when the init is gone.
Result<UniqueFd> open_init(const ContainerState& state);

}  // namespace ocirun
