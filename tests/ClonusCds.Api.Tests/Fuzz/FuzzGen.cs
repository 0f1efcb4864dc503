using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ClonusCds.Api.Tests.Fuzz;

/// <summary>
/// Generators of hostile JSON: scalars from pools of edge cases, strings of awkward characters,
/// trees of any shape, deep nests, garbage bytes. <see cref="Vocabulary"/> biases keys and strings
/// toward the names a surface really reads, so random documents get past the first check.
/// </summary>
public static class FuzzGen
{
    public const int TenMegabytes = 10 * 1024 * 1024;

    /// <summary>Number literals that break parsers: overflow, underflow, -0, beyond long and decimal.</summary>
    public static readonly ImmutableArray<string> NumberEdges =
    [
        "0", "-0", "0.0", "-0.0", "0e0", "-0E-0", "1", "-1", "0.5", "1.0", "1E+2", "1e-7",
        "2147483647", "2147483648", "-2147483649", "4294967296",
        "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "79228162514264337593543950336", "123456789012345678901234567890",
        "1e308", "-1e308", "1.7976931348623157e308", "-1.7976931348623157e308", "2.2250738585072014e-308",
        "4.9e-324", "1e-324", "1e-400", "1e309", "-1e309", "1e400", "9e999999999", "1e-999999999",
        "0.1000000000000000055511151231257827", "3.14159265358979323846264338327950288419716939937510",
        "1" + new string('0', 400), "-" + new string('9', 400), "0." + new string('0', 400) + "1", "1e" + new string('9', 40),
    ];

    /// <summary>Number tokens that are not JSON at all (sent raw).</summary>
    public static readonly ImmutableArray<string> NonJsonNumbers =
        ["NaN", "-NaN", "Infinity", "-Infinity", "+1", "01", "1.", ".5", "0x1F", "1e", "1e+", "--1", "1_000", "٣", "１"];

    /// <summary>Single characters and short runs that trip string handling.</summary>
    public static readonly ImmutableArray<string> CharPool =
    [
        "a", "Z", "0", " ", "\"", "\\", "/", "é", "ß", "İ", "ı", "ǅ", "中", "😀", "👩‍⚕️",
        "\u0000", "\u0001", "\b", "\f", "\r", "\n", "\t", "\u001F", "\u007F", "\u0085", "\u00A0", "\u00AD",
        "\u2028", "\u2029", "\uFEFF", "\uFFFE", "\uFFFF", "\uFFFD", "\uD800", "\uDBFF", "\uDC00", "\uDFFF",
        "\u202E", "\u0301", "\u200B", "\u200D", "ｆ", "%", "{", "}", "[", "]", ":", ",", "$", "<", ">", "'", "`",
        "{{", "}}", "%s", "%n", "../", "\\u0000", "\r\n",
    ];

    /// <summary>Whole strings worth trying anywhere.</summary>
    public static readonly ImmutableArray<string> SpecialStrings =
    [
        "", " ", "  ", "\t", "null", "true", "NaN", "Infinity", "-Infinity", "1e309", "-0", "0", "39", "39.5",
        "\u0000", "😀", "\uD800", "\uDC00x", "x\uD800", "\u202Eevil", "İ", "ı", "ǅ", "ａｂｃ",
        "2026-11-20T10:00:00Z", "2026-02-30", "../../etc/passwd", "<script>alert(1)</script>", "%s%n%x",
        "{{context.patientId}}", "'; DROP TABLE feedback;--", "Patient/../../x", "urn:uuid:", "http://", "a\u0000b",
        new string('x', 201), new string('9', 13), new string('a', 2001), new string('中', 70), "\uFEFF{}",
    ];

    // ------------------------------------------------------------------ scalars

