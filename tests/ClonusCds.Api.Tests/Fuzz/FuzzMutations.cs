using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;

namespace ClonusCds.Api.Tests.Fuzz;

/// <summary>One mutated request body, with what was done to it.</summary>
public sealed record Mutant(string Label, JValue Body, string? ContentType = "application/json", bool Chunked = false, string? Url = null)
{
    /// <summary>The request, to <see cref="Url"/> when the mutation chose one, else to <paramref name="url"/>.</summary>
    public FuzzCase At(string url) => new(Url ?? url, Label, Body, ContentType, Chunked);
}

/// <summary>
/// Single mutations of one valid document. Each generator picks a node (by path) and does one thing
/// to it; the label names the mutation and the path, so a failure reads as
/// "wrong type at $.vitals.temperatureC → "39"".
/// </summary>
public sealed partial class Mutator
{
    private const string Json = "application/json";

    private readonly JValue _document;
    private readonly Vocabulary _vocabulary;
    private readonly List<ImmutableArray<int>> _nodes;     // every node but the root
    private readonly List<ImmutableArray<int>> _members;   // object members
    private readonly List<ImmutableArray<int>> _objects;   // objects, the root included
    private readonly List<ImmutableArray<int>> _arrays;
    private readonly List<ImmutableArray<int>> _strings;
    private readonly List<ImmutableArray<int>> _numbers;
    private readonly List<ImmutableArray<int>> _dates;
    private readonly int _length;

    public Mutator(JValue document, Vocabulary vocabulary)
    {
        _document = document;
        _vocabulary = vocabulary;
        var all = JText.Paths(document);
        _nodes = all.Where(p => !p.IsEmpty).ToList();
        _members = _nodes.Where(p => JText.At(document, p[..^1]) is JObj).ToList();
        _objects = all.Where(p => JText.At(document, p) is JObj).ToList();
        _arrays = all.Where(p => JText.At(document, p) is JArr).ToList();
        _strings = _nodes.Where(p => JText.At(document, p) is JStr).ToList();
        _numbers = _nodes.Where(p => JText.At(document, p) is JNum).ToList();
        _dates = _strings.Where(p => DateLike().IsMatch(((JStr)JText.At(document, p)).Value)).ToList();
        _length = JText.ToBytes(document).Length;
    }

    public JValue Document => _document;

    /// <summary>Paths of every node whose key is <paramref name="key"/>.</summary>
    public IReadOnlyList<ImmutableArray<int>> MembersNamed(string key) =>
        _members.Where(p => JText.At(_document, p[..^1]) is JObj o && o.Members[p[^1]].KeyText == key).ToList();

    public string Describe(ImmutableArray<int> path) => JText.Describe(_document, path);

    // ------------------------------------------------------------------ the mutation menu

    /// <summary>
    /// Every single mutation the brief lists, for the strict REST API and feedback: wrong type, out of
    /// range, overflow literal, "NaN"/"Infinity", empty string, 10 MB string, deep nesting, duplicate
    /// key, unknown member, null in an array, raw control character, invalid UTF-8, removed field,
    /// enum casing/unknown value, malformed date, random value, and whole-body/transport changes.
    /// </summary>
    public Gen<Mutant> Any() => Gen.Frequency(Menu().ToArray());

    public IEnumerable<(int, Gen<Mutant>)> Menu()
    {
        yield return (6, WrongType());
        yield return (5, OutOfRange());
        yield return (3, Overflow());
        yield return (3, NaNStrings());
        yield return (3, EmptyString());
        yield return (1, HugeString());
        yield return (3, DeepNest());
        yield return (4, DuplicateKey());
        yield return (5, UnknownMember());
        yield return (3, NullInArray());
        yield return (3, RawControlCharacter());
        yield return (3, InvalidUtf8());
        yield return (6, Remove());
        yield return (5, EnumVariant());
        yield return (3, MalformedDate());
        yield return (5, ReplaceRandom());
        yield return (3, ReplaceNull());
        yield return (2, DuplicateNode());
        yield return (4, WholeBody());
    }

