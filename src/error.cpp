#include "ocirun/error.hpp"

#include <cstring>

namespace ocirun {

tl::unexpected<Error> fail_errno(std::string_view what, int code) {
  std::string msg(what);
  msg += ": ";
  // Lowercase, as Go's syscall errors are: callers match substrings such as
  // "no such file or directory" and "operation not permitted".
  std::string text = std::strerror(code);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  msg += text;
  return tl::unexpected<Error>(Error{code, std::move(msg)});
}

}  // namespace ocirun
