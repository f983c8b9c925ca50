// A move-only owner of a file descriptor, like AOSP's unique_fd.
#pragma once

#include <unistd.h>

namespace ocirun {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~UniqueFd() { reset(); }

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  explicit operator bool() const { return valid(); }

  [[nodiscard]] int release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
  }

  // Closes the held fd. close() is never retried on EINTR: on Linux the fd is
  // released even then, and a retry could close a descriptor another thread
  // has just been given.
  void reset(int fd = -1) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }

 private:
  int m_fd = -1;
};

}  // namespace ocirun
