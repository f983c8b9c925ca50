#include "ocirun/spec.hpp"

#include "ocirun/json.hpp"

namespace ocirun {

// STUB: filled in by the config.json model work.
Result<Spec> parse_spec(std::string_view text) {
  json::Document doc = TRY(json::Document::parse(text));
  json::Node root = doc.root();
  TRY(root.expect(json::Type::Object));
  Spec spec;
  json::Node v = TRY(root.require("ociVersion", json::Type::String));
  spec.oci_version = std::string(TRY(v.string()));
  return spec;
}

Result<Spec> load_spec(const std::string& bundle_dir) {
  json::Document doc = TRY(json::parse_file(bundle_dir + "/config.json", "config.json"));
  (void)doc;
  return fail("load_spec: not implemented");
}

}  // namespace ocirun
