package io.medallion.quality.internal;

import io.medallion.internal.ScalaSeqs;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.RLike;
import org.apache.spark.sql.catalyst.expressions.objects.Invoke;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.ObjectType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Function1;
import scala.runtime.AbstractPartialFunction;

/**
 * A regular expression of the subset format rules use ({@code ^C[0-9]{7}$}, {@code
 * ^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$}), matched on a string's UTF-8 bytes by a deterministic
 * automaton, with exactly the answer of Spark's {@code RLIKE}: {@code
 * Pattern.compile(regex).matcher(s).find(0)}.
 *
 * <p>Spark's {@code RLIKE} decodes every value into a Java string and runs {@code java.util.regex}'s
 * backtracking matcher on it; over a bronze table's rows that was the largest part of evaluating 20
 * rules (docs/performance.md). Here a value of ASCII characters is read byte by byte through one
 * table lookup each; a value with any other byte goes to {@code java.util.regex}, so the answer is
 * Java's for every value.
 *
 * <p>The subset, in Java's default mode (no flags): literal ASCII characters; {@code .}; classes
 * {@code [...]} and {@code [^...]} of characters and ranges; the escapes {@code \d \D \w \W \s \S \t
 * \n \r \f} and an escaped punctuation character; groups {@code (...)} and {@code (?:...)};
 * alternation {@code |}; the greedy quantifiers {@code * + ? {n} {n,} {n,m}}; {@code ^} as the
 * pattern's first character and {@code $} as its last (not with a top-level {@code |}). Anything
 * else (backreferences, look-around, boundaries, flags, lazy or possessive quantifiers, class
 * unions and intersections, non-ASCII characters), or an automaton of more than {@value
 * #MAX_STATES} states, is not compiled: {@link #compile} answers empty and the rule keeps Spark's
 * {@code RLIKE}.
 */
