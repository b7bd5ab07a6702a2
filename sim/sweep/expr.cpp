#include "sim/sweep/expr.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "sim/base/error.h"

namespace pcmsim {

ExprValue ExprValue::of(const std::string& scalar) {
  ExprValue v;
  char* end = nullptr;
  const double d = std::strtod(scalar.c_str(), &end);
  if (!scalar.empty() && end && *end == '\0' &&
      !std::isspace(static_cast<unsigned char>(scalar[0]))) {
    v.number = d;
  } else {
    v.is_number = false;
    v.text = scalar;
  }
  return v;
}

struct Expr::Node {
  enum class Op {
    Number,
    Text,
    Name,
    Neg,
    Not,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or
  };
  Op op = Op::Number;
  double number = 0;
  std::string text;
  std::shared_ptr<const Node> a, b;
};

namespace {

using Node = Expr::Node;
using Op = Node::Op;
using NodeP = std::shared_ptr<const Node>;

class Parser {
 public:
  Parser(const std::string& s, std::vector<std::string>& names) : m_s(s), m_names(names) {}
  NodeP parse() {
    NodeP n = parse_or();
    skip();
    if (m_i != m_s.size()) fail("unexpected '" + std::string(1, m_s[m_i]) + "'");
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& rule) const {
    throw Error("'" + m_s + "': " + rule + " at column " + std::to_string(m_i + 1));
  }
  void skip() {
    while (m_i < m_s.size() && std::isspace(static_cast<unsigned char>(m_s[m_i]))) ++m_i;
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/';
  }
  /// The keyword @p w at the cursor, as a whole word.
  bool word(const char* w) {
    skip();
    const size_t n = std::char_traits<char>::length(w);
    if (m_s.compare(m_i, n, w) != 0) return false;
    if (m_i + n < m_s.size() && name_char(m_s[m_i + n])) return false;
    m_i += n;
    return true;
  }
  bool sym(const char* w) {
    skip();
    const size_t n = std::char_traits<char>::length(w);
    if (m_s.compare(m_i, n, w) != 0) return false;
    m_i += n;
    return true;
  }
  static NodeP make(Op op, NodeP a = nullptr, NodeP b = nullptr) {
    auto n = std::make_shared<Node>();
    n->op = op;
    n->a = std::move(a);
    n->b = std::move(b);
    return n;
  }
  NodeP parse_or() {
    NodeP n = parse_and();
    while (word("or")) n = make(Op::Or, n, parse_and());
    return n;
  }
  NodeP parse_and() {
    NodeP n = parse_not();
    while (word("and")) n = make(Op::And, n, parse_not());
    return n;
  }
  NodeP parse_not() {
    if (word("not")) return make(Op::Not, parse_not());
    return parse_cmp();
  }
  NodeP parse_cmp() {
    NodeP n = parse_sum();
    static const std::pair<const char*, Op> kOps[] = {{"==", Op::Eq}, {"!=", Op::Ne},
                                                      {"<=", Op::Le}, {">=", Op::Ge},
                                                      {"<", Op::Lt},  {">", Op::Gt}};
    for (const auto& [s, op] : kOps)
      if (sym(s)) return make(op, n, parse_sum());
    return n;
  }
  NodeP parse_sum() {
    NodeP n = parse_product();
    for (;;) {
      if (sym("+"))
        n = make(Op::Add, n, parse_product());
      else if (sym("-"))
        n = make(Op::Sub, n, parse_product());
      else
        return n;
    }
  }
  NodeP parse_product() {
    NodeP n = parse_unary();
    for (;;) {
      if (sym("*"))
        n = make(Op::Mul, n, parse_unary());
      else if (sym("/"))
        n = make(Op::Div, n, parse_unary());
      else if (sym("%"))
        n = make(Op::Mod, n, parse_unary());
      else
        return n;
    }
  }
  NodeP parse_unary() {
    if (sym("-")) return make(Op::Neg, parse_unary());
    return parse_atom();
  }
  NodeP parse_atom() {
    skip();
    if (m_i >= m_s.size()) fail("expected a value");
    const char c = m_s[m_i];
    if (c == '(') {
      ++m_i;
      NodeP n = parse_or();
      if (!sym(")")) fail("expected ')'");
      return n;
    }
    if (c == '\'' || c == '"') {
      const size_t end = m_s.find(c, m_i + 1);
      if (end == std::string::npos) fail("unterminated text");
      auto n = std::make_shared<Node>();
      n->op = Op::Text;
      n->text = m_s.substr(m_i + 1, end - m_i - 1);
      m_i = end + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* start = m_s.c_str() + m_i;
      char* end = nullptr;
      const double d = std::strtod(start, &end);
      if (end == start) fail("expected a number");
      m_i += size_t(end - start);
      auto n = std::make_shared<Node>();
      n->op = Op::Number;
      n->number = d;
      return n;
    }
    if (name_char(c)) {
      const size_t start = m_i;
      while (m_i < m_s.size() && name_char(m_s[m_i])) ++m_i;
      auto n = std::make_shared<Node>();
      n->op = Op::Name;
      n->text = m_s.substr(start, m_i - start);
      if (n->text == "and" || n->text == "or" || n->text == "not") {
        m_i = start;
        fail("expected a value before '" + n->text + "'");
      }
      bool seen = false;
      for (const std::string& x : m_names) seen = seen || x == n->text;
      if (!seen) m_names.push_back(n->text);
      return n;
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }

  const std::string& m_s;
  std::vector<std::string>& m_names;
  size_t m_i = 0;
};

ExprValue number(double d) {
  ExprValue v;
  v.number = d;
  return v;
}

std::string shown(const ExprValue& v) {
  if (!v.is_number) return "'" + v.text + "'";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v.number);
  return buf;
}

ExprValue eval_node(const Node& n, const std::function<ExprValue(const std::string&)>& look) {
  switch (n.op) {
    case Op::Number:
      return number(n.number);
    case Op::Text: {
      ExprValue v;
      v.is_number = false;
      v.text = n.text;
      return v;
    }
    case Op::Name:
      return look(n.text);
    case Op::Not: {
      const ExprValue a = eval_node(*n.a, look);
      return number(a.is_number ? double(a.number == 0) : double(a.text.empty()));
    }
    case Op::And: {
      const ExprValue a = eval_node(*n.a, look);
      if (a.is_number && a.number == 0) return number(0);
      const ExprValue b = eval_node(*n.b, look);
      return number(double(!b.is_number || b.number != 0));
    }
    case Op::Or: {
      const ExprValue a = eval_node(*n.a, look);
      if (!a.is_number || a.number != 0) return number(1);
      const ExprValue b = eval_node(*n.b, look);
      return number(double(!b.is_number || b.number != 0));
    }
    default:
      break;
  }
  const ExprValue a = eval_node(*n.a, look);
  if (n.op == Op::Neg) {
    if (!a.is_number) throw Error("cannot negate text " + shown(a));
    return number(-a.number);
  }
  const ExprValue b = eval_node(*n.b, look);
  if (n.op == Op::Eq || n.op == Op::Ne) {
    const bool eq =
        a.is_number == b.is_number && (a.is_number ? a.number == b.number : a.text == b.text);
    return number(double(n.op == Op::Eq ? eq : !eq));
  }
  if (!a.is_number || !b.is_number) {
    const ExprValue& t = a.is_number ? b : a;
    throw Error("arithmetic or ordering on text " + shown(t) +
                " (only == and != compare text; write numbers without units)");
  }
  switch (n.op) {
    case Op::Add:
      return number(a.number + b.number);
    case Op::Sub:
      return number(a.number - b.number);
    case Op::Mul:
      return number(a.number * b.number);
    case Op::Div:
      if (b.number == 0) throw Error("division by zero");
      return number(a.number / b.number);
    case Op::Mod:
      if (b.number == 0) throw Error("division by zero");
      return number(std::fmod(a.number, b.number));
    case Op::Lt:
      return number(double(a.number < b.number));
    case Op::Le:
      return number(double(a.number <= b.number));
    case Op::Gt:
      return number(double(a.number > b.number));
    case Op::Ge:
      return number(double(a.number >= b.number));
    default:
      break;
  }
  throw Error("bad expression node");
}

}  // namespace

Expr Expr::parse(const std::string& text) {
  Expr e;
  Parser p(text, e.m_names);
  e.m_root = p.parse();
  return e;
}

ExprValue Expr::eval(const std::function<ExprValue(const std::string&)>& lookup) const {
  return eval_node(*m_root, lookup);
}

bool Expr::holds(const std::function<ExprValue(const std::string&)>& lookup) const {
  const ExprValue v = eval(lookup);
  return v.is_number ? v.number != 0 : !v.text.empty();
}

}  // namespace pcmsim
