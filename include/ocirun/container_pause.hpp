// pause and resume: the cgroup freezer applied to a whole container, and the
// status that `state` reports for it.
#pragma once

#include "ocirun/cgroup_apply.hpp"
#include "ocirun/error.hpp"
#include "ocirun/state.hpp"

namespace ocirun {

// The state's `extra` key that remembers whether a paused container was
// created or running, so that resume gives back the status it had (runc
// would make a paused created container "running" on resume, though its
// init has not been started).
inline constexpr const char* kPausedFromKey = "paused.from";

// The container's cgroup directories, from its record.
Result<ContainerCgroups> cgroups_of(const ContainerState& st);

// What pause and resume decide from the status, pure for the tests: pause
// accepts a created or running container ("container not running"
// otherwise, as runc says), resume a paused one ("container not paused").
Result<> check_can_pause(Status current);
Result<> check_can_resume(Status current);

// The status as runc reports it: a created or running container whose
// cgroup is frozen by someone else (its freezer written directly, or a
// parent cgroup frozen) is paused. Reads the freezer only then; state,
// list, pause and resume ask it, the lifecycle commands do not.
Status observed_status(const ContainerState& st);

// Freezes every process of the container and records it as paused.
Result<> pause_container(ContainerLock& lock);
// Thaws them and records the status the container had before pause.
Result<> resume_container(ContainerLock& lock);

// After SIGKILL was sent to a paused container: thaws it, since a process
// frozen by the v1 freezer does not die until it runs again (the v2 freezer
// lets fatal signals through; thawing there is harmless). The signal is
// already pending, so nothing of the container runs user code again.
void thaw_after_kill(const ContainerState& st);

}  // namespace ocirun
