using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClonusCds.Api.Tests.Fuzz;

/// <summary>
/// A JSON document model for fuzzing. Unlike System.Text.Json's DOM it can hold what a hostile
/// client sends: duplicate keys, number literals of any spelling (<c>1e309</c>, <c>-0</c>, 400-digit
/// integers), lone surrogates, raw control characters and invalid UTF-8 inside strings, nesting of
/// any depth, 10 MB strings (stored as a run, not materialised until sent) and verbatim byte runs
/// (<c>NaN</c>, truncated documents, garbage). <see cref="ToString"/> is the compact, truncated form
/// FsCheck prints for a counterexample.
/// </summary>
public abstract record JValue
{
    public sealed override string ToString() => JText.Display(this);
}

public sealed record JNull : JValue
{
    public static JNull Instance { get; } = new();
}

public sealed record JBool(bool Value) : JValue;

/// <summary>A number token written exactly as <see cref="Literal"/> (not necessarily valid JSON).</summary>
public sealed record JNum(string Literal) : JValue;

/// <summary>
/// A string. Quotes, backslashes, control characters and lone surrogates are always escaped; other
/// non-ASCII characters are sent as UTF-8, or as \u escapes when <see cref="EscapeNonAscii"/>.
/// </summary>
public sealed record JStr(string Value, bool EscapeNonAscii = false) : JValue;

/// <summary>A string of <see cref="Unit"/> repeated <see cref="Count"/> times (the 10 MB string).</summary>
public sealed record JRepeat(string Unit, int Count) : JValue;

/// <summary>A string whose content bytes are sent verbatim between quotes (raw control bytes, invalid UTF-8).</summary>
public sealed record JRawString(ImmutableArray<byte> Inner) : JValue;

/// <summary>Bytes sent verbatim in place of a value (NaN, garbage, a BOM, nothing at all).</summary>
public sealed record JRaw(ImmutableArray<byte> Bytes) : JValue
{
    public static JRaw Of(string ascii) => new([.. Encoding.UTF8.GetBytes(ascii)]);
}

public sealed record JArr(ImmutableArray<JValue> Items) : JValue;

/// <summary>An object; keys are values too, so a key can be a raw string or even a non-string.</summary>
public sealed record JObj(ImmutableArray<JMember> Members) : JValue
{
    public JValue? this[string key] => Members.FirstOrDefault(m => m.Key is JStr s && s.Value == key)?.Value;
}

public sealed record JMember(JValue Key, JValue Value)
{
    public JMember(string key, JValue value) : this(new JStr(key), value)
    {
    }

    public string KeyText => Key is JStr s ? s.Value : Key.ToString();
}

/// <summary><see cref="Inner"/> wrapped in <see cref="Depth"/> arrays (<c>[[[…]]]</c>) or objects (<c>{"a":{"a":…}}</c>).</summary>
public sealed record JNest(int Depth, bool Objects, JValue Inner) : JValue;

/// <summary>Several values written back to back with nothing between them (BOM + body, body + garbage).</summary>
public sealed record JSeq(ImmutableArray<JValue> Parts) : JValue;

/// <summary>The first <see cref="Keep"/> bytes of <see cref="Inner"/>: a truncated document.</summary>
public sealed record JTruncate(JValue Inner, int Keep) : JValue;

/// <summary>Writing, display, conversion, paths and shrinking for <see cref="JValue"/>.</summary>
public static class JText
{
    private const int DisplayStringMax = 60;
    private const int DisplayMax = 2500;

    public static JArr Arr(params JValue[] items) => new([.. items]);

    public static JObj Obj(params (string Key, JValue Value)[] members) => new([.. members.Select(m => new JMember(m.Key, m.Value))]);

    public static JStr Str(string value) => new(value);

    public static JNum Num(double value) => new(value.ToString("R", CultureInfo.InvariantCulture));

    // ------------------------------------------------------------------ writing

    /// <summary>The bytes sent on the wire.</summary>
    public static byte[] ToBytes(JValue value)
    {
        var output = new MemoryStream();
        Write(value, output);
        return output.ToArray();
    }

    /// <summary>The wire text, decoded leniently (for "did the request contain this" checks).</summary>
    public static string ToText(JValue value) => Encoding.UTF8.GetString(ToBytes(value));

