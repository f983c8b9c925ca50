#include "ocirun/version.hpp"

#include <rapidjson/rapidjson.h>
#include <fmt/core.h>
#include <seccomp.h>

#include "ocirun_commit.h"
#include "ocirun_config.h"

namespace ocirun {

std::string version_text(std::string_view name) {
  const scmp_version* sv = seccomp_version();
  std::string out;
  out += name;
  out += " version " OCIRUN_VERSION "\n";
  out += "commit: " OCIRUN_COMMIT "\n";
  out += "spec: " OCIRUN_SPEC_VERSION "\n";
  out += "libseccomp: " + std::to_string(sv->major) + "." + std::to_string(sv->minor) + "." +
         std::to_string(sv->micro) + "\n";
  out += "libcap-ng: " OCIRUN_LIBCAPNG_VERSION "\n";
  out += "rapidjson: " RAPIDJSON_VERSION_STRING "\n";
  out += "fmt: " + std::to_string(FMT_VERSION / 10000) + "." + std::to_string(FMT_VERSION / 100 % 100) +
         "." + std::to_string(FMT_VERSION % 100) + "\n";
  return out;
}

}  // namespace ocirun
