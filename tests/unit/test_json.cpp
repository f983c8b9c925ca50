// The JSON module: checked access, paths in errors, hostile text, the writer.
#include <catch2/catch.hpp>

#include <string>

#include "ocirun/json.hpp"

using namespace ocirun;
using json::Document;
using json::Type;

TEST_CASE("json: errors name the path of the value", "[json]") {
  auto doc = Document::parse(R"({"linux": {"namespaces": [{"type": "pid"}, {"type": 7}]}})");
  REQUIRE(doc);
  json::Node root = doc->root();
  auto linux_ = root.require("linux", Type::Object);
  REQUIRE(linux_);
  auto ns = linux_->require("namespaces", Type::Array);
  REQUIRE(ns);
  REQUIRE(ns->size() == 2);
  auto t0 = ns->at(0).require("type", Type::String);
  REQUIRE(t0);
  CHECK(*t0->string() == "pid");
  auto t1 = ns->at(1).require("type", Type::String);
  REQUIRE(!t1);
  CHECK(t1.error().msg == "linux.namespaces[1].type: expected string, got number");
  CHECK(t1.error().code == EINVAL);
}

TEST_CASE("json: a node outlives the temporaries it came from", "[json]") {
  auto doc = Document::parse(R"({"a": {"b": {"c": true}}})");
  REQUIRE(doc);
  // Each intermediate node is a temporary; the path must still be right.
  json::Node c = *doc->root().find("a")->find("b")->find("c");
  CHECK(c.path() == "a.b.c");
  CHECK(c.int64().error().msg == "a.b.c: expected integer, got boolean");
}

TEST_CASE("json: get and require", "[json]") {
  auto doc = Document::parse(R"({"s": "x", "n": null})");
  REQUIRE(doc);
  json::Node root = doc->root();
  CHECK(!*root.get("absent", Type::String));
  CHECK(!*root.get("n", Type::String));  // null counts as absent
  CHECK((*root.get("s", Type::String))->path() == "s");
  CHECK(root.get("s", Type::Array).error().msg == "s: expected array, got string");
  CHECK(root.require("absent", Type::String).error().msg == "absent: required field is missing");
}

TEST_CASE("json: integers are checked for range and sign", "[json]") {
  auto doc = Document::parse(
      R"({"neg": -1, "big": 18446744073709551615, "huge": 1e300, "frac": 1.5, "e": 1e3, "i32": 4294967296})");
  REQUIRE(doc);
  json::Node r = doc->root();
  CHECK(r.find("neg")->uint64().error().msg == "neg: expected a non-negative integer");
  CHECK(*r.find("neg")->int64() == -1);
  CHECK(*r.find("big")->uint64() == 18446744073709551615ull);
  CHECK(r.find("big")->int64().error().msg == "big: integer out of range");
  CHECK(r.find("huge")->int64().error().msg == "huge: integer out of range");
  CHECK(r.find("huge")->uint64().error().msg == "huge: integer out of range");
  CHECK(r.find("frac")->int64().error().msg == "frac: expected integer, got a fraction");
  CHECK(*r.find("e")->int64() == 1000);
  CHECK(r.find("i32")->uint32().error().msg == "i32: integer out of range for 32 bits");
  CHECK(r.find("i32")->int32().error().msg == "i32: integer out of range for 32 bits");
}

TEST_CASE("json: NUL bytes are refused by string() and kept by raw_string()", "[json]") {
  auto doc = Document::parse(R"({"s": "a\u0000b"})");
  REQUIRE(doc);
  json::Node s = *doc->root().find("s");
  CHECK(s.string().error().msg == "s: string contains a NUL byte");
  CHECK(s.raw_string()->size() == 3);
}

TEST_CASE("json: malformed text gives line and column", "[json]") {
  auto doc = Document::parse("{\n  \"a\": 1,\n  \"b\": }\n");
  REQUIRE(!doc);
  CHECK(doc.error().msg.rfind("invalid JSON at line 3 column 8: ", 0) == 0);

  auto truncated = Document::parse(R"({"ociVersion": "1.0.)");
  REQUIRE(!truncated);
  CHECK(truncated.error().msg.find("line 1") != std::string::npos);

  CHECK(!Document::parse(""));
  CHECK(!Document::parse("{} {}"));
}

TEST_CASE("json: invalid UTF-8 is refused", "[json]") {
  std::string text = "{\"s\": \"\xff\xfe\"}";
  auto doc = Document::parse(text);
  REQUIRE(!doc);
  CHECK(doc.error().msg.find("encoding") != std::string::npos);
}

TEST_CASE("json: deep nesting does not recurse", "[json]") {
  // Two million levels would overflow any recursive parser's stack.
  std::string deep = std::string(2000000, '[') + std::string(2000000, ']');
  auto doc = Document::parse(deep);
  REQUIRE(doc);
  // The path of a node deeper than the inline segments is marked as cut.
  json::Node n = doc->root();
  for (int i = 0; i < 20; i++) n = n.at(0);
  CHECK(n.path() == "[0][0][0][0][0][0][0][0][0][0][0][0]...");
}

TEST_CASE("json: members in document order", "[json]") {
  auto doc = Document::parse(R"({"b": 1, "a": 2})");
  REQUIRE(doc);
  json::Node r = doc->root();
  REQUIRE(r.member_count() == 2);
  CHECK(r.member_name(0) == "b");
  CHECK(r.member_name(1) == "a");
  CHECK(r.member_value(1).path() == "a");
  CHECK(*r.member_value(1).int64() == 2);
}

TEST_CASE("json: parse_file names the file", "[json]") {
  auto doc = json::parse_file("/nonexistent/config.json", "config.json");
  REQUIRE(!doc);
  CHECK(doc.error().msg == "config.json: open: no such file or directory");
  CHECK(doc.error().code == ENOENT);
}

TEST_CASE("json: the writer escapes and round-trips", "[json]") {
  json::Writer w;
  w.begin_object()
      .key("s").value(std::string_view("q\"\\\n\t\x01", 6))
      .key("n").value(-5)
      .key("u").value(18446744073709551615ull)
      .key("b").value(true)
      .key("z").null()
      .key("a").begin_array().value(1).value("x").begin_object().end_object().end_array()
      .end_object();
  CHECK(w.str() ==
        R"({"s":"q\"\\\n\t\u0001","n":-5,"u":18446744073709551615,"b":true,"z":null,"a":[1,"x",{}]})");
  auto doc = Document::parse(w.str());
  REQUIRE(doc);
  CHECK(*doc->root().find("s")->string() == "q\"\\\n\t\x01");
}

TEST_CASE("json: the pretty writer indents", "[json]") {
  json::Writer w(2);
  w.begin_object().key("a").begin_array().value(1).value(2).end_array().key("e").begin_array().end_array().end_object();
  CHECK(w.str() == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"e\": []\n}");
}
