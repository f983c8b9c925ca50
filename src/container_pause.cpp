// pause and resume. The freezer itself is in cgroup_ops.cpp; this file
// decides whether the container may be paused or resumed, and keeps the
// stored status in step with the freezer.
#include "ocirun/container_pause.hpp"

#include <cerrno>

#include "ocirun/container.hpp"

namespace ocirun {

Result<ContainerCgroups> cgroups_of(const ContainerState& st) {
  const std::string* dirs = find_extra(st, kCgroupDirsKey);
  if (dirs == nullptr || dirs->empty()) return fail("the container has no cgroup recorded", ENOENT);
  return container_cgroups_of(*dirs);
}

Result<> check_can_pause(Status current) {
  if (current == Status::Created || current == Status::Running) return {};
  if (current == Status::Paused) return fail("container already paused", EINVAL);
  return fail("container not running", ESRCH);
}

Result<> check_can_resume(Status current) {
  if (current == Status::Paused) return {};
  return fail("container not paused", EINVAL);
}

Status observed_status(const ContainerState& st) {
  Status status = current_status(st);
  if (status != Status::Created && status != Status::Running) return status;
  Result<ContainerCgroups> cg = cgroups_of(st);
  if (!cg) return status;
  Result<std::string> freezer = freezer_state(*cg);
  return freezer && *freezer == "paused" ? Status::Paused : status;
}

Result<> pause_container(ContainerLock& lock) {
  ContainerState st = TRY(lock.load());
  Status status = observed_status(st);
  TRY(check_can_pause(status));
  ContainerCgroups cg = TRY(cgroups_of(st));
  TRY_CTX(freeze_cgroup(cg), "freeze the container's cgroup");
  set_extra(st, kPausedFromKey, status_name(status));
  st.status = Status::Paused;
  if (Result<> r = lock.save(st); !r) {
    // A paused container that the record calls running could never be
    // resumed by name: give the processes back rather than lose them.
    (void)thaw_cgroup(cg);
    return r;
  }
  return {};
}

Result<> resume_container(ContainerLock& lock) {
  ContainerState st = TRY(lock.load());
  TRY(check_can_resume(observed_status(st)));
  ContainerCgroups cg = TRY(cgroups_of(st));
  TRY_CTX(thaw_cgroup(cg), "thaw the container's cgroup");
  // Frozen by someone else, the record kept the status it had.
  const std::string* from = find_extra(st, kPausedFromKey);
  if (st.status == Status::Paused)
    st.status = from != nullptr && *from == "created" ? Status::Created : Status::Running;
  set_extra(st, kPausedFromKey, "");
  TRY(lock.save(st));
  return {};
}

void thaw_after_kill(const ContainerState& st) {
  Result<ContainerCgroups> cg = cgroups_of(st);
  if (!cg) return;
  // Paused by us, or frozen by someone else.
  if (st.status == Status::Paused || observed_status(st) == Status::Paused) (void)thaw_cgroup(*cg);
}

}  // namespace ocirun