    public static Gen<JValue> Number { get; } = Gen.Frequency(
        (5, Gen.Elements(NumberEdges.AsEnumerable()).Select(l => (JValue)new JNum(l))),
        (3, Gen.Choose(-1000, 100_000).Select(i => (JValue)new JNum(i.ToString(CultureInfo.InvariantCulture)))),
        (3, from mantissa in Gen.Choose(-1_000_000, 1_000_000)
            from exponent in Gen.Choose(-340, 320)
            from form in Gen.Choose(0, 3)
            select (JValue)new JNum(form switch
            {
                0 => $"{mantissa}e{exponent}",
                1 => $"{mantissa}.{Math.Abs(exponent)}",
                2 => $"{mantissa}E+{Math.Abs(exponent)}",
                _ => $"0.{Math.Abs(mantissa)}e{exponent}",
            })),
        (1, Gen.Elements(NonJsonNumbers.AsEnumerable()).Select(l => (JValue)JRaw.Of(l))));

    public static Gen<string> UnicodeString { get; } = Gen.Sized(size =>
        Gen.Choose(0, Math.Clamp(size, 1, 40)).SelectMany(n => Gen.ArrayOf(Gen.Elements(CharPool.AsEnumerable()), n)).Select(string.Concat));

    public static Gen<string> AsciiString { get; } = Gen.Sized(size =>
        Gen.Choose(0, Math.Clamp(size, 1, 30)).SelectMany(n => Gen.ArrayOf(Gen.Choose(0x20, 0x7E).Select(c => (char)c), n)).Select(cs => new string(cs)));

