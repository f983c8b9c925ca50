// The one module that touches RapidJSON. Readers see JSON through Node, which
// checks every type before it reads a value (RapidJSON's getters are undefined
// behaviour on a value of the wrong type under NDEBUG) and carries the JSON
// path that led to it, so every error can name it:
//   linux.namespaces[2].type: expected string, got number
// Writers build JSON text with Writer, which escapes what it is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ocirun/error.hpp"

namespace ocirun::json {

enum class Type { Null, Bool, Number, String, Array, Object };

const char* type_name(Type t);

// A value in a parsed Document and the path to it. Nodes are small and cheap
// to copy; they stay valid as long as their Document lives.
class Node {
 public:
  Type type() const;
  bool is_null() const { return type() == Type::Null; }
  bool is_object() const { return type() == Type::Object; }
  bool is_array() const { return type() == Type::Array; }
  bool is_string() const { return type() == Type::String; }

  // The path from the document root, "linux.namespaces[2].type"; "" at the root.
  std::string path() const;
  // An EINVAL error "<path>: <reason>" (just "<reason>" at the root).
  Error error(std::string_view reason) const;
  // Same, ready to return from a function returning Result.
  tl::unexpected<Error> fail(std::string_view reason) const {
    return tl::unexpected<Error>(error(reason));
  }

  // Type checks that fail with "<path>: expected object, got string".
  Result<> expect(Type t) const;

  // Objects. find() returns nullopt when the key is absent or this node is
  // not an object (call expect(Type::Object) first to report the latter).
  std::optional<Node> find(std::string_view key) const;
  std::size_t member_count() const;  // 0 unless an object
  // The i-th member (0 <= i < member_count()) of an object, in document order.
  std::string_view member_name(std::size_t i) const;
  Node member_value(std::size_t i) const;

  // Typed member access for schema code, on a node already known to be an
  // object: get() gives nullopt when the key is absent and an error naming
  // "<path>.<key>" when it has another type (a JSON null counts as absent,
  // as Go's encoding/json treats it); require() also fails when it is absent.
  Result<std::optional<Node>> get(std::string_view key, Type t) const;
  Result<Node> require(std::string_view key, Type t) const;
  // "<path>.<key>: <reason>", for a member that is absent or not yet a Node.
  Error member_error(std::string_view key, std::string_view reason) const;

  // Arrays: size() is 0 unless an array; at(i) requires i < size().
  std::size_t size() const;
  Node at(std::size_t i) const;

  // Checked scalars. string() rejects embedded NUL bytes, since nearly every
  // string of a config ends up in a C API; raw_string() keeps them.
  Result<std::string_view> string() const;
  Result<std::string_view> raw_string() const;
  Result<bool> boolean() const;
  Result<std::int64_t> int64() const;
  Result<std::uint64_t> uint64() const;
  Result<std::int32_t> int32() const;
  Result<std::uint32_t> uint32() const;
  Result<double> number() const;

  // Path segments are stored inline (not as pointers to parents), so a Node
  // never dangles when its parent was a temporary.
  static constexpr int kMaxDepth = 12;

 private:
  friend class Document;
  struct Segment {
    const char* key = nullptr;  // member name, or nullptr for an array index
    std::uint32_t key_len = 0;
    std::uint32_t index = 0;
  };
  const void* m_value = nullptr;  // const rapidjson::Value*
  Segment m_segments[kMaxDepth];
  std::uint8_t m_depth = 0;     // segments in use
  bool m_truncated = false;     // deeper than kMaxDepth: path shows "..."

  Node child(const void* value, Segment seg) const;
};

class Document {
 public:
  Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  // Parses text (validating UTF-8, without recursion, so hostile nesting
  // cannot exhaust the stack). Errors read "line L column C: reason".
  static Result<Document> parse(std::string_view text);

  Node root() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Reads and parses a whole file; errors are prefixed with `display_name: `.
Result<Document> parse_file(const std::string& path, std::string_view display_name);

// Builds JSON text. Calls must nest correctly; keys go before values in
// objects. Strings are written as given (bytes are not re-validated), with
// the characters JSON requires escaped.
class Writer {
 public:
  // indent > 0 pretty-prints with that many spaces per level.
  explicit Writer(int indent = 0) : m_indent(indent) {}

  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view k);
  Writer& value(std::string_view s);
  Writer& value(const char* s) { return value(std::string_view(s)); }
  Writer& value(const std::string& s) { return value(std::string_view(s)); }
  Writer& value(bool b);
  Writer& value(std::int64_t n);
  Writer& value(std::uint64_t n);
  Writer& value(int n) { return value(static_cast<std::int64_t>(n)); }
  Writer& value(unsigned n) { return value(static_cast<std::uint64_t>(n)); }
  Writer& value(long long n) { return value(static_cast<std::int64_t>(n)); }
  Writer& value(unsigned long long n) { return value(static_cast<std::uint64_t>(n)); }
  Writer& value(double d);
  Writer& null();
  // Inserts already-serialized JSON as a value.
  Writer& raw(std::string_view json_text);

  const std::string& str() const { return m_out; }
  std::string take() { return std::move(m_out); }

 private:
  void before_value();
  void newline();
  std::string m_out;
  int m_indent;
  int m_level = 0;
  bool m_first = true;       // no element yet in the current container
  bool m_after_key = false;  // a key was written; its value comes next
};

// Appends s to out as a quoted JSON string.
void append_quoted(std::string& out, std::string_view s);

}  // namespace ocirun::json
