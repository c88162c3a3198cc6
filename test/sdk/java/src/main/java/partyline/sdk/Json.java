package partyline.sdk;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON this program needs, without leaning on the SDK's own (transitive, old) Jackson:
 * writing the result line, and reading PL_PAYLOAD, a flat object of strings, numbers, booleans.
 */
final class Json {
  private Json() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean || value instanceof Number) {
      out.append(value);
    } else if (value instanceof Map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
        if (!first) out.append(',');
        first = false;
        string(e.getKey(), out);
        out.append(':');
        write(e.getValue(), out);
      }
      out.append('}');
    } else {
      string(value.toString(), out);
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
      }
    }
    out.append('"');
  }

  /** A flat JSON object ({"from": "+1415", "n": 2, "b": true}), or null if it is not one. */
  static Map<String, Object> parseFlatObject(String text) {
    try {
      Reader r = new Reader(text);
      Map<String, Object> map = new LinkedHashMap<>();
      r.skip();
      r.expect('{');
      r.skip();
      if (r.peek() == '}') {
        r.next();
      } else {
        while (true) {
          r.skip();
          String key = r.string();
          r.skip();
          r.expect(':');
          r.skip();
          map.put(key, r.primitive());
          r.skip();
          char c = r.next();
          if (c == '}') break;
          if (c != ',') return null;
        }
      }
      r.skip();
      return r.atEnd() ? map : null;
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return null;
    }
  }

  private static final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    char peek() {
      return s.charAt(i);
    }

    char next() {
      return s.charAt(i++);
    }

    boolean atEnd() {
      return i == s.length();
    }

    void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    void expect(char c) {
      if (next() != c) throw new IllegalArgumentException("expected " + c);
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') return b.toString();
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = next();
        switch (e) {
          case 'n':
            b.append('\n');
            break;
          case 't':
            b.append('\t');
            break;
          case 'r':
            b.append('\r');
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'u':
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
            break;
          default:
            b.append(e);
        }
      }
    }

    Object primitive() {
      char c = peek();
      if (c == '"') return string();
      int start = i;
      while (i < s.length() && ",} \t\r\n".indexOf(s.charAt(i)) < 0) i++;
      String word = s.substring(start, i);
      switch (word) {
        case "true":
          return Boolean.TRUE;
        case "false":
          return Boolean.FALSE;
        case "null":
          return null;
        default:
          try {
            return word.contains(".") || word.contains("e") || word.contains("E")
                ? (Object) Double.valueOf(word)
                : (Object) Long.valueOf(word);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a JSON value: " + word);
          }
      }
    }
  }
}