    private static Gen<ImmutableArray<int>> Pick(List<ImmutableArray<int>> paths, List<ImmutableArray<int>> fallback) =>
        Gen.Elements((paths.Count > 0 ? paths : fallback).AsEnumerable());

    private Mutant Set(string what, ImmutableArray<int> path, JValue value) =>
        new($"{what} at {Describe(path)} → {Short(value)}", JText.Replace(_document, path, _ => value));

    private static string Short(JValue value)
    {
        var text = value.ToString();
        return text.Length > 80 ? text[..80] + "…" : text;
    }

    public Gen<Mutant> WrongType() =>
        from path in Pick(_nodes, _nodes)
        from value in Gen.Elements(OtherKinds(JText.At(_document, path)).AsEnumerable())
        select Set("wrong type", path, value);

    private static List<JValue> OtherKinds(JValue node) => node switch
    {
        JNum n => [new JStr(n.Literal), new JBool(true), JText.Arr(n), JText.Obj(("value", n)), new JStr("")],
        JStr s => [new JNum("1"), new JNum("0"), new JBool(true), JText.Arr(s), JText.Obj(("value", s))],
        JBool b => [new JStr(b.Value ? "true" : "false"), new JNum("1"), new JNum("0"), JText.Arr(b)],
        JObj o => [JText.Arr(o), new JStr(""), new JNum("1"), new JBool(false), JText.Arr()],
        JArr a => [a.Items.Length > 0 ? a.Items[0] : new JStr(""), JText.Obj(), new JStr(""), new JNum("0"), new JBool(true)],
        _ => [new JStr("null"), new JNum("0"), JText.Obj(), JText.Arr(), new JBool(false)],
    };

    public Gen<Mutant> OutOfRange() =>
        from path in Pick(_numbers, _nodes)
        from value in FuzzGen.Number
        select Set("out-of-range number", path, value);

    public Gen<Mutant> Overflow() =>
        from path in Pick(_numbers, _nodes)
        from literal in Gen.Elements("1e309", "-1e309", "1e400", "-1e400", "1e-400", "9e999999999", "1" + new string('0', 400), "-" + new string('9', 400), "18446744073709551616", "79228162514264337593543950336")
        select Set("overflow literal", path, new JNum(literal));

    public Gen<Mutant> NaNStrings() =>
        from path in Pick(_numbers, _nodes)
        from value in Gen.Elements<JValue>(new JStr("NaN"), new JStr("Infinity"), new JStr("-Infinity"), new JStr("+Infinity"), new JStr("nan"), new JStr("∞"),
            JRaw.Of("NaN"), JRaw.Of("Infinity"), JRaw.Of("-Infinity"))
        select Set("NaN/Infinity", path, value);

    public Gen<Mutant> EmptyString() =>
        from path in Pick(_strings, _nodes)
        from value in Gen.Elements<JValue>(new JStr(""), new JStr(" "), new JStr("\t\n"), new JStr("\u00A0"), new JStr("\u200B"))
        select Set("empty string", path, value);

    /// <summary>A 10 MB string (ASCII, 2-byte or 4-byte UTF-8), with or without Content-Length.</summary>
    public Gen<Mutant> HugeString() =>
        from path in Pick(_strings, _nodes)
        from unit in Gen.Elements("a", "é", "😀", "\\")
        from chunked in Gen.Elements(false, true)
        let value = new JRepeat(unit, FuzzGen.TenMegabytes / Encoding.UTF8.GetByteCount(unit == "\\" ? "\\\\" : unit))
        select Set("10 MB string", path, value) with { Chunked = chunked };

    public Gen<Mutant> DeepNest() =>
        from path in Pick(_nodes, _nodes)
        from value in FuzzGen.Nest(Gen.Constant(JText.At(_document, path)))
        select Set("deep nesting", path, value);

