// The features document: valid JSON, the required versions, and nothing
// this build does not implement.
#include <catch2/catch.hpp>

#include "ocirun/features.hpp"
#include "ocirun/json.hpp"
#include "ocirun/spec.hpp"
#include "ocirun_config.h"

using namespace ocirun;

TEST_CASE("features: required versions, accepted by the parser itself", "[features]") {
  auto doc = json::Document::parse(features_json());
  REQUIRE(doc);
  json::Node root = doc->root();
  std::string min(*root.find("ociVersionMin")->string());
  std::string max(*root.find("ociVersionMax")->string());
  CHECK(min == "1.0.0");
  CHECK(max == "1.3.0");
  // features.md: the runtime MUST accept both as config.json's ociVersion.
  for (const std::string& v : {min, max}) {
    auto spec = parse_spec(R"({"ociVersion": ")" + v + R"(", "root": {"path": "rootfs"}})");
    INFO(v);
    CHECK(spec);
  }
}

TEST_CASE("features: only properties of this build", "[features]") {
  auto doc = json::Document::parse(features_json());
  REQUIRE(doc);
  json::Node root = doc->root();
  // Until the lifecycle lands nothing of the container is implemented, so
  // every optional property is absent ("unknown" in features.md).
  for (std::size_t i = 0; i < root.member_count(); i++) {
    std::string_view name = root.member_name(i);
    INFO(name);
    CHECK((name == "ociVersionMin" || name == "ociVersionMax" || name == "annotations"));
  }
}

TEST_CASE("features: annotations name this build", "[features]") {
  auto doc = json::Document::parse(features_json());
  REQUIRE(doc);
  auto annotations = doc->root().require("annotations", json::Type::Object);
  REQUIRE(annotations);
  auto version = annotations->require("run.oci.ocirun.version", json::Type::String);
  REQUIRE(version);
  CHECK(*version->string() == OCIRUN_VERSION);
  auto commit = annotations->require("run.oci.ocirun.commit", json::Type::String);
  REQUIRE(commit);
  CHECK(!commit->string()->empty());
}
