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

Result<> pause_container(ContainerLock& lock) {
  ContainerState st = TRY(lock.load());
  Status status = current_status(st);
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
  TRY(check_can_resume(current_status(st)));
  ContainerCgroups cg = TRY(cgroups_of(st));
  TRY_CTX(thaw_cgroup(cg), "thaw the container's cgroup");
  const std::string* from = find_extra(st, kPausedFromKey);
  st.status = from != nullptr && *from == "created" ? Status::Created : Status::Running;
  set_extra(st, kPausedFromKey, "");
  TRY(lock.save(st));
  return {};
}

void thaw_after_kill(const ContainerState& st) {
  if (st.status != Status::Paused) return;
  if (Result<ContainerCgroups> cg = cgroups_of(st); cg) (void)thaw_cgroup(*cg);
}

}  // namespace ocirun
