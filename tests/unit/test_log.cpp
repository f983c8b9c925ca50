#include <catch2/catch.hpp>

#include "ocirun/json.hpp"
#include "ocirun/log.hpp"

using namespace ocirun;

TEST_CASE("log: a JSON line is one object as containerd reads it", "[log]") {
  std::string line = log::format_line(log::Format::Json, log::Level::Error, "create: \"x\"\n", "T");
  CHECK(line == "{\"level\":\"error\",\"msg\":\"create: \\\"x\\\"\\n\",\"time\":\"T\"}\n");
  auto doc = json::Document::parse(line);
  REQUIRE(doc);
  CHECK(*doc->root().find("msg")->string() == "create: \"x\"\n");
}

TEST_CASE("log: the text format is logrus's", "[log]") {
  CHECK(log::format_line(log::Format::Text, log::Level::Warn, "a \"b\"", "T") ==
        "time=\"T\" level=warning msg=\"a \\\"b\\\"\"\n");
}

TEST_CASE("log: timestamps are RFC 3339 in UTC", "[log]") {
  std::string t = log::rfc3339_now();
  REQUIRE(t.size() == 30);
  CHECK(t[4] == '-');
  CHECK(t[10] == 'T');
  CHECK(t[19] == '.');
  CHECK(t.back() == 'Z');
}
