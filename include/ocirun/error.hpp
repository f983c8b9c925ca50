// Errors are values that keep errno: every fallible function returns
// Result<T>, and context is prefixed on the way up, so that the user reads
// `create: mounts[3] /proc/sys: mount: Operation not permitted` while a test
// can still check `error().code == EPERM`.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace ocirun {

struct Error {
  int code = 0;     // errno, or 0 when the error did not come from a syscall
  std::string msg;  // lowercase, operation first, context prefixed by callers
};

template <typename T = void>
using Result = tl::expected<T, Error>;

// An error that did not come from a syscall (bad input, wrong state).
inline tl::unexpected<Error> fail(std::string msg, int code = EINVAL) {
  return tl::unexpected<Error>(Error{code, std::move(msg)});
}

// An error from the syscall that just failed: keeps errno and appends its text.
tl::unexpected<Error> fail_errno(std::string_view what, int code = errno);

// Prefixes `ctx: ` to the message, keeping the code.
inline Error with_context(Error e, std::string_view ctx) {
  e.msg.insert(0, ": ");
  e.msg.insert(0, ctx);
  return e;
}

namespace detail {
// The value of a checked Result, for TRY: moved out, or nothing for void.
template <typename T>
T&& take_value(tl::expected<T, Error>& r) {
  return std::move(*r);
}
inline void take_value(tl::expected<void, Error>&) {}
}  // namespace detail

}  // namespace ocirun

// TRY(expr): evaluates a Result; on error returns it from the enclosing
// function, otherwise yields the value (GNU statement expression, as g++ has).
#define TRY(expr)                                                \
  ({                                                             \
    auto&& ocirun_try_r_ = (expr);                               \
    if (!ocirun_try_r_)                                          \
      return tl::unexpected<::ocirun::Error>(                    \
          std::move(ocirun_try_r_.error()));                     \
    ::ocirun::detail::take_value(ocirun_try_r_);                 \
  })

// TRY_CTX(expr, ctx): as TRY, with `ctx: ` prefixed to the error's message.
#define TRY_CTX(expr, ctx)                                       \
  ({                                                             \
    auto&& ocirun_try_r_ = (expr);                               \
    if (!ocirun_try_r_)                                          \
      return tl::unexpected<::ocirun::Error>(::ocirun::with_context( \
          std::move(ocirun_try_r_.error()), (ctx)));             \
    ::ocirun::detail::take_value(ocirun_try_r_);                 \
  })
