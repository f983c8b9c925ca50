#include "ocirun/features.hpp"

#include "ocirun/json.hpp"
#include "ocirun/version.hpp"
#include "ocirun_commit.h"
#include "ocirun_config.h"

namespace ocirun {

std::string features_json() {
  json::Writer w(4);
  w.begin_object();
  w.key("ociVersionMin").value(kOciVersionMin);
  w.key("ociVersionMax").value(kOciVersionMax);
  // Annotation keys follow crun's run.oci.<runtime>.* convention.
  w.key("annotations").begin_object();
  w.key("run.oci.ocirun.commit").value(OCIRUN_COMMIT);
  w.key("run.oci.ocirun.version").value(OCIRUN_VERSION);
  w.end_object();
  w.end_object();
  std::string out = w.take();
  out += '\n';
  return out;
}

}  // namespace ocirun