    /// <summary>The member's key again in the same object: same value, another value, or the key \u-escaped.</summary>
    public Gen<Mutant> DuplicateKey() =>
        from path in Pick(_members, _members)
        from form in Gen.Choose(0, 2)
        from random in FuzzGen.Value(_vocabulary)
        from position in Gen.Choose(0, 1000)
        select Duplicate(path, form, random, position);

    private Mutant Duplicate(ImmutableArray<int> path, int form, JValue random, int position)
    {
        var member = ((JObj)JText.At(_document, path[..^1])).Members[path[^1]];
        var copy = form switch
        {
            0 => member,
            1 => member with { Value = random },
            _ => member with { Key = EscapedKey(member.KeyText) },
        };
        var label = form switch { 0 => "same value", 1 => "another value", _ => "key \\u-escaped" };
        var body = JText.EditParent(_document, path, (parent, _) =>
        {
            var o = (JObj)parent;
            return new JObj(o.Members.Insert(position % (o.Members.Length + 1), copy));
        });
        return new Mutant($"duplicate key ({label}) at {Describe(path)}", body);
    }

    /// <summary>The same key spelled with its first character as a \u escape (equal after decoding).</summary>
    private static JValue EscapedKey(string key)
    {
        if (key.Length == 0)
        {
            return new JStr(key);
        }

        var escaped = new StringBuilder().Append(CultureInfo.InvariantCulture, $"\\u{(int)key[0]:X4}");
        foreach (var c in key[1..])
        {
            escaped.Append(c is '"' or '\\' ? "\\" + c : c.ToString());
        }

        return new JRawString([.. Encoding.UTF8.GetBytes(escaped.ToString())]);
    }

    public Gen<Mutant> UnknownMember() =>
        from path in Pick(_objects, _objects)
        from key in UnknownKey((JObj)JText.At(_document, path))
        from value in FuzzGen.Value(_vocabulary)
        from position in Gen.Choose(0, 1000)
        select new Mutant(
            $"unknown member {Short(new JStr(key))} at {(path.IsEmpty ? "$" : Describe(path))}",
            JText.Replace(_document, path, node =>
            {
                var o = (JObj)node;
                return new JObj(o.Members.Insert(position % (o.Members.Length + 1), new JMember(key, value)));
            }));

    private Gen<string> UnknownKey(JObj target)
    {
        var siblings = target.Members.Select(m => m.KeyText).Where(k => k.Length > 1).ToList();
        var typos = siblings.SelectMany(k => new[]
        {
            k[..^1], k + "s", char.ToUpperInvariant(k[0]) + k[1..], k.ToUpperInvariant(), k + " ", " " + k, k + "\u0000", k + "\u200B",
            k.Replace('i', 'ı').Replace('I', 'İ'),
        }).Where(t => !siblings.Contains(t)).ToList();
        var fixedKeys = new[] { "__proto__", "constructor", "prototype", "$type", "$id", "$ref", "$values", "", " ", "extension", "Extension", "\u0000", "é", "😀", "\uD800", new string('k', 1000) };
        return typos.Count > 0
            ? Gen.Frequency((4, Gen.Elements(typos.AsEnumerable())), (2, Gen.Elements(fixedKeys)), (2, Gen.Elements(_vocabulary.Keys.AsEnumerable())), (1, FuzzGen.UnicodeString))
            : Gen.Frequency((2, Gen.Elements(fixedKeys)), (2, Gen.Elements(_vocabulary.Keys.AsEnumerable())), (1, FuzzGen.UnicodeString));
    }

    public Gen<Mutant> NullInArray() =>
        _arrays.Count == 0
            ? ReplaceNull()
            : from path in Pick(_arrays, _arrays)
              from position in Gen.Choose(0, 1000)
              select new Mutant($"null inside the array {(path.IsEmpty ? "$" : Describe(path))}", JText.Replace(_document, path, node =>
              {
                  var a = (JArr)node;
                  return new JArr(a.Items.Insert(position % (a.Items.Length + 1), JNull.Instance));
              }));

    public Gen<Mutant> RawControlCharacter() => RawInString(control: true);

