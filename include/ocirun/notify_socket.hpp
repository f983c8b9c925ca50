// NOTIFY_SOCKET proxying (the contract's Environment section): sd_notify(3)
// from inside the container reaches the socket of whoever runs ocirun
// (systemd with Type=notify, Podman's --sdnotify=container).
//
// The design follows runc's, so that callers see the same behaviour:
// - create makes <state dir>/notify/, bind-mounts it read-only at
//   /run/notify in the container and sets NOTIFY_SOCKET=/run/notify/notify.sock
//   in the process's environment (the host's socket itself is never
//   mounted in: the container cannot reach it but through the proxy);
// - start (or run), when NOTIFY_SOCKET is set in its own environment, binds a
//   datagram socket at <state dir>/notify/notify.sock, which the container
//   sees through the bind mount, then forwards what arrives to the host's
//   socket. start and `run --detach` return once READY=1 has been forwarded
//   (with MAINPID= the init's host pid) or the container has exited; `run`
//   in the foreground forwards for as long as the container runs, with
//   MAINPID= its own pid, since it is the process that exits with it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "ocirun/error.hpp"
#include "ocirun/spec.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

inline constexpr const char* kNotifyDir = "notify";  // in the state dir
inline constexpr const char* kNotifyMountPoint = "/run/notify";
inline constexpr const char* kNotifyContainerSocket = "/run/notify/notify.sock";

// The host's socket from this process's NOTIFY_SOCKET, if set and not empty.
std::optional<std::string> host_notify_socket();

// The config as create runs it when proxying: the bind mount of
// `notify_dir` (the host path of <state dir>/notify) and the environment
// variable. Pure; unit-tested.
void add_notify_socket(Spec& spec, const std::string& notify_dir);

// Whether a notification (lines of KEY=VALUE) says READY=1.
bool notify_says_ready(std::string_view message);

// The message forwarded to the host: MAINPID= first when it says READY=1 and
// mainpid > 0, else as it came.
std::string notify_forwarded(std::string_view message, pid_t mainpid);

class NotifyProxy {
 public:
  // Binds <state dir>/notify/notify.sock when the container was created
  // with a notify dir and `host` is set; an empty proxy (fd() < 0)
  // otherwise.
  static Result<NotifyProxy> open(int state_dir_fd, std::optional<std::string> host);

  int fd() const { return m_sock.get(); }
  explicit operator bool() const { return m_sock.valid(); }

  // Reads one datagram from the container and forwards it to the host's
  // socket. Returns whether it said READY=1.
  Result<bool> forward_one(pid_t mainpid);

  // Forwards what is already there (the last words of a container that
  // has exited), without waiting.
  void drain(pid_t mainpid);

  // Forwards until READY=1 has gone through, or until the process behind
  // pidfd has exited (then there is nothing to wait for).
  Result<> wait_ready(int pidfd, pid_t mainpid);

 private:
  UniqueFd m_sock;
  std::string m_host;
};

}  // namespace ocirun