public final class AsciiRegex implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int MAX_STATES = 500;
  private static final int MAX_REPEAT = 100;
  private static final int MAX_NFA = 1_000;

  private final String regex;
  private final Pattern pattern;
  private final boolean endAnchored;
  /** {@code next[state * 128 + byte]}. */
  private final int[] next;
  private final boolean[] accepting;
  /** The state from which nothing matches, or -1 when there is none. */
  private final int dead;

  private AsciiRegex(String regex, boolean endAnchored, int[] next, boolean[] accepting, int dead) {
    this.regex = regex;
    this.pattern = Pattern.compile(regex);
    this.endAnchored = endAnchored;
    this.next = next;
    this.accepting = accepting;
    this.dead = dead;
  }

  /** The automaton of {@code regex}, or empty when it is outside the subset (see the class). */
  public static Optional<AsciiRegex> compile(String regex) {
    try {
      Pattern.compile(regex); // what Java refuses is left to Spark's own error
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    Parser p = new Parser(regex);
    Node root = p.parse();
    if (root == null) {
      return Optional.empty();
    }
    Nfa nfa = new Nfa();
    int start = nfa.state();
    int accept = nfa.build(root, start);
    if (accept < 0) {
      return Optional.empty();
    }
    return determinize(regex, nfa, start, accept, p.startAnchored, p.endAnchored);
  }

  /**
   * {@code rule} with each {@code x RLIKE '<literal>'} of the subset evaluated by an automaton
   * (Catalyst's {@code Invoke} of {@link #matches}: NULL in, NULL out, and a value that is not a
   * string cast to one, as {@code RLIKE} does). Other {@code RLIKE}s, and every rule on a Spark
   * whose Catalyst classes differ, keep Spark's own.
   */
  public static Column inRule(Column rule) {
    try {
      Expression before = rule.expr();
      Expression after = before.transformUp(new AbstractPartialFunction<Expression, Expression>() {
        @Override
        public boolean isDefinedAt(Expression x) {
          return of(x).isPresent();
        }

        @Override
        public <A1 extends Expression, B1> B1 applyOrElse(A1 x, Function1<A1, B1> otherwise) {
          Optional<AsciiRegex> regex = of(x);
          if (regex.isEmpty()) {
            return otherwise.apply(x);
          }
          @SuppressWarnings("unchecked")
          B1 invoke = (B1) new Invoke(
              new Literal(regex.get(), new ObjectType(AsciiRegex.class)), "matches", DataTypes.BooleanType,
              ScalaSeqs.of(List.of(((RLike) x).left())), ScalaSeqs.of(List.of(DataTypes.StringType)), true, true, true);
          return invoke;
        }
      });
      return after == before ? rule : new Column(after);
    } catch (LinkageError e) { // another Catalyst (Databricks Runtime): Spark's RLIKE
      return rule;
    }
  }

  private static Optional<AsciiRegex> of(Expression x) {
    if (x instanceof RLike r && r.right() instanceof Literal l && l.value() instanceof UTF8String p) {
      return compile(p.toString());
    }
    return Optional.empty();
  }

  /** {@code Pattern.compile(regex).matcher(s.toString()).find(0)}; NULL is the caller's (Spark's Invoke). */
  public boolean matches(UTF8String s) {
    Object base = s.getBaseObject();
    long offset = s.getBaseOffset();
    int n = s.numBytes();
    int state = 0;
    for (int i = 0; i < n; i++) {
      if (accepting[state] && (!endAnchored || endsAt(base, offset, i, n))) {
        return true;
      }
      byte b = Platform.getByte(base, offset + i);
      if (b < 0) {
        return pattern.matcher(s.toString()).find(0);
      }
      state = next[state * 128 + b];
      if (state == dead) {
        return false;
      }
    }
    return accepting[state];
  }

  /**
   * Java's {@code $} without flags at {@code i} before the end: the rest is one final line
   * terminator ({@code \n} not just after a {@code \r}, {@code \r}, or {@code \r\n}).
   */
  private static boolean endsAt(Object base, long offset, int i, int n) {
    if (i == n - 1) {
      byte b = Platform.getByte(base, offset + i);
      return b == '\r' || b == '\n' && (i == 0 || Platform.getByte(base, offset + i - 1) != '\r');
    }
    return i == n - 2 && Platform.getByte(base, offset + i) == '\r' && Platform.getByte(base, offset + i + 1) == '\n';
  }

  @Override
  public String toString() {
    return "ascii_regex(" + regex + ")";
  }

  // ---- the automaton

  private static Optional<AsciiRegex> determinize(String regex, Nfa nfa, int start, int accept,
      boolean startAnchored, boolean endAnchored) {
    BitSet startSet = nfa.closure(single(start));
    Map<BitSet, Integer> ids = new HashMap<>();
    List<BitSet> sets = new ArrayList<>();
    int[] next = new int[16 * 128];
    ids.put(startSet, 0);
    sets.add(startSet);
    for (int d = 0; d < sets.size(); d++) {
      BitSet from = sets.get(d);
      for (int c = 0; c < 128; c++) {
        BitSet to = new BitSet();
        for (int s = from.nextSetBit(0); s >= 0; s = from.nextSetBit(s + 1)) {
          if (nfa.target[s] >= 0 && nfa.accepts(s, c)) {
            to.set(nfa.target[s]);
          }
        }
        to = nfa.closure(to);
        if (!startAnchored) {
          to.or(startSet); // find(): a match may start at every position
        }
        Integer id = ids.get(to);
        if (id == null) {
          if (sets.size() >= MAX_STATES) {
            return Optional.empty();
          }
          id = sets.size();
          ids.put(to, id);
          sets.add(to);
          if (next.length < sets.size() * 128) {
            next = Arrays.copyOf(next, next.length * 2);
          }
        }
        next[d * 128 + c] = id;
      }
    }
    boolean[] accepting = new boolean[sets.size()];
    int dead = -1;
    for (int d = 0; d < sets.size(); d++) {
      accepting[d] = sets.get(d).get(accept);
      if (sets.get(d).isEmpty()) {
        dead = d;
      }
    }
    return Optional.of(new AsciiRegex(regex, endAnchored, Arrays.copyOf(next, sets.size() * 128), accepting, dead));
  }

  private static BitSet single(int s) {
    BitSet b = new BitSet();
    b.set(s);
    return b;
  }

  /** A Thompson automaton: each state has at most one character edge and any epsilon edges. */
  private static final class Nfa {
    int size;
    int[] target = new int[64];
    long[] lo = new long[64];
    long[] hi = new long[64];
    List<List<Integer>> eps = new ArrayList<>();

    int state() {
      if (size == target.length) {
        target = Arrays.copyOf(target, size * 2);
        lo = Arrays.copyOf(lo, size * 2);
        hi = Arrays.copyOf(hi, size * 2);
      }
      target[size] = -1;
      eps.add(new ArrayList<>());
      return size++;
    }

    boolean accepts(int s, int c) {
      return c < 64 ? (lo[s] >>> c & 1) != 0 : (hi[s] >>> (c - 64) & 1) != 0;
    }

    /** Adds {@code node}'s edges from {@code in}; answers the state it ends in, or -1 when too large. */
    int build(Node node, int in) {
      if (size > MAX_NFA) {
        return -1;
      }
      if (node instanceof Chars ch) {
        int from = state();
        eps.get(in).add(from);
        int out = state();
        target[from] = out;
        lo[from] = ch.lo;
        hi[from] = ch.hi;
        return out;
      }
      if (node instanceof Seq seq) {
        int cur = in;
        for (Node part : seq.parts) {
          cur = build(part, cur);
          if (cur < 0) {
            return -1;
          }
        }
        return cur;
      }
      if (node instanceof Alt alt) {
        int out = state();
        for (Node branch : alt.branches) {
          int b = state();
          eps.get(in).add(b);
          int end = build(branch, b);
          if (end < 0) {
            return -1;
          }
          eps.get(end).add(out);
        }
        return out;
      }
      Repeat r = (Repeat) node;
      int cur = in;
      for (int i = 0; i < r.min; i++) {
        cur = build(r.body, cur);
        if (cur < 0) {
          return -1;
        }
      }
      if (r.max < 0) {
        int loop = state();
        eps.get(cur).add(loop);
        int end = build(r.body, loop);
        if (end < 0) {
          return -1;
        }
        eps.get(end).add(loop);
        return loop;
      }
      for (int i = r.min; i < r.max; i++) {
        int skip = state();
        eps.get(cur).add(skip);
        int end = build(r.body, cur);
        if (end < 0) {
          return -1;
        }
        eps.get(end).add(skip);
        cur = skip;
      }
      return cur;
    }

    BitSet closure(BitSet set) {
      BitSet out = (BitSet) set.clone();
      int[] stack = new int[size];
      int top = 0;
      for (int s = set.nextSetBit(0); s >= 0; s = set.nextSetBit(s + 1)) {
        stack[top++] = s;
      }
      while (top > 0) {
        for (int t : eps.get(stack[--top])) {
          if (!out.get(t)) {
            out.set(t);
            stack[top++] = t;
          }
        }
      }
      return out;
    }
  }

  // ---- the syntax

  private sealed interface Node permits Chars, Seq, Alt, Repeat {}

  /** A set of ASCII characters: bits 0-63 in {@code lo}, 64-127 in {@code hi}. */
  private record Chars(long lo, long hi) implements Node {
    static Chars of(int c) {
      return c < 64 ? new Chars(1L << c, 0) : new Chars(0, 1L << (c - 64));
    }

    static Chars range(int from, int to) {
      Chars out = new Chars(0, 0);
      for (int c = from; c <= to; c++) {
        out = out.or(of(c));
      }
      return out;
    }

    Chars or(Chars o) {
      return new Chars(lo | o.lo, hi | o.hi);
    }

    Chars not() {
      return new Chars(~lo, ~hi);
    }
  }

  private record Seq(List<Node> parts) implements Node {}

  private record Alt(List<Node> branches) implements Node {}

  /** {@code max} -1: unbounded. */
  private record Repeat(Node body, int min, int max) implements Node {}

  private static final Chars DIGIT = Chars.range('0', '9');
  private static final Chars WORD = Chars.range('a', 'z').or(Chars.range('A', 'Z')).or(Chars.of('_')).or(DIGIT);
  private static final Chars SPACE = Chars.of(' ').or(Chars.of('\t')).or(Chars.of('\n')).or(Chars.of(0x0B))
      .or(Chars.of('\f')).or(Chars.of('\r'));
  private static final Chars DOT = Chars.of('\n').or(Chars.of('\r')).not();

  /** A recursive-descent parser of the subset; every method answers null outside it. */
  private static final class Parser {
    private final String s;
    private int pos;
    boolean startAnchored;
    boolean endAnchored;

    Parser(String s) {
      this.s = s;
    }

    Node parse() {
      int end = s.length();
      if (s.startsWith("^")) {
        startAnchored = true;
        pos = 1;
      }
      if (end > pos && s.charAt(end - 1) == '$' && !escaped(end - 1)) {
        endAnchored = true;
        end--;
      }
      Node root = alternation(end, true);
      if (root == null || pos != end) {
        return null;
      }
      if ((startAnchored || endAnchored) && root instanceof Alt) {
        return null; // ^a|b$ anchors one branch each
      }
      return root;
    }

    /** Whether the character at {@code i} follows an odd run of backslashes. */
    private boolean escaped(int i) {
      int n = 0;
      while (i - 1 - n >= 0 && s.charAt(i - 1 - n) == '\\') {
        n++;
      }
      return n % 2 == 1;
    }

    private Node alternation(int end, boolean top) {
      List<Node> branches = new ArrayList<>();
      while (true) {
        Node seq = sequence(end);
        if (seq == null) {
          return null;
        }
        branches.add(seq);
        if (pos < end && s.charAt(pos) == '|') {
          pos++;
          continue;
        }
        break;
      }
      if (top && pos != end) {
        return null;
      }
      return branches.size() == 1 ? branches.get(0) : new Alt(branches);
    }

    private Node sequence(int end) {
      List<Node> parts = new ArrayList<>();
      while (pos < end && s.charAt(pos) != '|' && s.charAt(pos) != ')') {
        Node atom = atom(end);
        if (atom == null) {
          return null;
        }
        Node quantified = quantifier(atom, end);
        if (quantified == null) {
          return null;
        }
        parts.add(quantified);
      }
      return new Seq(parts);
    }

    private Node atom(int end) {
      char c = s.charAt(pos++);
      switch (c) {
        case '(' -> {
          if (pos < end && s.charAt(pos) == '?') {
            if (pos + 1 < end && s.charAt(pos + 1) == ':') {
              pos += 2;
            } else {
              return null; // flags, look-around, named or atomic groups
            }
          }
          Node inner = alternation(end, false);
          if (inner == null || pos >= end || s.charAt(pos) != ')') {
            return null;
          }
          pos++;
          return inner;
        }
        case '[' -> {
          return charClass(end);
        }
        case '.' -> {
          return DOT;
        }
        case '\\' -> {
          return pos < end ? escape(s.charAt(pos++), true) : null;
        }
        default -> {
          return literal(c) ? Chars.of(c) : null;
        }
      }
    }

    /** A character that stands for itself outside a class. */
    private static boolean literal(char c) {
      return c >= 0x20 && c < 0x7F && "\\^$.|?*+()[]{}".indexOf(c) < 0;
    }

    /** The escape {@code \c}: a class of its own or one character. */
    private static Chars escape(char c, boolean classAllowed) {
      switch (c) {
        case 'd': return classAllowed ? DIGIT : null;
        case 'D': return classAllowed ? DIGIT.not() : null;
        case 'w': return classAllowed ? WORD : null;
        case 'W': return classAllowed ? WORD.not() : null;
        case 's': return classAllowed ? SPACE : null;
        case 'S': return classAllowed ? SPACE.not() : null;
        case 't': return Chars.of('\t');
        case 'n': return Chars.of('\n');
        case 'r': return Chars.of('\r');
        case 'f': return Chars.of('\f');
        default:
          // a backslash before any other non-alphanumeric ASCII character quotes it
          return c >= 0x20 && c < 0x7F && !Character.isLetterOrDigit(c) ? Chars.of(c) : null;
      }
    }

    private Node charClass(int end) {
      boolean negated = false;
      if (pos < end && s.charAt(pos) == '^') {
        negated = true;
        pos++;
      }
      Chars set = new Chars(0, 0);
      boolean first = true;
      while (true) {
        if (pos >= end) {
          return null;
        }
        char c = s.charAt(pos);
        if (c == ']') {
          if (first) {
            return null; // Java's reading of []...] differs from other engines'
          }
          pos++;
          return negated ? set.not() : set;
        }
        if (c == '[' || c == '^' || c == '&' && pos + 1 < end && s.charAt(pos + 1) == '&') {
          return null; // unions, intersections, a caret inside
        }
        Chars item;
        int single = -1;
        if (c == '\\') {
          if (pos + 1 >= end) {
            return null;
          }
          item = escape(s.charAt(pos + 1), true);
          if (item == null) {
            return null;
          }
          if (Long.bitCount(item.lo) + Long.bitCount(item.hi) == 1) {
            single = item.lo != 0 ? Long.numberOfTrailingZeros(item.lo) : 64 + Long.numberOfTrailingZeros(item.hi);
          }
          pos += 2;
        } else if (c == '-') {
          if (!first && !(pos + 1 < end && s.charAt(pos + 1) == ']')) {
            return null; // a dash is read as itself only first or last
          }
          item = Chars.of('-');
          pos++;
        } else if (c >= 0x20 && c < 0x7F) {
          item = Chars.of(c);
          single = c;
          pos++;
        } else {
          return null;
        }
        if (pos + 1 < end && s.charAt(pos) == '-' && s.charAt(pos + 1) != ']') {
          if (single < 0 || c == '-') {
            return null;
          }
          pos++;
          char to = s.charAt(pos);
          int upper;
          if (to == '\\') {
            if (pos + 1 >= end) {
              return null;
            }
            Chars e = escape(s.charAt(pos + 1), false);
            if (e == null) {
              return null;
            }
            upper = e.lo != 0 ? Long.numberOfTrailingZeros(e.lo) : 64 + Long.numberOfTrailingZeros(e.hi);
            pos += 2;
          } else if (to >= 0x20 && to < 0x7F && to != '[' && to != '-' && to != '^' && to != '&') {
            upper = to;
            pos++;
          } else {
            return null;
          }
          if (upper < single) {
            return null;
          }
          item = Chars.range(single, upper);
        }
        set = set.or(item);
        first = false;
      }
    }

    private Node quantifier(Node atom, int end) {
      if (pos >= end) {
        return atom;
      }
      int min;
      int max;
      char c = s.charAt(pos);
      if (c == '*') {
        min = 0;
        max = -1;
        pos++;
      } else if (c == '+') {
        min = 1;
        max = -1;
        pos++;
      } else if (c == '?') {
        min = 0;
        max = 1;
        pos++;
      } else if (c == '{') {
        int close = s.indexOf('}', pos);
        if (close < 0 || close >= end) {
          return null;
        }
        String body = s.substring(pos + 1, close);
        if (!body.matches("[0-9]{1,3}(,[0-9]{0,3})?")) {
          return null;
        }
        int comma = body.indexOf(',');
        min = Integer.parseInt(comma < 0 ? body : body.substring(0, comma));
        max = comma < 0 ? min : comma == body.length() - 1 ? -1 : Integer.parseInt(body.substring(comma + 1));
        if (min > MAX_REPEAT || max > MAX_REPEAT || max >= 0 && max < min) {
          return null;
        }
        pos = close + 1;
      } else {
        return atom;
      }
      if (pos < end && "?+*{".indexOf(s.charAt(pos)) >= 0) {
        return null; // lazy and possessive quantifiers, or a quantifier of a quantifier
      }
      return new Repeat(atom, min, max);
    }
  }
}