    public Gen<Mutant> InvalidUtf8() => RawInString(control: false);

    /// <summary>A raw byte in a string value, or in a member's key.</summary>
    private Gen<Mutant> RawInString(bool control)
    {
        var what = control ? "raw control character" : "invalid UTF-8";
        var inValue =
            from path in Pick(_strings, _nodes)
            from value in FuzzGen.RawString(JText.At(_document, path) is JStr s ? s.Value : "", control)
            select Set(what, path, value);
        var inKey =
            from path in Pick(_members, _nodes)
            from key in FuzzGen.RawString(((JObj)JText.At(_document, path[..^1])).Members[path[^1]].KeyText, control)
            select new Mutant($"{what} in the key of {Describe(path)} → {Short(key)}", JText.EditParent(_document, path, (parent, i) =>
            {
                var o = (JObj)parent;
                return new JObj(o.Members.SetItem(i, o.Members[i] with { Key = key }));
            }));
        return _members.Count == 0 ? inValue : Gen.Frequency((3, inValue), (1, inKey));
    }

    public Gen<Mutant> Remove() =>
        from path in Pick(_nodes, _nodes)
        select new Mutant($"removed {Describe(path)}", JText.Remove(_document, path));

    public Gen<Mutant> EnumVariant() =>
        from path in Pick(_strings, _nodes)
        from value in Gen.Elements(Variants(JText.At(_document, path) is JStr s ? s.Value : "x").AsEnumerable())
        select Set("enum casing/unknown value", path, value);

    private static List<JValue> Variants(string s)
    {
        var fullWidth = new string(s.Select(c => c is >= '!' and <= '~' ? (char)(c - '!' + '！') : c).ToArray());
        var title = s.Length > 0 ? char.ToUpperInvariant(s[0]) + s[1..] : "X";
        var camel = Regex.Replace(s, "_([a-z])", m => m.Groups[1].Value.ToUpperInvariant());
        return
        [
            new JStr(s.ToUpperInvariant()), new JStr(title), new JStr(s + " "), new JStr(" " + s), new JStr(s.Replace('_', '-')),
            new JStr(s.Replace('_', ' ')), new JStr(s.Replace("_", "", StringComparison.Ordinal)), new JStr(camel), new JStr("zzz_unknown"),
            new JStr(s + "\u0000"), new JStr(s + "\u200B"), new JStr(fullWidth), new JStr(s.Replace('i', 'ı')), new JStr(s.ToUpperInvariant().Replace('I', 'İ')),
            new JStr(s, EscapeNonAscii: true), new JNum("0"), new JNum("1"), new JNum("-1"), new JNum("99"),
        ];
    }

    /// <summary>Malformed and extreme dates (RFC 3339, FHIR date and dateTime) in place of a date, or of any string.</summary>
    public static readonly ImmutableArray<string> BadDates =
    [
        "", "2026", "2026-13", "2026-13-01", "2026-02-30", "2026-00-10", "2026-11-31", "0000-01-01", "0001-01-01", "9999-12-31",
        "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59.9999999Z",
        "2026-11-20T25:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T10:60:00Z", "2026-11-20T10:00:60Z", "2026-11-20T10:00:00",
        "2026-11-20T10:00:00+24:00", "2026-11-20T10:00:00+99:99", "2026-11-20T10:00:00-00:00", "2026-11-20t10:00:00z",
        "2026-11-20T10:00:00.1234567891234Z", "2026-11-20T10:00:00.Z", "2026-11-20T10:00Z", "2026-11-20 10:00:00Z",
        "20261120", "2026-W47", "2026-324", "-2026-01-01", "+12026-01-01", "+275760-09-13T00:00:00Z", "1e309", "tomorrow",
        "1900-01-01", "1800-01-01", "2200-01-01", "2126-11-20", "2026-11-20T10:00:00+01", "٢٠٢٦-١١-٢٠", "2026-11-20T10:00:00Z\u0000",
    ];