    public static Gen<JValue> Str(Vocabulary vocabulary) => Gen.Frequency(
            (4, Gen.Elements(vocabulary.Strings.AsEnumerable())),
            (3, AsciiString),
            (3, UnicodeString),
            (2, Gen.Elements(SpecialStrings.AsEnumerable())))
        .Zip(Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true))))
        .Select(t => (JValue)new JStr(t.Item1, t.Item2));

    public static Gen<JValue> Scalar(Vocabulary vocabulary) => Gen.Frequency(
        (1, Gen.Constant((JValue)JNull.Instance)),
        (1, Gen.Elements(true, false).Select(b => (JValue)new JBool(b))),
        (3, Number),
        (4, Str(vocabulary)));

    public static Gen<JValue> Key(Vocabulary vocabulary) => Gen.Frequency(
        (8, Gen.Elements(vocabulary.Keys.AsEnumerable()).Select(k => (JValue)new JStr(k))),
        (2, AsciiString.Select(k => (JValue)new JStr(k))),
        (2, UnicodeString.Select(k => (JValue)new JStr(k))),
        (1, Gen.Elements(SpecialStrings.AsEnumerable()).Select(k => (JValue)new JStr(k))));

    // ------------------------------------------------------------------ trees

    /// <summary>Any JSON value; the FsCheck size bounds the breadth and depth of the tree.</summary>
    public static Gen<JValue> Value(Vocabulary vocabulary) => Gen.Sized(size => Tree(vocabulary, Math.Clamp(size, 1, 60)));

    private static Gen<JValue> Tree(Vocabulary vocabulary, int size)
    {
        var scalar = Scalar(vocabulary);
        if (size <= 2)
        {
            return scalar;
        }

        var child = Tree(vocabulary, size / 2);
        var width = Gen.Choose(0, Math.Min(size, 8));
        var array = width.SelectMany(n => Gen.ArrayOf(child, n)).Select(items => (JValue)new JArr([.. items]));
        var member = Key(vocabulary).Zip(child).Select(t => new JMember(t.Item1, t.Item2));
        var obj = width.SelectMany(n => Gen.ArrayOf(member, n))
            .Zip(Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true))))
            .Select(t => (JValue)new JObj(t.Item2 && t.Item1.Length > 0 ? [.. t.Item1, t.Item1[0]] : [.. t.Item1]));
        return Gen.Frequency((4, scalar), (2, array), (3, obj), (1, Nest(child)));
    }

    /// <summary>Deep nesting: mostly up to ~120 levels, sometimes thousands.</summary>
    public static Gen<JValue> Nest(Gen<JValue> inner) =>
        from depth in Gen.Frequency((10, Gen.Choose(2, 120)), (1, Gen.Choose(120, 3000)))
        from objects in Gen.Elements(false, true)
        from value in inner
        select (JValue)new JNest(depth, objects, value);

    /// <summary>Bytes that are not UTF-8 text, and short garbage.</summary>
    public static Gen<ImmutableArray<byte>> BadBytes { get; } = Gen.Frequency(
        (3, Gen.Elements<byte[]>(
            [0xFF], [0xFE], [0xC0, 0xAF], [0xC3, 0x28], [0xE2, 0x82], [0xE2, 0x28, 0xA1], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
            [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xBF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF])
            .Select(b => ImmutableArray.Create(b))),
        (1, Gen.Choose(1, 24).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)).Select(b => ImmutableArray.Create(b))));

    /// <summary>A string with a raw control byte or invalid UTF-8 in the middle.</summary>
    public static Gen<JValue> RawString(string around, bool control) =>
        (control
            ? Gen.Choose(0, 0x1F).Select(b => ImmutableArray.Create((byte)b))
            : BadBytes)
        .Zip(Gen.Choose(0, around.Length))
        .Select(t =>
        {
            var cut = around.Length == 0 ? 0 : Math.Min(t.Item2, around.Length);
            if (cut > 0 && cut < around.Length && char.IsLowSurrogate(around[cut]))
            {
                cut--;
            }

            return (JValue)new JRawString([.. Encoding.UTF8.GetBytes(around[..cut]), .. t.Item1, .. Encoding.UTF8.GetBytes(around[cut..])]);
        });

    /// <summary>Whole request bodies of any shape: mostly JSON, some broken, some not JSON at all.</summary>
    public static Gen<JValue> Body(Vocabulary vocabulary)
    {
        var value = Value(vocabulary);
        var member = Key(vocabulary).Zip(value).Select(t => new JMember(t.Item1, t.Item2));
        var shapedObject = Gen.Sized(size => Gen.Choose(1, Math.Clamp(size / 4, 1, 10)))
            .SelectMany(n => Gen.ArrayOf(member, n)).Select(ms => (JValue)new JObj([.. ms]));
        var garbage = BadBytes.Select(b => (JValue)new JRaw(b));
        var broken = Gen.Frequency(
            (2, value.Zip(Gen.Choose(0, 400)).Select(t => (JValue)new JTruncate(t.Item1, t.Item2))),
            (1, value.Zip(Gen.Elements("}", "]", ",", "x", " null", "{}", "\u0000", "/* c */", "// c\n")).Select(t => (JValue)new JSeq([t.Item1, JRaw.Of(t.Item2)]))),
            (1, value.Select(v => (JValue)new JSeq([new JRaw([0xEF, 0xBB, 0xBF]), v]))),
            (1, value.Zip(garbage).Select(t => (JValue)new JSeq([t.Item1, t.Item2]))));
        return Gen.Frequency(
            (8, value),
            (8, shapedObject),
            (2, broken),
            (1, garbage),
            (1, Gen.Elements("", " ", "\n", "null", "{}", "[]", "\"\"", "0", "{", "}", "[", "{\"\":}", "NaN").Select(t => (JValue)JRaw.Of(t))),
            (1, Nest(Scalar(vocabulary))));
    }

    /// <summary>A deterministic UUID from the generator's randomness (so a seed replays exactly).</summary>
    public static Gen<string> Uuid { get; } = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 16).Select(b => new Guid(b).ToString());
}

/// <summary>Keys and string values a surface really reads (harvested from its valid bodies).</summary>
public sealed record Vocabulary(ImmutableArray<string> Keys, ImmutableArray<string> Strings)
{
    public static Vocabulary Harvest(IEnumerable<JValue> documents, IEnumerable<string>? extraStrings = null)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        var strings = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            Walk(document);
        }

        foreach (var s in extraStrings ?? [])
        {
            strings.Add(s);
        }

        return new Vocabulary([.. keys], [.. strings]);

        void Walk(JValue node)
        {
            switch (node)
            {
                case JObj o:
                    foreach (var m in o.Members)
                    {
                        keys.Add(m.KeyText);
                        Walk(m.Value);
                    }

                    break;
                case JArr a:
                    foreach (var item in a.Items)
                    {
                        Walk(item);
                    }

                    break;
                case JStr s when s.Value.Length <= 60:
                    strings.Add(s.Value);
                    break;
            }
        }
    }
}