    private static void Write(JValue value, Stream o)
    {
        switch (value)
        {
            case JNull:
                Ascii(o, "null");
                break;
            case JBool b:
                Ascii(o, b.Value ? "true" : "false");
                break;
            case JNum n:
                Ascii(o, n.Literal);
                break;
            case JStr s:
                o.WriteByte((byte)'"');
                WriteStringContent(o, s.Value, s.EscapeNonAscii);
                o.WriteByte((byte)'"');
                break;
            case JRepeat r:
                o.WriteByte((byte)'"');
                var unit = new MemoryStream();
                WriteStringContent(unit, r.Unit, false);
                var bytes = unit.ToArray();
                for (var i = 0; i < r.Count; i++)
                {
                    o.Write(bytes);
                }

                o.WriteByte((byte)'"');
                break;
            case JRawString rs:
                o.WriteByte((byte)'"');
                o.Write(rs.Inner.AsSpan());
                o.WriteByte((byte)'"');
                break;
            case JRaw raw:
                o.Write(raw.Bytes.AsSpan());
                break;
            case JArr a:
                o.WriteByte((byte)'[');
                for (var i = 0; i < a.Items.Length; i++)
                {
                    if (i > 0)
                    {
                        o.WriteByte((byte)',');
                    }

                    Write(a.Items[i], o);
                }

                o.WriteByte((byte)']');
                break;
            case JObj obj:
                o.WriteByte((byte)'{');
                for (var i = 0; i < obj.Members.Length; i++)
                {
                    if (i > 0)
                    {
                        o.WriteByte((byte)',');
                    }

                    Write(obj.Members[i].Key, o);
                    o.WriteByte((byte)':');
                    Write(obj.Members[i].Value, o);
                }

                o.WriteByte((byte)'}');
                break;
            case JNest nest:
                for (var i = 0; i < nest.Depth; i++)
                {
                    Ascii(o, nest.Objects ? "{\"a\":" : "[");
                }

                Write(nest.Inner, o);
                for (var i = 0; i < nest.Depth; i++)
                {
                    o.WriteByte(nest.Objects ? (byte)'}' : (byte)']');
                }

                break;
            case JSeq seq:
                foreach (var part in seq.Parts)
                {
                    Write(part, o);
                }

                break;
            case JTruncate t:
                var whole = ToBytes(t.Inner);
                o.Write(whole, 0, Math.Clamp(t.Keep, 0, whole.Length));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.GetType().Name, "unknown JSON node");
        }
    }

    private static void Ascii(Stream o, string text)
    {
        foreach (var c in text)
        {
            o.WriteByte((byte)c);
        }
    }

    private static void WriteStringContent(Stream o, string value, bool escapeNonAscii)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    Ascii(o, "\\\"");
                    continue;
                case '\\':
                    Ascii(o, "\\\\");
                    continue;
                case '\n':
                    Ascii(o, "\\n");
                    continue;
                case '\t':
                    Ascii(o, "\\t");
                    continue;
            }

            if (c < 0x20 || (escapeNonAscii && c > 0x7E))
            {
                Ascii(o, "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var n = new Rune(c, value[i + 1]).EncodeToUtf8(utf8);
                o.Write(utf8[..n]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // A lone surrogate cannot be UTF-8; JSON allows it escaped.
                Ascii(o, "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                var n = new Rune(c).EncodeToUtf8(utf8);
                o.Write(utf8[..n]);
            }
        }
    }

    // ------------------------------------------------------------------ display

    /// <summary>Compact, readable, truncated: long strings shortened, raw bytes shown as hex.</summary>
    public static string Display(JValue value)
    {
        var sb = new StringBuilder();
        Display(value, sb);
        return sb.Length <= DisplayMax ? sb.ToString() : $"{sb.ToString(0, DisplayMax)}…(+{sb.Length - DisplayMax} chars)";
    }

    private static void Display(JValue value, StringBuilder sb)
    {
        if (sb.Length > DisplayMax * 2)
        {
            return;
        }

        switch (value)
        {
            case JStr s:
                sb.Append('"');
                var shown = s.Value.Length > DisplayStringMax ? s.Value[..DisplayStringMax] : s.Value;
                foreach (var c in shown)
                {
                    if (c is '"' or '\\')
                    {
                        sb.Append('\\').Append(c);
                    }
                    else if (c < 0x20 || c is >= '\u007F' and <= '\u00A0' || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\uFEFF' or '\u202E')
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    }
                    else
                    {
                        sb.Append(c);
                    }
                }

                if (s.Value.Length > DisplayStringMax)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"…(+{s.Value.Length - DisplayStringMax} chars)");
                }

                sb.Append('"');
                if (s.EscapeNonAscii)
                {
                    sb.Append("/*\\u-escaped*/");
                }

                break;
            case JRepeat r:
                sb.Append(CultureInfo.InvariantCulture, $"\"<{JsonSerializer.Serialize(r.Unit)} × {r.Count}>\"");
                break;
            case JRawString rs:
                sb.Append("\"<raw ").Append(Hex(rs.Inner)).Append(">\"");
                break;
            case JRaw raw:
                sb.Append("<raw ").Append(Hex(raw.Bytes)).Append('>');
                break;
            case JArr a:
                sb.Append('[');
                for (var i = 0; i < a.Items.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Display(a.Items[i], sb);
                }

                sb.Append(']');
                break;
            case JObj o:
                sb.Append('{');
                for (var i = 0; i < o.Members.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Display(o.Members[i].Key, sb);
                    sb.Append(':');
                    Display(o.Members[i].Value, sb);
                }

                sb.Append('}');
                break;
            case JNest n:
                sb.Append(CultureInfo.InvariantCulture, $"<{n.Depth} × {(n.Objects ? "{\"a\":" : "[")}>");
                Display(n.Inner, sb);
                sb.Append(CultureInfo.InvariantCulture, $"<{n.Depth} × {(n.Objects ? "}" : "]")}>");
                break;
            case JSeq seq:
                sb.Append("<seq ");
                foreach (var part in seq.Parts)
                {
                    Display(part, sb);
                    sb.Append(' ');
                }

                sb.Append('>');
                break;
            case JTruncate t:
                var text = Encoding.UTF8.GetString(ToBytes(t.Inner));
                var kept = Encoding.UTF8.GetString(ToBytes(t));
                sb.Append("<truncated to ").Append(t.Keep).Append(" bytes: ")
                    .Append(kept.Length > 200 ? "…" + kept[^200..] : kept)
                    .Append(CultureInfo.InvariantCulture, $" (of {text.Length} chars)>");
                break;
            default:
                sb.Append(Encoding.UTF8.GetString(ToBytes(value)));
                break;
        }
    }

    private static string Hex(ImmutableArray<byte> bytes)
    {
        var printable = bytes.All(b => b is >= 0x20 and < 0x7F);
        if (printable)
        {
            var text = Encoding.ASCII.GetString(bytes.AsSpan());
            return text.Length > 200 ? text[..200] + $"…(+{text.Length - 200} bytes)" : text;
        }

        var sb = new StringBuilder();
        foreach (var b in bytes.Take(64))
        {
            if (b is >= 0x20 and < 0x7F and not (byte)'\\')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
            }
        }

        if (bytes.Length > 64)
        {
            sb.Append(CultureInfo.InvariantCulture, $"…(+{bytes.Length - 64} bytes)");
        }

        return sb.ToString();
    }

    // ------------------------------------------------------------------ conversion

    public static JValue From(JsonNode? node) => node switch
    {
        null => JNull.Instance,
        JsonObject o => new JObj([.. o.Select(p => new JMember(p.Key, From(p.Value)))]),
        JsonArray a => new JArr([.. a.Select(From)]),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => new JStr(v.GetValue<string>()),
            JsonValueKind.Number => new JNum(v.ToJsonString()),
            JsonValueKind.True => new JBool(true),
            JsonValueKind.False => new JBool(false),
            _ => JNull.Instance,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    public static JValue From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new JObj([.. element.EnumerateObject().Select(p => new JMember(p.Name, From(p.Value)))]),
        JsonValueKind.Array => new JArr([.. element.EnumerateArray().Select(From)]),
        JsonValueKind.String => new JStr(element.GetString()!),
        JsonValueKind.Number => new JNum(element.GetRawText()),
        JsonValueKind.True => new JBool(true),
        JsonValueKind.False => new JBool(false),
        _ => JNull.Instance,
    };

    // ------------------------------------------------------------------ paths

    /// <summary>The children of a container: object member values, array items, a nest's inner value.</summary>
    public static IReadOnlyList<JValue> Children(JValue value) => value switch
    {
        JObj o => o.Members.Select(m => m.Value).ToList(),
        JArr a => a.Items,
        JNest n => [n.Inner],
        _ => [],
    };

    /// <summary>Every node's path (child indices from the root), root first, parents before children.</summary>
    public static List<ImmutableArray<int>> Paths(JValue root)
    {
        var result = new List<ImmutableArray<int>>();
        var queue = new Queue<(JValue Node, ImmutableArray<int> Path)>();
        queue.Enqueue((root, []));
        while (queue.Count > 0)
        {
            var (node, path) = queue.Dequeue();
            result.Add(path);
            var children = Children(node);
            for (var i = 0; i < children.Count; i++)
            {
                queue.Enqueue((children[i], path.Add(i)));
            }
        }

        return result;
    }

    public static JValue At(JValue root, ImmutableArray<int> path)
    {
        var node = root;
        foreach (var i in path)
        {
            node = Children(node)[i];
        }

        return node;
    }

    /// <summary>Readable path: <c>prefetch.vitals.entry[3].resource</c>.</summary>
    public static string Describe(JValue root, ImmutableArray<int> path)
    {
        var sb = new StringBuilder("$");
        var node = root;
        foreach (var i in path)
        {
            switch (node)
            {
                case JObj o:
                    sb.Append('.').Append(o.Members[i].KeyText);
                    break;
                case JArr:
                    sb.Append(CultureInfo.InvariantCulture, $"[{i}]");
                    break;
                default:
                    sb.Append(".<inner>");
                    break;
            }

            node = Children(node)[i];
        }

        return sb.ToString();
    }

    /// <summary>Replaces the node at a path (the root for an empty path).</summary>
    public static JValue Replace(JValue root, ImmutableArray<int> path, Func<JValue, JValue> change) =>
        path.IsEmpty ? change(root) : EditChild(root, path[0], child => Replace(child, path[1..], change));

    /// <summary>Edits the container at a path (its parent for a node path) in place of the node.</summary>
    public static JValue EditParent(JValue root, ImmutableArray<int> path, Func<JValue, int, JValue> edit) =>
        path.Length == 1 ? edit(root, path[0]) : EditChild(root, path[0], child => EditParent(child, path[1..], edit));

    private static JValue EditChild(JValue node, int index, Func<JValue, JValue> change) => node switch
    {
        JObj o => new JObj(o.Members.SetItem(index, o.Members[index] with { Value = change(o.Members[index].Value) })),
        JArr a => new JArr(a.Items.SetItem(index, change(a.Items[index]))),
        JNest n => n with { Inner = change(n.Inner) },
        _ => throw new ArgumentOutOfRangeException(nameof(node), "not a container"),
    };

    /// <summary>Removes the node at a (non-root) path from its parent object or array.</summary>
    public static JValue Remove(JValue root, ImmutableArray<int> path) => EditParent(root, path, (parent, i) => parent switch
    {
        JObj o => new JObj(o.Members.RemoveAt(i)),
        JArr a => new JArr(a.Items.RemoveAt(i)),
        JNest n => n with { Inner = JNull.Instance },
        _ => parent,
    });

    // ------------------------------------------------------------------ shrinking

    /// <summary>
    /// Smaller candidates, biggest cuts first: drop members/items near the root, hoist a nested
    /// object or array into its container's place, then shrink inside them; strings halve, runs and
    /// nests halve, numbers become 0. FsCheck keeps the first candidate
    /// that still fails and asks again, so a counterexample converges on the part that matters.
    /// </summary>
    public static IEnumerable<JValue> Shrink(JValue value)
    {
        switch (value)
        {
            case JObj o:
                for (var i = 0; i < o.Members.Length; i++)
                {
                    yield return new JObj(o.Members.RemoveAt(i));
                }

                // Hoist: a nested object or array in place of its container.
                foreach (var inner in o.Members.Select(m => m.Value).Where(v => v is JObj or JArr))
                {
                    yield return inner;
                }

                for (var i = 0; i < o.Members.Length; i++)
                {
                    foreach (var smaller in Shrink(o.Members[i].Value))
                    {
                        yield return new JObj(o.Members.SetItem(i, o.Members[i] with { Value = smaller }));
                    }
                }

                break;
            case JArr a:
                if (a.Items.Length > 2)
                {
                    yield return new JArr(a.Items[..(a.Items.Length / 2)]);
                }

                for (var i = 0; i < a.Items.Length; i++)
                {
                    yield return new JArr(a.Items.RemoveAt(i));
                }

                foreach (var inner in a.Items.Where(v => v is JObj or JArr))
                {
                    yield return inner;
                }

                for (var i = 0; i < a.Items.Length; i++)
                {
                    foreach (var smaller in Shrink(a.Items[i]))
                    {
                        yield return new JArr(a.Items.SetItem(i, smaller));
                    }
                }

                break;
            case JStr s when s.Value.Length > 0:
                yield return s with { Value = "" };
                if (s.Value.Length > 1)
                {
                    yield return s with { Value = s.Value[..(s.Value.Length / 2)] };
                }

                break;
            case JRepeat r when r.Count > 1:
                yield return r with { Count = r.Count / 2 };
                break;
            case JNum n when n.Literal != "0":
                yield return new JNum("0");
                break;
            case JNest n:
                if (n.Depth > 1)
                {
                    yield return n with { Depth = n.Depth / 2 };
                    yield return n with { Depth = n.Depth - 1 };
                }

                foreach (var smaller in Shrink(n.Inner))
                {
                    yield return n with { Inner = smaller };
                }

                break;
            case JSeq seq:
                for (var i = 0; i < seq.Parts.Length; i++)
                {
                    foreach (var smaller in Shrink(seq.Parts[i]))
                    {
                        yield return new JSeq(seq.Parts.SetItem(i, smaller));
                    }
                }

                break;
            case JTruncate t:
                if (t.Keep > 1)
                {
                    yield return t with { Keep = t.Keep / 2 };
                }

                foreach (var smaller in Shrink(t.Inner))
                {
                    yield return t with { Inner = smaller };
                }

                break;
        }
    }
}
