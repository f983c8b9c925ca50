// The features document: valid JSON, the required versions, and nothing
// this build does not implement.
#include <catch2/catch.hpp>

#include "ocirun/capabilities.hpp"
#include "ocirun/features.hpp"
#include "ocirun/json.hpp"
#include "ocirun/mount_options.hpp"
#include "ocirun/seccomp.hpp"
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
  // What is applied is listed; the rest is absent ("unknown" in features.md).
  for (std::size_t i = 0; i < root.member_count(); i++) {
    std::string_view name = root.member_name(i);
    INFO(name);
    CHECK((name == "ociVersionMin" || name == "ociVersionMax" || name == "hooks" || name == "mountOptions" ||
           name == "linux" || name == "annotations" || name == "potentiallyUnsafeConfigAnnotations"));
  }
  auto linux_ = root.require("linux", json::Type::Object);
  REQUIRE(linux_);
  for (std::size_t i = 0; i < linux_->member_count(); i++) {
    std::string_view name = linux_->member_name(i);
    INFO(name);
    CHECK((name == "namespaces" || name == "memoryPolicy" || name == "netDevices" || name == "capabilities" ||
           name == "seccomp" || name == "apparmor" || name == "selinux" || name == "cgroup" || name == "intelRdt" ||
           name == "mountExtensions"));
  }
}

TEST_CASE("features: capabilities and seccomp, as create accepts them", "[features]") {
  auto doc = json::Document::parse(features_json());
  REQUIRE(doc);
  auto linux_ = doc->root().require("linux", json::Type::Object);
  REQUIRE(linux_);
  auto caps = linux_->require("capabilities", json::Type::Array);
  REQUIRE(caps);
  CHECK(caps->size() == static_cast<std::size_t>(kCapLast + 1));
  for (std::size_t i = 0; i < caps->size(); i++) CHECK(capability_from_name(*caps->at(i).string()));
  auto seccomp = linux_->require("seccomp", json::Type::Object);
  REQUIRE(seccomp);
  CHECK(seccomp->require("actions", json::Type::Array)->size() == all_seccomp_actions().size());
  CHECK(seccomp->require("operators", json::Type::Array)->size() == all_seccomp_operators().size());
  CHECK(seccomp->require("knownFlags", json::Type::Array)->size() == all_seccomp_flags().size());
  // Every listed architecture is one the filter builder takes.
  auto archs = seccomp->require("archs", json::Type::Array);
  REQUIRE(archs);
  CHECK(archs->size() >= 3);
  for (std::size_t i = 0; i < archs->size(); i++) {
    std::optional<SeccompArch> a = seccomp_arch_from_name(*archs->at(i).string());
    REQUIRE(a);
    CHECK(seccomp_arch_supported(*a));
  }
}

TEST_CASE("features: cgroupfs on v1 and v2, no systemd driver", "[features]") {
  auto doc = json::Document::parse(features_json());
  REQUIRE(doc);
  auto linux_ = doc->root().require("linux", json::Type::Object);
  REQUIRE(linux_);
  auto cgroup = linux_->require("cgroup", json::Type::Object);
  REQUIRE(cgroup);
  CHECK(*cgroup->find("v1")->boolean() == true);
  CHECK(*cgroup->find("v2")->boolean() == true);
  CHECK(*cgroup->find("systemd")->boolean() == false);
}

TEST_CASE("features: every listed hook, namespace and mount option is accepted by create's parsers", "[features]") {
  auto doc = json::Document::parse(features_json());
  REQUIRE(doc);
  json::Node root = doc->root();
  auto hooks = root.require("hooks", json::Type::Array);
  REQUIRE(hooks);
  CHECK(hooks->size() == 6);
  auto namespaces = root.require("linux", json::Type::Object)->require("namespaces", json::Type::Array);
  REQUIRE(namespaces);
  CHECK(namespaces->size() == 8);
  for (std::size_t i = 0; i < namespaces->size(); i++) {
    std::string type(*namespaces->at(i).string());
    auto spec = parse_spec(R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "linux": {"namespaces": [{"type": ")" +
                           type + R"("}]}})");
    INFO(type);
    CHECK(spec);
  }
  // Every memory policy mode and flag listed is one the parser takes.
  auto policy = root.require("linux", json::Type::Object)->require("memoryPolicy", json::Type::Object);
  REQUIRE(policy);
  auto modes = policy->require("modes", json::Type::Array);
  auto flags = policy->require("flags", json::Type::Array);
  REQUIRE(modes);
  REQUIRE(flags);
  CHECK(modes->size() == 7);
  CHECK(flags->size() == 3);
  for (std::size_t i = 0; i < modes->size(); i++) {
    std::string mode(*modes->at(i).string());
    bool nodes = mode != "MPOL_DEFAULT" && mode != "MPOL_LOCAL";
    for (std::size_t j = 0; j < flags->size(); j++) {
      std::string flag(*flags->at(j).string());
      auto spec = parse_spec(R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "linux": {"memoryPolicy": {"mode": ")" +
                             mode + R"(")" + (nodes ? R"(, "nodes": "0")" : "") + R"(, "flags": [")" + flag + R"("]}}})");
      INFO(mode << " " << flag);
      CHECK(spec);
    }
  }
  auto options = root.require("mountOptions", json::Type::Array);
  REQUIRE(options);
  for (std::size_t i = 0; i < options->size(); i++) {
    std::string opt(*options->at(i).string());
    auto parsed = parse_mount_options({opt});
    INFO(opt);
    CHECK(parsed);
    CHECK(parsed->data.empty());  // recognized: not passed through as filesystem data
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