    public Gen<Mutant> MalformedDate() =>
        from path in Pick(_dates, _strings.Count > 0 ? _strings : _nodes)
        from value in Gen.Frequency(
            (6, Gen.Elements(BadDates.AsEnumerable()).Select(d => (JValue)new JStr(d))),
            (1, Gen.Elements<JValue>(new JNum("1732000000"), new JNum("-62135596800"), new JNum("1e309"), JNull.Instance, JText.Arr(new JStr("2026-11-20")))))
        select Set("malformed date", path, value);

    public Gen<Mutant> ReplaceRandom() =>
        from path in Pick(_nodes, _nodes)
        from value in FuzzGen.Value(_vocabulary)
        select Set("replaced by a random value", path, value);

    public Gen<Mutant> ReplaceNull() =>
        from path in Pick(_nodes, _nodes)
        select Set("replaced by null", path, JNull.Instance);

    /// <summary>A node duplicated in place: an array item twice, or an object member twice (a duplicate key).</summary>
    public Gen<Mutant> DuplicateNode() =>
        from path in Pick(_nodes, _nodes)
        select new Mutant($"duplicated {Describe(path)}", JText.EditParent(_document, path, (parent, i) => parent switch
        {
            JObj o => new JObj(o.Members.Insert(i, o.Members[i])),
            JArr a => new JArr(a.Items.Insert(i, a.Items[i])),
            _ => parent,
        }));

    /// <summary>Changes to the whole body and its transport: truncation, garbage, BOM, comments, trailing comma, charset, content type, chunked.</summary>
    public Gen<Mutant> WholeBody() => Gen.Frequency(
        (3, from keep in Gen.Choose(0, Math.Max(0, _length - 1))
            select new Mutant($"truncated to {keep} of {_length} bytes", new JTruncate(_document, keep))),
        (2, from tail in Gen.Elements("}", "]", ",", "x", "{}", " null", "\u0000", "/* c */", "// c", "\n{\"a\":1}", "\uFEFF")
            select new Mutant($"trailing {Short(new JStr(tail))}", new JSeq([_document, JRaw.Of(tail)]))),
        (2, from garbage in FuzzGen.BadBytes
            from front in Gen.Elements(false, true)
            select new Mutant(front ? "garbage bytes before the body" : "garbage bytes after the body",
                new JSeq(front ? [new JRaw(garbage), _document] : [_document, new JRaw(garbage)]))),
        (1, Gen.Elements(
            new Mutant("UTF-8 byte order mark", new JSeq([new JRaw([0xEF, 0xBB, 0xBF]), _document])),
            new Mutant("UTF-16 byte order mark before UTF-8", new JSeq([new JRaw([0xFF, 0xFE]), _document])),
            new Mutant("leading comment", new JSeq([JRaw.Of("/* comment */"), _document])),
            new Mutant("trailing comment", new JSeq([_document, JRaw.Of("// comment")])),
            new Mutant("trailing comma", new JSeq([new JTruncate(_document, _length - 1), JRaw.Of(",}")])),
            new Mutant("body as UTF-16LE", new JRaw([.. Encoding.Unicode.GetBytes(JText.ToText(_document))]), "application/json; charset=utf-16"),
            new Mutant("body as UTF-16LE, charset not declared", new JRaw([.. Encoding.Unicode.GetBytes(JText.ToText(_document))])),
            new Mutant("valid body, chunked", _document, Json, Chunked: true))),
        (2, from contentType in Gen.Elements<string?>(
                null, "", "text/plain", "text/json", "application/JSON", "application/json; charset=utf-16", "application/json; charset=iso-8859-1",
                "application/json; charset=bogus", "application/json; charset=\"utf-8\"", "application/json;;", "application/json; charset=",
                "application/fhir+json", "application/merge-patch+json", "application/jsonx", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "*/*", "application/*", "json")
            select new Mutant("content type " + (contentType is null ? "(none)" : Short(new JStr(contentType))), _document, contentType)));

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}", RegexOptions.CultureInvariant)]
    private static partial Regex DateLike();
}
