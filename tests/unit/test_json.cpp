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

// ---- Fields: schema objects ----

namespace {

constexpr std::string_view kLimitKeys[] = {"limit", "kernel", "swappiness", "useHierarchy", "name"};

// Whether Fields::read takes a braced list of keys (it must not: Fields keeps
// the table by reference, and the list would be gone). A template, so that a
// failed requirement reads as false rather than as a compile error.
template <typename N>
constexpr bool reads_a_braced_list = requires(const N& n) { json::Fields::read(n, {std::string_view("a")}); };
template <typename N>
constexpr bool reads_a_table = requires(const N& n) { json::Fields::read(n, kLimitKeys); };
static_assert(!reads_a_braced_list<json::Node>);
static_assert(reads_a_table<json::Node>);

}  // namespace

TEST_CASE("json: key_matches as Go's encoding/json matches struct fields", "[json][fields]") {
  CHECK(json::key_matches("limit", "limit"));
  CHECK(json::key_matches("Limit", "limit"));
  CHECK(json::key_matches("LIMIT", "limit"));
  CHECK(json::key_matches("usehierarchy", "useHierarchy"));
  // U+212A KELVIN SIGN folds to k, U+017F LONG S to s; nothing else does.
  CHECK(json::key_matches("\xe2\x84\xaa" "ernel", "kernel"));
  CHECK(json::key_matches("\xc5\xbf" "wappiness", "swappiness"));
  CHECK_FALSE(json::key_matches("\xc3\xaf" "mit", "limit"));  // U+00EF, not i
  CHECK_FALSE(json::key_matches("\xe2\x84\xaa" "ernel", "limit"));
  // Near misses.
  CHECK_FALSE(json::key_matches("limits", "limit"));
  CHECK_FALSE(json::key_matches("limi", "limit"));
  CHECK_FALSE(json::key_matches("", "limit"));
  CHECK_FALSE(json::key_matches("lim_it", "limit"));
}

TEST_CASE("json: Fields reads known keys, exact or case-folded", "[json][fields]") {
  auto doc = Document::parse(R"({"mem": {"Limit": 5, "KERNEL": -1, "useHierarchy": true,
                                         "name": "x", "other": [1], "other": {}}})");
  REQUIRE(doc);
  json::Node mem = *doc->root().find("mem");
  auto f = json::Fields::read(mem, kLimitKeys);
  REQUIRE(f);
  CHECK(*f->integer<std::uint64_t>("limit") == 5u);
  CHECK(*f->integer<std::int64_t>("kernel") == -1);
  CHECK(*f->boolean("useHierarchy"));
  CHECK(**f->string("name") == "x");
  // Errors show the key as the document spells it, below the object's path,
  // or as the schema does when it is absent.
  CHECK(f->integer<std::uint64_t>("kernel").error().msg == "mem.KERNEL: expected a non-negative integer");
  CHECK(f->get("name", Type::Number).error().msg == "mem.name: expected number, got string");
  CHECK(f->require("swappiness", Type::Number).error().msg == "mem.swappiness: required field is missing");
  CHECK(f->member_error("limit", "too big").msg == "mem.Limit: too big");
  CHECK(f->member_error("swappiness", "too big").msg == "mem.swappiness: too big");
  CHECK(f->node().path() == "mem");
  // The KELVIN SIGN spelling is found too.
  auto kelvin = Document::parse("{\"\xe2\x84\xaa" "ernel\": 7}");
  REQUIRE(kelvin);
  auto fk = json::Fields::read(kelvin->root(), kLimitKeys);
  REQUIRE(fk);
  CHECK(*fk->integer<std::int64_t>("kernel") == 7);
}

TEST_CASE("json: Fields ignores unknown keys and reads null as absent", "[json][fields]") {
  auto doc = Document::parse(R"({"limit": null, "swappiness": null, "unknown": 1, "unknown": 2, "limits": 3})");
  REQUIRE(doc);
  auto f = json::Fields::read(doc->root(), kLimitKeys);
  REQUIRE(f);
  CHECK_FALSE(f->find("limit"));
  CHECK_FALSE(*f->get("limit", Type::String));
  CHECK_FALSE(*f->integer<std::int64_t>("swappiness"));
  CHECK(*f->boolean("useHierarchy", true));  // absent: the fallback
  CHECK(*f->string_or_empty("name") == "");
  CHECK(f->require_string("name").error().msg == "name: required field is missing");
  CHECK(f->require_integer<std::int64_t>("limit").error().msg == "limit: required field is missing");
}

TEST_CASE("json: Fields refuses a known key given twice, in one spelling or two", "[json][fields]") {
  auto fields_error = [](const std::string& text) {
    auto doc = Document::parse(text);
    REQUIRE(doc);
    auto f = json::Fields::read(*doc->root().find("linux")->find("resources")->find("memory"), kLimitKeys);
    REQUIRE_FALSE(f);
    CHECK(f.error().code == EINVAL);
    return f.error().msg;
  };
  CHECK(fields_error(R"({"linux": {"resources": {"memory": {"limit": 1, "limit": 2}}}})") ==
        "linux.resources.memory.limit: duplicate key");
  CHECK(fields_error(R"({"linux": {"resources": {"memory": {"Limit": 1, "Limit": 2}}}})") ==
        "linux.resources.memory.Limit: duplicate key");
  CHECK(fields_error(R"({"linux": {"resources": {"memory": {"limit": 1, "LIMIT": 2}}}})") ==
        "linux.resources.memory.limit: duplicate key (given as \"limit\" and \"LIMIT\")");
  CHECK(fields_error("{\"linux\": {\"resources\": {\"memory\": {\"Kernel\": 1, \"\xe2\x84\xaa" "ernel\": 2}}}}") ==
        "linux.resources.memory.kernel: duplicate key (given as \"Kernel\" and \"\xe2\x84\xaa" "ernel\")");
  // Even when the first copy is null: which one counts would still be a guess.
  CHECK(fields_error(R"({"linux": {"resources": {"memory": {"name": null, "name": "x"}}}})") ==
        "linux.resources.memory.name: duplicate key");
  // Not an object at all.
  CHECK(fields_error(R"({"linux": {"resources": {"memory": [1]}}})") ==
        "linux.resources.memory: expected object, got array");
}

TEST_CASE("json: quoted escapes input and cuts it short", "[json][fields]") {
  CHECK(json::quoted("a\"b\\c") == R"("a\"b\\c")");
  CHECK(json::quoted("x\ny\x01\x7f") == R"("x\ny\u0001\u007f")");
  CHECK(json::quoted("\xc2\x9b") == R"("\u009b")");  // a C1 control (CSI)
  CHECK(json::quoted("\xff") == R"("\xff")");
  CHECK(json::quoted("\xc3\xa9") == "\"\xc3\xa9\"");
  std::string s = json::quoted(std::string(1 << 20, 'a'));
  CHECK(s.size() < 100);
  CHECK(s.find("(1048576 bytes)") != std::string::npos);
}
