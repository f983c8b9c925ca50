// The messages between the runtime and the container's init, over a
// SOCK_SEQPACKET socket (one message per send, so no framing is needed).
// The protocol itself is drawn at the top of src/container_create.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ocirun/error.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

enum class SyncType : std::uint32_t {
  RuntimeDone = 1,   // runtime -> init: uid/gid maps written, cgroups joined
  Ready = 2,         // init -> runtime: set up, waiting for start
  Error = 3,         // init -> runtime: {code, msg}, then the init exits
  Start = 4,         // start -> init: exec the user's program
  Hooks = 5,         // init -> runtime: mounts done, run prestart/createRuntime
  HooksDone = 6,     // runtime -> init: they succeeded, go on
  SeccompFd = 7,     // init -> runtime: the seccomp listener fd (SCM_RIGHTS)
  SeccompDone = 8,   // runtime -> init: the listener has it, go on
  MountSource = 9,   // runtime -> init: a bind mount's detached tree (SCM_RIGHTS),
                     // code = its index in mounts (rootfs.hpp), before RuntimeDone
};

struct SyncMessage {
  SyncType type = SyncType::Error;
  int code = 0;
  std::string msg;
  UniqueFd fd;  // an fd that came with the message (SCM_RIGHTS), if any
};

Result<> sync_send(int fd, SyncType type, int code = 0, std::string_view msg = {});
// A message carrying `pass` (SCM_RIGHTS), and `code`.
Result<> sync_send_fd(int fd, SyncType type, int pass, int code = 0);
// Fails with EPIPE "init exited" when the other end closed without a message.
Result<SyncMessage> sync_recv(int fd);
// Waits for `want`; an Error message from the init becomes this call's error.
Result<> sync_expect(int fd, SyncType want);

}  // namespace ocirun
