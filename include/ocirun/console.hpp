// The terminal of `run` in the foreground. With process.terminal and no
// --console-socket, `run` takes the pty's master itself (create sends it
// over a socket pair instead of the caller's console socket) and proxies it
// to its own stdio, as runc does: its stdin is put in raw mode when it is a
// terminal (restored on the way out), the pty gets the caller's window size
// (again on each SIGWINCH), what is typed goes to the pty and what the
// container prints comes to stdout.
#pragma once

#include <termios.h>

#include <optional>

#include "ocirun/error.hpp"
#include "ocirun/unique_fd.hpp"

namespace ocirun {

// Receives one fd sent with SCM_RIGHTS (as sys::send_fd sends it).
Result<UniqueFd> recv_fd(int sock);

class ConsoleProxy {
 public:
  static Result<ConsoleProxy> start(UniqueFd master);
  ConsoleProxy(ConsoleProxy&& other) noexcept;
  ConsoleProxy& operator=(ConsoleProxy&&) = delete;
  ConsoleProxy(const ConsoleProxy&) = delete;
  ~ConsoleProxy();  // restores the caller's terminal

  int master_fd() const { return m_master.get(); }
  // 0, or -1 once stdin has reached its end (or failed): no longer polled.
  int input_fd() const { return m_input_open ? 0 : -1; }

  // Copies what stdin has ready to the pty.
  Result<> pump_input();
  // Copies what the pty has ready (after poll said so) to stdout; false
  // once the container's side is closed.
  Result<bool> pump_output();
  // Copies everything the pty still holds to stdout, without blocking.
  void drain();
  // The caller's window size to the pty (start and SIGWINCH).
  void resize();

 private:
  ConsoleProxy() = default;
  UniqueFd m_master;
  bool m_input_open = true;
  std::optional<termios> m_saved;  // the caller's terminal settings, when stdin is one
};

}  // namespace ocirun
