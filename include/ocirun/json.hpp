// The one module that touches RapidJSON. Readers see JSON through Node, which
// checks every type before it reads a value (RapidJSON's getters are undefined
// behaviour on a value of the wrong type under NDEBUG) and carries the JSON
// path that led to it, so every error can name it:
//   linux.namespaces[2].type: expected string, got number
// Schema code reads an object's known members through Fields, which applies
// the same key rules to every object of a document.
// Writers build JSON text with Writer, which escapes what it is given.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

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

  // Typed member access, on a node already known to be an object, for
  // documents this program writes itself (the state file): keys are exact
  // and the first copy wins. Schema objects of config.json are read through
  // Fields (below) instead. get() gives nullopt when the key is absent and
  // an error naming "<path>.<key>" when it has another type (a JSON null
  // counts as absent, as Go's encoding/json treats it); require() also
  // fails when it is absent.
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
Result<Document> parse_file(const std::string& path, std::string_view display_name, std::string* text_out = nullptr);

// ---- schema objects ----

// Whether member `name` selects the schema key `key` (ASCII) the way Go's
// encoding/json selects a struct field: exactly, or else ignoring case,
// where U+212A KELVIN SIGN folds to "k" and U+017F LONG S to "s". runc and
// the Go tools that write and check configs read "Linux" as "linux"; so do
// we, or a config could say one thing to a Go validator and another to us.
bool key_matches(std::string_view name, std::string_view key);

// An input string as an error message shows it: in double quotes, escaped
// like a JSON string (control characters, and C1 controls that some
// terminals take as escape sequences, become \uXXXX; a byte that is not
// UTF-8 becomes \xNN), and cut after about 64 bytes with the full length
// given, so that a 1 MiB value makes a one-line message.
std::string quoted(std::string_view s);

// The known members of one schema object (a struct of the spec, as opposed
// to a map whose keys are data, like annotations), found in a single pass
// over its members. Every schema object of a document is read through this
// class, so that every one follows the same rules:
//  - keys match as key_matches() says, as in Go;
//  - a known key given twice, in one spelling or two, is an error
//    ("linux.resources.memory: duplicate key"): JSON parsers disagree on
//    which copy wins (Go's encoding/json takes the last, merging objects;
//    Node::find the first), and a config that two tools would read
//    differently is refused rather than read one way;
//  - unknown keys are ignored, as the spec requires, and may repeat;
//  - a JSON null reads as absent, as it does for Go.
// Errors name "<path>.<key>" with the key as the document spells it, as the
// errors of its Node do ("Memory.Limit"), or as the schema does when it is
// absent.
class Fields {
 public:
  static constexpr std::size_t kMaxKeys = 24;

  // keys: a constant table of the object's known keys, which must outlive
  // the Fields (it is kept by reference, hence no braced lists: see below).
  // Fails when obj is not an object or a known key is given twice.
  template <std::size_t N>
  static Result<Fields> read(const Node& obj, const std::string_view (&keys)[N]) {
    static_assert(N <= kMaxKeys, "Fields: raise kMaxKeys");
    return read_keys(obj, std::span<const std::string_view>(keys, N));
  }
  // A braced list would be a temporary array, gone before the Fields is used.
  template <std::size_t N>
  static Result<Fields> read(const Node& obj, std::string_view (&&keys)[N]) = delete;

  const Node& node() const { return m_obj; }
  // "<path>.<key>: <reason>".
  Error member_error(std::string_view key, std::string_view reason) const;

  // The member, of any type; nullopt when absent or null. `key` must be one
  // of the table's keys; another reads as absent.
  std::optional<Node> find(std::string_view key) const;
  // As find(), and another type than `t` is "<path>.<key>: expected T, got U".
  Result<std::optional<Node>> get(std::string_view key, Type t) const;
  // As get(), and absent is "<path>.<key>: required field is missing".
  Result<Node> require(std::string_view key, Type t) const;
  // A required member of any type, for a caller whose accessor checks the
  // type (int64() says "expected integer" where expect() says "number").
  Result<Node> require_number(std::string_view key) const;

  Result<std::optional<std::string_view>> string(std::string_view key) const;
  Result<std::string_view> require_string(std::string_view key) const;
  // An optional string where absent and "" mean the same.
  Result<std::string> string_or_empty(std::string_view key) const;
  Result<bool> boolean(std::string_view key, bool fallback = false) const;

  // Integers in the range of T (int32, int64, uint32 or uint64), checked by
  // Node's accessors, which also say "expected integer" for another type.
  template <typename T>
  Result<std::optional<T>> integer(std::string_view key) const {
    std::optional<Node> n = find(key);
    if (!n) return std::optional<T>();
    return std::optional<T>(TRY(read_integer<T>(*n)));
  }

  template <typename T>
  Result<T> require_integer(std::string_view key) const {
    Node n = TRY(require_number(key));
    return read_integer<T>(n);
  }

 private:
  static constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();

  Fields(const Node& obj, std::span<const std::string_view> keys) : m_obj(obj), m_keys(keys) {
    m_slots.fill(kAbsent);
  }
  static Result<Fields> read_keys(const Node& obj, std::span<const std::string_view> keys);
  // The member index of `key`, or kAbsent.
  std::uint32_t slot_of(std::string_view key) const;

  template <typename T>
  static Result<T> read_integer(const Node& n) {
    static_assert(std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t> ||
                  std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>);
    if constexpr (std::is_same_v<T, std::int32_t>) return n.int32();
    else if constexpr (std::is_same_v<T, std::int64_t>) return n.int64();
    else if constexpr (std::is_same_v<T, std::uint32_t>) return n.uint32();
    else return n.uint64();
  }

  Node m_obj;
  std::span<const std::string_view> m_keys;
  // The member index of each key, in the order of m_keys; the extra last
  // slot stays absent, for a key that is not in the table.
  std::array<std::uint32_t, kMaxKeys + 1> m_slots{};
};

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
